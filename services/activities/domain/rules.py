"""Named rules of the activity life cycle, and what every decision is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contracts.replies import RuleBroken
from services.activities.configuration import CountyConfig, KindSpec
from services.activities.domain.state import ActivityState, Status

__all__ = ["TRANSITIONS", "Context", "TeacherFact", "kind_of", "require_status"]

S = Status
TRANSITIONS: dict[str, frozenset[Status]] = {
    "RequestActivity": frozenset({S.NEW}),
    "ReviewActivityPlan": frozenset({S.REQUESTED}),
    "ResubmitActivityPlan": frozenset({S.RETURNED}),
    "ScheduleActivity": frozenset({S.APPROVED}),
    "RescheduleActivity": frozenset({S.SCHEDULED}),
    "CancelActivity": frozenset({S.REQUESTED, S.RETURNED, S.APPROVED, S.SCHEDULED}),
    "MarkActivityHeld": frozenset({S.SCHEDULED}),
    "CloseActivity": frozenset({S.HELD}),
    "RegisterParticipant": frozenset({S.APPROVED, S.SCHEDULED, S.HELD}),
    "SignIn": frozenset({S.HELD}),
    "SubmitMaterial": frozenset({S.SCHEDULED, S.HELD}),
    "AssessParticipant": frozenset({S.HELD, S.CLOSED}),
    "RecordExternalTraining": frozenset({S.NEW}),
}
"""The statuses in which each command is accepted: the life cycle as data."""


@dataclass(frozen=True)
class TeacherFact:
    """What the registry said about a teacher on a given date."""

    teacher_id: str
    county: str
    school_id: str
    is_researcher: bool = False


@dataclass(frozen=True)
class Context:
    """The county's configuration and the moment of the decision."""

    county: str
    config: CountyConfig
    now: datetime

    @property
    def today(self) -> date:
        """The date of the decision."""
        return self.now.date()


def require_status(state: ActivityState, command: str, activity_id: str) -> None:
    """Refuse ``command`` unless the activity's status allows it."""
    allowed = TRANSITIONS[command]
    if state.status in allowed:
        return
    if state.status is Status.NEW:
        from contracts.replies import NotFound

        raise NotFound(f"no activity {activity_id}", field="activity_id")
    wanted = ", ".join(sorted(allowed))
    raise RuleBroken(
        f"{command} is not allowed for activity {activity_id}: it is {state.status}, "
        f"and {command} needs it to be {wanted}",
        rule="ActivityLifeCycle",
    )


def kind_of(state: ActivityState, ctx: Context) -> KindSpec:
    """The configured kind of a requested activity."""
    assert state.requested is not None
    spec = ctx.config.kind(state.requested.activity_kind)
    if spec is None:
        raise RuleBroken(
            f"activity kind {state.requested.activity_kind} is no longer configured",
            rule="KnownKind",
        )
    return spec
