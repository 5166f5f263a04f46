"""Named rules of the activity life cycle, and what every decision is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contracts.replies import NotFound, RuleBroken
from services.activities.configuration import CountyConfig, KindSpec
from services.activities.domain.state import ActivityState, Status

__all__ = [
    "ACTIVE",
    "ON_LEAVE",
    "RETIRED",
    "TRANSITIONS",
    "CommunityFact",
    "Context",
    "TeacherFact",
    "kind_of",
    "require_active_community",
    "require_available",
    "require_status",
]

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


ACTIVE, ON_LEAVE, RETIRED = "active", "on_leave", "retired"
"""A teacher's availability: working, on leave (休假, 脱产进修…), or retired (退休)."""


@dataclass(frozen=True)
class TeacherFact:
    """What the registry said about a teacher on a given date.

    ``status`` is ``active``, ``on_leave`` (``detail``: the kind of leave) or ``retired``,
    since ``since``; ``communities`` are the communities the teacher belonged to that day,
    in person (a studio, a group) or through the school (None: not looked up).
    """

    teacher_id: str
    county: str
    school_id: str
    is_researcher: bool = False
    stage: str | None = None
    status: str = ACTIVE
    since: date | None = None
    detail: str | None = None
    communities: frozenset[str] | None = None

    @property
    def available(self) -> bool:
        """Whether the teacher works that day (neither on leave nor retired)."""
        return self.status == ACTIVE

    def unavailable_reason(self) -> str:
        """Why the teacher cannot take part, for error messages."""
        since = f" since {self.since}" if self.since else ""
        if self.status == RETIRED:
            return f"teacher {self.teacher_id} is retired{since}"
        kind = f"{self.detail} " if self.detail else ""
        return f"teacher {self.teacher_id} is on {kind}leave{since}"


@dataclass(frozen=True)
class CommunityFact:
    """A community as the registry records it: when it was formed and dissolved."""

    community_id: str
    formed_on: date | None = None
    dissolved_on: date | None = None


def require_active_community(community: CommunityFact | None, community_id: str, day: date) -> None:
    """Refuse a community unknown to the registry, or not in existence on ``day``."""
    if community is None:
        raise NotFound(f"the registry knows no community {community_id}", field="community_id")
    if community.dissolved_on is not None and community.dissolved_on <= day:
        raise RuleBroken(
            f"community {community_id} was dissolved on {community.dissolved_on}: "
            f"it has no activities on {day}",
            field="community_id",
            rule="ActiveCommunity",
        )
    if community.formed_on is not None and community.formed_on > day:
        raise RuleBroken(
            f"community {community_id} is formed only on {community.formed_on}, after {day}",
            field="community_id",
            rule="ActiveCommunity",
        )


def require_available(teacher: TeacherFact, day: date, field: str = "teacher_id") -> None:
    """Refuse a teacher who is on leave or retired on the activity's ``day``."""
    if not teacher.available:
        raise RuleBroken(
            f"{teacher.unavailable_reason()}: not available on {day}",
            field=field,
            rule="TeacherAvailable",
        )


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
