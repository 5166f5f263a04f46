"""States in every life-cycle status, and one valid command per decision, for unit tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from contracts import Event
from contracts.activities import v1
from services.activities.configuration import load_county
from services.activities.domain import lifecycle, participation, records
from services.activities.domain.rules import Context, TeacherFact
from services.activities.domain.state import ActivityState, Status, evolve

COUNTY = "510781"
CONFIG = load_county(COUNTY)
DAY = date(2025, 10, 15)
CTX = Context(COUNTY, CONFIG, datetime(2025, 10, 16, 9, 0, tzinfo=UTC))
AID = "a1"
TEACHER = TeacherFact("t1", COUNTY, "s1")


def schedule_cmd(kind: type[Any] = v1.ScheduleActivity, **extra: object) -> Any:
    fields: dict[str, Any] = {
        "activity_id": AID,
        "held_on": DAY,
        "starts_at": time(14),
        "ends_at": time(16),
        "place": "礼堂",
        "host": "教研室",
        "scheduled_minutes": 120,
    }
    return kind(**{**fields, **extra})


def request_cmd(kind: str = "school_based_training") -> v1.RequestActivity:
    return v1.RequestActivity(
        activity_id=AID,
        activity_kind=kind,
        title="研修",
        school_id="s1",
        proposed_on=DAY,
        requested_by="教导处",
    )


def review_cmd(outcome: v1.PlanOutcome) -> v1.ReviewActivityPlan:
    return v1.ReviewActivityPlan(activity_id=AID, outcome=outcome, reviewer="审核", comments="意见")


def fold(events: list[Event], state: ActivityState | None = None) -> ActivityState:
    state = state or ActivityState()
    for event in events:
        state = evolve(state, event)
    return state


def _role(kind: str) -> v1.ParticipantRole:
    roles = CONFIG.kinds[kind].roles
    return v1.ParticipantRole.ATTENDEE if v1.ParticipantRole.ATTENDEE in roles else roles[0]


def _path(status: Status, kind: str) -> list[Callable[[ActivityState], list[Event]]]:
    request = [lambda s: lifecycle.request(s, request_cmd(kind), CTX)]
    approve = [*request, lambda s: lifecycle.review(s, review_cmd(v1.PlanOutcome.APPROVED), CTX)]
    scheduled = [
        *approve,
        lambda s: lifecycle.schedule(s, schedule_cmd(), CTX, None),
        lambda s: participation.register(
            s,
            AID,
            [v1.ParticipantEntry(teacher_id="t1", role=_role(kind))],
            CTX,
            {"t1": TEACHER},
        ),
    ]
    held = [*scheduled, lambda s: lifecycle.mark_held(s, v1.MarkActivityHeld(activity_id=AID), CTX)]
    return {
        Status.NEW: [],
        Status.REQUESTED: request,
        Status.RETURNED: [
            *request,
            lambda s: lifecycle.review(s, review_cmd(v1.PlanOutcome.RETURNED), CTX),
        ],
        Status.REJECTED: [
            *request,
            lambda s: lifecycle.review(s, review_cmd(v1.PlanOutcome.REJECTED), CTX),
        ],
        Status.APPROVED: approve,
        Status.SCHEDULED: scheduled,
        Status.CANCELLED: [
            *approve,
            lambda s: lifecycle.cancel(s, v1.CancelActivity(activity_id=AID, reason="雨"), CTX),
        ],
        Status.HELD: held,
        Status.CLOSED: [
            *held,
            lambda s: records.close(s, v1.CloseActivity(activity_id=AID), CTX, {}),
        ],
    }[status]


def state_in(status: Status, kind: str = "school_based_training") -> ActivityState:
    """An activity of ``kind`` brought to ``status`` by its own decisions."""
    state = ActivityState()
    for step in _path(status, kind):
        state = fold(step(state), state)
    assert state.status is status
    return state


REFLECTION = "思" * 1000
DECISIONS: dict[str, Callable[[ActivityState], list[Event]]] = {
    "RequestActivity": lambda s: lifecycle.request(s, request_cmd(), CTX),
    "ReviewActivityPlan": lambda s: lifecycle.review(s, review_cmd(v1.PlanOutcome.APPROVED), CTX),
    "ResubmitActivityPlan": lambda s: lifecycle.resubmit(
        s, v1.ResubmitActivityPlan(activity_id=AID, title="新"), CTX
    ),
    "ScheduleActivity": lambda s: lifecycle.schedule(s, schedule_cmd(), CTX, None),
    "RescheduleActivity": lambda s: lifecycle.reschedule(
        s, schedule_cmd(v1.RescheduleActivity, reason="冲突"), CTX, None
    ),
    "CancelActivity": lambda s: lifecycle.cancel(
        s, v1.CancelActivity(activity_id=AID, reason="雨"), CTX
    ),
    "MarkActivityHeld": lambda s: lifecycle.mark_held(s, v1.MarkActivityHeld(activity_id=AID), CTX),
    "CloseActivity": lambda s: records.close(s, v1.CloseActivity(activity_id=AID), CTX, {}),
    "RegisterParticipant": lambda s: participation.register(
        s,
        AID,
        [v1.ParticipantEntry(teacher_id="t2", role=v1.ParticipantRole.ATTENDEE)],
        CTX,
        {"t2": TeacherFact("t2", COUNTY, "s1")},
    ),
    "SignIn": lambda s: participation.sign_in(
        s, AID, [v1.SignInEntry(teacher_id="t1", signed_in_at=time(14))], CTX
    ),
    "SubmitMaterial": lambda s: participation.submit_material(
        s,
        v1.SubmitMaterial(
            activity_id=AID,
            material_kind="reflection",
            title="心得",
            file_ref="f",
            sha256="0" * 64,
            size_bytes=3,
            submitted_by="t1",
            teacher_id="t1",
            reflection_text=REFLECTION,
        ),
        CTX,
    ),
    "AssessParticipant": lambda s: records.assess_and_record(
        s,
        v1.AssessParticipant(
            activity_id=AID, teacher_id="t1", result=v1.Result.PASSED, assessor="x"
        ),
        CTX,
        {},
    ),
    "RecordExternalTraining": lambda s: records.record_external(
        s,
        v1.RecordExternalTraining(
            activity_id=AID,
            import_batch="b",
            row_number=2,
            activity_kind="online_training",
            title="寒假研修",
            provider="国家智慧教育平台",
            teacher_id="t1",
            held_on=DAY,
            minutes=600,
            result=v1.Result.PASSED,
        ),
        CTX,
        TEACHER,
    ),
}
