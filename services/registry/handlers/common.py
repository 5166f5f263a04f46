"""What every registry handler shares: the deciders, today's date, loading other aggregates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta, timezone
from typing import Any, TypeVar

from contracts import Command, Event
from contracts.replies import DomainError, ErrorCode
from eventlog.commandbus import CommandMeta, Decider, execute
from eventlog.store import AppendResult, EventStore
from services.registry.domain.communities import CommunityState, evolve_community
from services.registry.domain.counties import CountyState, evolve_county
from services.registry.domain.schools import SchoolState, evolve_school
from services.registry.domain.teachers import TeacherState, evolve_teacher

__all__ = [
    "COMMUNITY",
    "COUNTY",
    "SCHOOL",
    "TEACHER",
    "Handler",
    "Handlers",
    "WrongCounty",
    "decide_on",
    "load_state",
    "same_county",
    "simple",
    "today",
]

S = TypeVar("S")
Handler = Callable[[EventStore, Any, CommandMeta], Awaitable[AppendResult]]
"""A command handler: the store, the command, its metadata."""
Handlers = dict[type[Command], Handler]

COUNTY = ("county", Decider(initial=CountyState, evolve=evolve_county))
SCHOOL = ("school", Decider(initial=SchoolState, evolve=evolve_school))
TEACHER = ("teacher", Decider(initial=TeacherState, evolve=evolve_teacher))
COMMUNITY = ("community", Decider(initial=CommunityState, evolve=evolve_community))

# The counties keep China Standard Time, which has no daylight saving.
CHINA = timezone(timedelta(hours=8), "CST")


class WrongCounty(DomainError):
    """The county in the body differs from the county of the subject the command came on."""

    code = ErrorCode.VALIDATION


def today(meta: CommandMeta) -> date:
    """The date in China when the command was received."""
    assert meta.received_at is not None
    return meta.received_at.astimezone(CHINA).date()


def same_county(meta: CommandMeta, county_code: str) -> None:
    """Refuse a body whose county differs from the subject's."""
    if county_code != meta.county:
        raise WrongCounty(
            f"the command names county {county_code} but was sent to {meta.county}",
            field="county_code",
        )


async def load_state(
    store: EventStore, county: str, aggregate: tuple[str, Decider[S]], id_: str
) -> S:
    """The current state of another aggregate a decision needs (read, never written)."""
    kind, decider = aggregate
    stored, _ = await store.load(store.ref(county, kind, id_))
    return decider.fold([e.event for e in stored])


async def decide_on(
    store: EventStore,
    meta: CommandMeta,
    aggregate: tuple[str, Decider[Any]],
    id_: str,
    decide: Callable[[Any], Sequence[Event]],
    *,
    county: str | None = None,
) -> AppendResult:
    """Run ``decide`` on one aggregate of ``county`` (the command's by default)."""
    kind, decider = aggregate
    ref = store.ref(county or meta.county, kind, id_)
    return await execute(store, ref, decider, decide, meta)


def simple(
    aggregate: tuple[str, Decider[Any]],
    key: str,
    decide: Callable[..., Sequence[Event]],
    *,
    county_in_body: bool = False,
) -> Handler:
    """A handler that decides on one aggregate, named by the command's ``key`` field."""

    async def handle(store: EventStore, cmd: Any, meta: CommandMeta) -> AppendResult:
        if county_in_body:
            same_county(meta, cmd.county_code)
        day = today(meta)
        return await decide_on(
            store, meta, aggregate, getattr(cmd, key), lambda st: decide(st, cmd, day)
        )

    handle.__doc__ = decide.__doc__
    return handle
