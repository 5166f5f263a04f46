"""Command handlers: load → decide → append, with registry facts looked up around the domain.

Look-ups read the activities' own copy of the registry (``facts.Registry``); they run inside
the decide step so a retried command (after a conflict) judges again with fresh facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from contracts import Command, Event
from contracts.activities import v1
from eventlog.commandbus import CommandMeta, Decider, execute
from eventlog.intake import CommandIntake
from eventlog.service import Service
from eventlog.store import AppendResult
from services.activities.configuration import CountyConfig
from services.activities.domain import lifecycle, participation, records
from services.activities.domain.rules import CommunityFact, Context
from services.activities.domain.state import ActivityState, evolve
from services.activities.facts import Registry

__all__ = ["DECIDER", "Handlers"]

DECIDER = Decider(initial=ActivityState, evolve=evolve)
Decide = Callable[[ActivityState, Any, Context, "Handlers"], Sequence[Event]]


def _community(state: ActivityState, cmd: v1.Schedule, h: Handlers) -> str | None:
    """A community's own request counts for it; a school's, for its community on the day."""
    req = state.requested
    if req is None or req.community_id:
        return req.community_id if req else None
    return h.registry.community_of_school(req.school_id or "", cmd.held_on)


def _requester(state: ActivityState, h: Handlers) -> CommunityFact | None:
    """The registry's record of the community that requested the activity, if one did."""
    asked = state.requested.community_id if state.requested else None
    return h.registry.community(asked) if asked else None


def _facts(state: ActivityState, h: Handlers, ids: Iterable[str] | None = None) -> Any:
    """The registry's facts on the activity's day about its participants (or ``ids``)."""
    day, wanted = state.day, list(state.participants if ids is None else ids)
    return h.registry.teachers_on(wanted, day) if day and wanted else {}


def _request(s: ActivityState, c: v1.RequestActivity, x: Context, h: Handlers) -> Sequence[Event]:
    community = h.registry.community(c.community_id) if c.community_id else None
    return lifecycle.request(s, c, x, community)


def _register(
    state: ActivityState,
    activity_id: str,
    entries: list[v1.ParticipantEntry],
    ctx: Context,
    h: Handlers,
) -> Sequence[Event]:
    teachers = _facts(state, h, [e.teacher_id for e in entries])
    return participation.register(state, activity_id, entries, ctx, teachers)


def _sign_in(
    state: ActivityState, activity_id: str, entries: list[v1.SignInEntry], x: Context, h: Handlers
) -> Sequence[Event]:
    teachers = _facts(state, h, [e.teacher_id for e in entries if e.signed_in_at is not None])
    return participation.sign_in(state, activity_id, entries, x, teachers)


_DECISIONS: dict[type[Command], Decide] = {
    v1.RequestActivity: _request,
    v1.ReviewActivityPlan: lambda s, c, x, h: lifecycle.review(s, c, x),
    v1.ResubmitActivityPlan: lambda s, c, x, h: lifecycle.resubmit(s, c, x),
    v1.ScheduleActivity: lambda s, c, x, h: lifecycle.schedule(
        s, c, x, _community(s, c, h), _requester(s, h)
    ),
    v1.RescheduleActivity: lambda s, c, x, h: lifecycle.reschedule(
        s, c, x, _community(s, c, h), _requester(s, h)
    ),
    v1.CancelActivity: lambda s, c, x, h: lifecycle.cancel(s, c, x),
    v1.MarkActivityHeld: lambda s, c, x, h: lifecycle.mark_held(s, c, x),
    v1.CloseActivity: lambda s, c, x, h: records.close(s, c, x, _facts(s, h)),
    v1.RegisterParticipant: lambda s, c, x, h: _register(
        s, c.activity_id, [v1.ParticipantEntry(teacher_id=c.teacher_id, role=c.role)], x, h
    ),
    v1.RegisterParticipants: lambda s, c, x, h: _register(s, c.activity_id, c.participants, x, h),
    v1.SignIn: lambda s, c, x, h: _sign_in(
        s, c.activity_id, [v1.SignInEntry.model_validate(c.model_dump())], x, h
    ),
    v1.SignInMany: lambda s, c, x, h: _sign_in(s, c.activity_id, c.entries, x, h),
    v1.SubmitMaterial: lambda s, c, x, h: participation.submit_material(s, c, x),
    v1.AssessParticipant: lambda s, c, x, h: records.assess_and_record(s, c, x, _facts(s, h)),
    v1.RecordExternalTraining: lambda s, c, x, h: records.record_external(
        s, c, x, h.registry.teacher_on(c.teacher_id, c.held_on)
    ),
}


class Handlers:
    """The activities' command handlers, registered on a service's command bus."""

    registry: Registry

    def __init__(self, service: Service, registry: Registry, config: Callable[[str], CountyConfig]):
        self.service = service
        self.registry = registry
        self.config = config

    def register_all(self, intake: CommandIntake) -> None:
        """Answer every activities command (listed in the service's health)."""
        for command, decide in _DECISIONS.items():
            self.service.bus.commands[command.wire_type()] = command
            intake.add(command, self._handler(decide))

    def _handler(self, decide: Decide) -> Callable[[Any, CommandMeta], Any]:
        async def handle(cmd: Any, meta: CommandMeta) -> AppendResult:
            store = self.service.store
            assert store is not None, "the service has not started"
            ctx = Context(meta.county, self.config(meta.county), meta.received_at or _now())
            ref = store.ref(meta.county, "activity", cmd.activity_id)
            return await execute(store, ref, DECIDER, lambda s: decide(s, cmd, ctx, self), meta)

        return handle


def _now() -> datetime:
    return datetime.now(UTC)
