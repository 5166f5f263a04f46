"""An activity's state, folded from its events (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from contracts import Contract
from contracts.activities import v1

__all__ = ["ActivityState", "Participant", "Status", "evolve"]


class Status(StrEnum):
    """Where an activity is in its life cycle."""

    NEW = "new"
    REQUESTED = "requested"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"
    CLOSED = "closed"


@dataclass(frozen=True)
class Participant:
    """A registered teacher, with attendance and result as far as known."""

    teacher_id: str
    teacher_county: str
    school_id: str
    role: v1.ParticipantRole
    attendance: v1.AttendanceRecorded | None = None
    result: v1.Result | None = None
    revision: int = 0


@dataclass(frozen=True)
class ActivityState:
    """What decisions about one activity need to know."""

    status: Status = Status.NEW
    county: str = ""
    requested: v1.ActivityRequested | None = None
    title: str = ""
    schedule: v1.Schedule | None = None
    community_id: str | None = None
    held_on: date | None = None
    participants: Mapping[str, Participant] = field(default_factory=dict)
    materials: tuple[v1.MaterialSubmitted, ...] = ()
    external: v1.ExternalTrainingImported | None = None

    @property
    def day(self) -> date | None:
        """The activity's date as known so far: held, scheduled, or proposed."""
        if self.held_on is not None:
            return self.held_on
        if self.schedule is not None:
            return self.schedule.held_on
        return self.requested.proposed_on if self.requested else None


def _with_participant(state: ActivityState, teacher_id: str, **changes: Any) -> ActivityState:
    people = dict(state.participants)
    people[teacher_id] = replace(people[teacher_id], **changes)
    return replace(state, participants=people)


def _requested(s: ActivityState, e: v1.ActivityRequested) -> ActivityState:
    return replace(
        s,
        status=Status.REQUESTED,
        county=e.county_code,
        requested=e,
        title=e.title,
        community_id=e.community_id,
    )


def _reviewed(s: ActivityState, e: v1.ActivityPlanReviewed) -> ActivityState:
    outcome = {
        v1.PlanOutcome.APPROVED: Status.APPROVED,
        v1.PlanOutcome.RETURNED: Status.RETURNED,
        v1.PlanOutcome.REJECTED: Status.REJECTED,
    }
    return replace(s, status=outcome[e.outcome])


def _scheduled(s: ActivityState, e: v1.ActivityScheduled | v1.ActivityRescheduled) -> ActivityState:
    schedule = v1.Schedule.model_validate(e.model_dump(include=set(v1.Schedule.model_fields)))
    return replace(s, status=Status.SCHEDULED, schedule=schedule, community_id=e.community_id)


def _registered(s: ActivityState, e: v1.ParticipantRegistered) -> ActivityState:
    people = dict(s.participants)
    people[e.teacher_id] = Participant(e.teacher_id, e.teacher_county, e.school_id, e.role)
    return replace(s, participants=people)


def _imported(s: ActivityState, e: v1.ExternalTrainingImported) -> ActivityState:
    return replace(s, status=Status.CLOSED, county=e.county_code, external=e)


def _recorded(s: ActivityState, e: v1.ParticipationRecorded) -> ActivityState:
    if e.record.teacher_id not in s.participants:
        r = e.record
        people = dict(s.participants)
        people[r.teacher_id] = Participant(r.teacher_id, r.teacher_county, r.school_id, r.role)
        s = replace(s, participants=people, title=r.title, held_on=r.activity_date)
    return _with_participant(
        s, e.record.teacher_id, revision=e.record.revision, result=e.record.result
    )


_EVOLVE: dict[type[Contract], Callable[[ActivityState, Any], ActivityState]] = {
    v1.ActivityRequested: _requested,
    v1.ActivityPlanReviewed: _reviewed,
    v1.ActivityPlanResubmitted: lambda s, e: replace(s, status=Status.REQUESTED, title=e.title),
    v1.ActivityScheduled: _scheduled,
    v1.ActivityRescheduled: _scheduled,
    v1.ActivityCancelled: lambda s, e: replace(s, status=Status.CANCELLED),
    v1.ActivityHeld: lambda s, e: replace(s, status=Status.HELD, held_on=e.held_on),
    v1.ActivityClosed: lambda s, e: replace(s, status=Status.CLOSED),
    v1.ParticipantRegistered: _registered,
    v1.AttendanceRecorded: lambda s, e: _with_participant(s, e.teacher_id, attendance=e),
    v1.MaterialSubmitted: lambda s, e: replace(s, materials=(*s.materials, e)),
    v1.ParticipantAssessed: lambda s, e: _with_participant(s, e.teacher_id, result=e.result),
    v1.ParticipationRecorded: _recorded,
    v1.ExternalTrainingImported: _imported,
}


def evolve(state: ActivityState, event: Contract) -> ActivityState:
    """The state after ``event``; unknown events leave it unchanged."""
    step = _EVOLVE.get(type(event))
    return step(state, event) if step else state
