"""A tiny test domain: counters that are opened and bumped, and a projection of them.

Used by the event-log tests: small enough to reason about, rich enough to exercise
batches, poison events and rebuilds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from contracts import Command, Event
from contracts.replies import NotFound, RuleBroken
from eventlog.commandbus import CommandMeta, Decider, execute
from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from eventlog.service import Service
from eventlog.store import AppendResult


class CounterOpened(
    Event, context="system", name="TestCounterOpened", version=1, aggregate="counter"
):
    """A counter was opened."""

    label: str


class CounterBumped(
    Event, context="system", name="TestCounterBumped", version=1, aggregate="counter"
):
    """A counter was bumped; a negative bump is a poison event for the projection."""

    by: int


class Counters(Projection):
    """One row per counter: label, total, number of bumps, last sequence applied."""

    name = "test_counters"
    contexts = ("system",)

    def __init__(self, county: str) -> None:
        super().__init__()
        self.county = county

    def subject_filter(self, context: str) -> str:
        # Tests share one NATS server: each reads only its own county.
        return f"evt.{self.county}.{context}.>"

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return {
            "counters": Table(
                f"test_counters{suffix}",
                metadata,
                Column("county", String(20), primary_key=True),
                Column("id", String(64), primary_key=True),
                Column("label", String(200)),
                Column("total", Integer, nullable=False),
                Column("bumps", Integer, nullable=False),
                Column("last_sequence", Integer, nullable=False),
            )
        }

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        table = tables["counters"]
        insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
        for stored in events:
            event = stored.event
            key = {"county": stored.ref.county, "id": stored.ref.id}
            if isinstance(event, CounterOpened):
                tx.execute(
                    insert(table)
                    .values(
                        **key, label=event.label, total=0, bumps=0, last_sequence=stored.sequence
                    )
                    .on_conflict_do_nothing()
                )
            elif isinstance(event, CounterBumped):
                if event.by < 0:
                    raise ValueError(f"a counter cannot go down (by={event.by})")
                tx.execute(
                    table.update()
                    .where(
                        table.c.county == key["county"],
                        table.c.id == key["id"],
                        table.c.last_sequence < stored.sequence,
                    )
                    .values(
                        total=table.c.total + event.by,
                        bumps=table.c.bumps + 1,
                        last_sequence=stored.sequence,
                    )
                )


def rows(tx: Connection, projection: Counters, generation: int | None = None) -> list[tuple]:
    """Every row of the live (or given) generation, ordered, for comparisons."""
    table = (
        projection.live_tables(tx)["counters"]
        if generation is None
        else projection.tables(generation)["counters"]
    )
    return [
        tuple(r)
        for r in tx.execute(
            select(
                table.c.county, table.c.id, table.c.label, table.c.total, table.c.bumps
            ).order_by(table.c.county, table.c.id)
        )
    ]


# --- commands, for the command bus tests ------------------------------------------------


class OpenCounter(Command, context="system", name="TestOpenCounter", version=1):
    """Open a counter."""

    counter_id: str = Field(pattern=r"^[a-z0-9-]+$", description="The counter's id")
    label: str = Field(min_length=1, max_length=50)


class BumpCounter(Command, context="system", name="TestBumpCounter", version=1):
    """Bump an open counter by a positive amount, at most to a limit of 100."""

    counter_id: str = Field(pattern=r"^[a-z0-9-]+$")
    by: int = Field(gt=0)


@dataclass(frozen=True)
class CounterState:
    opened: bool = False
    total: int = 0


def evolve(state: CounterState, event: object) -> CounterState:
    if isinstance(event, CounterOpened):
        return CounterState(opened=True)
    if isinstance(event, CounterBumped):
        return CounterState(opened=state.opened, total=state.total + event.by)
    return state


counter_decider = Decider(initial=CounterState, evolve=evolve)


def decide_open(state: CounterState, cmd: OpenCounter) -> list[CounterOpened]:
    if state.opened:
        raise RuleBroken(f"counter {cmd.counter_id} is already open", rule="CounterOpensOnce")
    return [CounterOpened(label=cmd.label)]


def decide_bump(state: CounterState, cmd: BumpCounter) -> list[CounterBumped]:
    if not state.opened:
        raise NotFound(f"no counter {cmd.counter_id}", field="counter_id")
    if state.total + cmd.by > 100:
        raise RuleBroken(
            f"counter {cmd.counter_id} would pass 100", field="by", rule="CounterLimit"
        )
    return [CounterBumped(by=cmd.by)]


def counter_service(nats_url: str, database_url: str, county: str) -> Service:
    """A service with the counter commands and the counters projection."""
    service = Service("test-counters", "system", nats_url=nats_url, database_url=database_url)
    service.projections.append(Counters(county))

    @service.bus.handler(OpenCounter)
    async def open_counter(cmd: OpenCounter, meta: CommandMeta) -> AppendResult:
        assert service.store is not None
        ref = service.store.ref(meta.county, "counter", cmd.counter_id)
        return await execute(
            service.store, ref, counter_decider, lambda s: decide_open(s, cmd), meta
        )

    @service.bus.handler(BumpCounter)
    async def bump_counter(cmd: BumpCounter, meta: CommandMeta) -> AppendResult:
        assert service.store is not None
        ref = service.store.ref(meta.county, "counter", cmd.counter_id)
        return await execute(
            service.store, ref, counter_decider, lambda s: decide_bump(s, cmd), meta
        )

    return service
