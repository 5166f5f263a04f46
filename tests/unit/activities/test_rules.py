"""Named rules, parametrised from the configuration: roles, checklist, reflections, dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from contracts.activities import v1
from contracts.replies import NotFound, RuleBroken
from services.activities.configuration import load_county
from services.activities.domain import lifecycle, participation, records
from services.activities.domain.attendance import attendance
from services.activities.domain.rules import CommunityFact
from services.activities.domain.state import Status
from tests.unit.activities.builders import AID, CONFIG, CTX, TEACHER, fold, schedule_cmd, state_in

REFLECTING = [k for k, spec in CONFIG.kinds.items() if any(i.is_reflection for i in spec.checklist)]
ROLES = [(k, r) for k, spec in sorted(CONFIG.kinds.items()) for r in v1.ParticipantRole]


def _material(kind: str, text: str | None = None, teacher: str | None = "t1") -> v1.SubmitMaterial:
    return v1.SubmitMaterial(
        activity_id=AID,
        material_kind=kind,
        title="m",
        file_ref="f",
        sha256="a" * 64,
        size_bytes=1,
        submitted_by="x",
        teacher_id=teacher,
        reflection_text=text,
    )


@pytest.mark.parametrize(("kind", "role"), ROLES, ids=[f"{k}-{r}" for k, r in ROLES])
def test_a_teacher_is_registered_only_in_a_role_of_the_kind(kind, role):
    state = state_in(Status.APPROVED, kind)
    entry = [v1.ParticipantEntry(teacher_id="t1", role=role)]
    if role in CONFIG.kinds[kind].roles:
        assert participation.register(state, AID, entry, CTX, {"t1": TEACHER})
    else:
        with pytest.raises(RuleBroken, match="has no role"):
            participation.register(state, AID, entry, CTX, {"t1": TEACHER})


@pytest.mark.parametrize("kind", REFLECTING)
def test_a_reflection_must_reach_the_configured_length(kind):
    state = state_in(Status.HELD, kind)
    minimum = CONFIG.reflection_minimum(kind)
    assert minimum == 1000
    ok = participation.submit_material(state, _material("reflection", "字" * minimum), CTX)
    assert ok[0].reflection_chars == minimum  # type: ignore[attr-defined]
    with pytest.raises(RuleBroken, match=f"at least {minimum}"):
        participation.submit_material(state, _material("reflection", "字" * (minimum - 1)), CTX)


def test_a_county_can_lower_the_reflection_minimum():
    lenient = replace(CTX, config=load_county("510781", extra={"reflection_min_chars": 10}))
    state = state_in(Status.HELD)
    assert participation.submit_material(state, _material("reflection", "字" * 10), lenient)


@pytest.mark.parametrize("kind", sorted(CONFIG.kinds))
def test_only_checklist_items_are_accepted(kind):
    state = state_in(Status.HELD, kind)
    with pytest.raises(RuleBroken, match="not on the checklist"):
        participation.submit_material(state, _material("holiday_photos"), CTX)


def test_the_checklist_shows_what_is_missing_until_it_is_submitted():
    state = state_in(Status.HELD, "class_observation")
    spec = CONFIG.kinds["class_observation"]
    assert records.missing_items(state, spec, None) == [
        "sign_in_sheet",
        "photos",
        "evaluation_record",
    ]
    state = fold(
        participation.submit_material(state, _material("photos", teacher=None), CTX), state
    )
    assert "photos" not in records.missing_items(state, spec, None)
    attendee = state.participants["t1"]
    assert records.missing_items(state, spec, attendee) == ["observation_notes"]


def test_sign_in_closes_after_the_countys_grace_period():
    state = state_in(Status.HELD)
    grace = CONFIG.sign_in_grace_days
    entry = [v1.SignInEntry(teacher_id="t1", signed_in_at=time(14))]
    last = replace(CTX, now=CTX.now.replace(day=15) + timedelta(days=grace))
    assert participation.sign_in(state, AID, entry, last)
    with pytest.raises(RuleBroken, match="closed"):
        participation.sign_in(state, AID, entry, replace(last, now=last.now + timedelta(days=1)))


def test_only_registered_teachers_sign_in():
    state = state_in(Status.HELD)
    with pytest.raises(RuleBroken, match="not registered"):
        participation.sign_in(state, AID, [v1.SignInEntry(teacher_id="t9")], CTX)


def test_an_activity_is_not_held_before_its_day():
    state = state_in(Status.APPROVED)
    early = fold(lifecycle.schedule(state, schedule_cmd(), CTX, None), state)
    before = replace(CTX, now=CTX.now - timedelta(days=2))
    with pytest.raises(RuleBroken, match="cannot be held before"):
        lifecycle.mark_held(early, v1.MarkActivityHeld(activity_id=AID), before)


def test_a_kind_that_is_not_assessed_refuses_assessment():
    state = state_in(Status.HELD, "class_observation")
    cmd = v1.AssessParticipant(
        activity_id=AID, teacher_id="t1", result=v1.Result.PASSED, assessor="x"
    )
    with pytest.raises(RuleBroken, match="not assessed"):
        records.assess_and_record(state, cmd, CTX, {})


def test_assessing_after_closing_writes_a_revision_of_the_participation():
    state = state_in(Status.CLOSED)
    cmd = v1.AssessParticipant(
        activity_id=AID, teacher_id="t1", result=v1.Result.EXCELLENT, assessor="x"
    )
    events = records.assess_and_record(state, cmd, CTX, {})
    record = events[1].record  # type: ignore[attr-defined]
    assert (record.revision, record.result) == (2, v1.Result.EXCELLENT)


SCHEDULE = schedule_cmd()


@pytest.mark.parametrize(
    ("came", "left", "status", "minutes"),
    [
        (time(13, 50), None, v1.AttendanceStatus.PRESENT, 120),
        (time(14, 10), None, v1.AttendanceStatus.PRESENT, 110),
        (time(14, 11), None, v1.AttendanceStatus.LATE, 109),
        (time(14, 0), time(15, 30), v1.AttendanceStatus.LEFT_EARLY, 90),
        (time(14, 30), time(15, 0), v1.AttendanceStatus.LATE_AND_LEFT_EARLY, 30),
        (None, None, v1.AttendanceStatus.ABSENT, 0),
    ],
)
def test_attended_minutes_and_status_follow_the_county_tolerance(came, left, status, minutes):
    assert CONFIG.late_tolerance_minutes == 10
    assert attendance(SCHEDULE, came, left, CONFIG.late_tolerance_minutes) == (status, minutes)


def test_school_based_training_takes_the_countys_theme_of_its_month():
    config = load_county("510781")
    ctx = replace(CTX, config=config)
    cmd = v1.RequestActivity(
        activity_id=AID,
        activity_kind="school_based_training",
        title="研修",
        school_id="s1",
        proposed_on=date(2026, 4, 10),
        requested_by="教导处",
    )
    assert lifecycle.request(state_in(Status.NEW), cmd, ctx)[0].theme == config.monthly_themes[4]  # type: ignore[attr-defined]
    other = cmd.model_copy(update={"activity_kind": "lecture"})
    assert lifecycle.request(state_in(Status.NEW), other, ctx)[0].theme is None  # type: ignore[attr-defined]


ON_LEAVE = replace(TEACHER, status="on_leave", since=date(2025, 10, 1), detail="maternity")
RETIRED = replace(TEACHER, status="retired", since=date(2025, 10, 1))


@pytest.mark.parametrize(
    ("teacher", "said"),
    [(ON_LEAVE, "on maternity leave since 2025-10-01"), (RETIRED, "retired since 2025-10-01")],
    ids=["on-leave", "retired"],
)
def test_a_teacher_on_leave_or_retired_is_neither_registered_nor_signed_in(teacher, said):
    entry = [v1.ParticipantEntry(teacher_id="t1", role=v1.ParticipantRole.ATTENDEE)]
    with pytest.raises(RuleBroken, match=said) as refused:
        participation.register(state_in(Status.APPROVED), AID, entry, CTX, {"t1": teacher})
    assert (refused.value.rule, refused.value.field) == ("TeacherAvailable", "teacher_id")
    held = state_in(Status.HELD)
    came = [v1.SignInEntry(teacher_id="t1", signed_in_at=time(14))]
    with pytest.raises(RuleBroken, match=said):
        participation.sign_in(held, AID, came, CTX, {"t1": teacher})
    absent = [v1.SignInEntry(teacher_id="t1")]
    assert participation.sign_in(held, AID, absent, CTX, {"t1": teacher})


def test_an_external_training_of_a_retired_teacher_is_refused_but_not_one_on_study_leave():
    from tests.unit.activities.builders import DECISIONS

    cmd_state = state_in(Status.NEW)
    assert DECISIONS["RecordExternalTraining"](cmd_state)
    external = records.record_external
    cmd = v1.RecordExternalTraining(
        activity_id=AID,
        import_batch="b",
        row_number=2,
        activity_kind="external_training_province",
        title="省培",
        provider="省厅",
        teacher_id="t1",
        held_on=date(2025, 10, 15),
        minutes=600,
        result=v1.Result.PASSED,
    )
    studying = replace(ON_LEAVE, detail="study")
    assert external(cmd_state, cmd, CTX, studying)
    with pytest.raises(RuleBroken, match="retired"):
        external(cmd_state, cmd, CTX, RETIRED)


DAY0 = date(2025, 10, 1)
COMMUNITY = CommunityFact("c1", formed_on=date(2020, 9, 1))
DISSOLVED = replace(COMMUNITY, dissolved_on=date(2025, 10, 10))


def _community_request(day: date) -> v1.RequestActivity:
    return v1.RequestActivity(
        activity_id=AID,
        activity_kind="lesson_delivery",
        title="送教",
        community_id="c1",
        proposed_on=day,
        requested_by="教研室",
    )


@pytest.mark.parametrize(
    ("community", "day", "refusal"),
    [
        (COMMUNITY, date(2025, 10, 15), None),
        (DISSOLVED, date(2025, 10, 9), None),  # before its dissolution
        (DISSOLVED, date(2025, 10, 10), "was dissolved on 2025-10-10"),
        (replace(COMMUNITY, formed_on=date(2026, 1, 1)), date(2025, 10, 15), "formed only on"),
        (None, date(2025, 10, 15), "knows no community c1"),
    ],
    ids=["active", "before-dissolution", "dissolved", "not-yet-formed", "unknown"],
)
def test_only_a_community_in_existence_on_the_date_requests_an_activity(community, day, refusal):
    cmd = _community_request(day)
    if refusal is None:
        assert lifecycle.request(state_in(Status.NEW), cmd, CTX, community)
        return
    with pytest.raises((RuleBroken, NotFound), match=refusal):
        lifecycle.request(state_in(Status.NEW), cmd, CTX, community)


def test_a_community_dissolved_before_the_scheduled_day_cannot_hold_it():
    state = fold(lifecycle.request(state_in(Status.NEW), _community_request(DAY0), CTX, COMMUNITY))
    state = fold(
        lifecycle.review(
            state,
            v1.ReviewActivityPlan(activity_id=AID, outcome=v1.PlanOutcome.APPROVED, reviewer="x"),
            CTX,
        ),
        state,
    )
    late = schedule_cmd(held_on=date(2025, 10, 20))
    with pytest.raises(RuleBroken, match="dissolved") as refused:
        lifecycle.schedule(state, late, CTX, "c1", DISSOLVED)
    assert refused.value.rule == "ActiveCommunity"
    assert lifecycle.schedule(state, schedule_cmd(held_on=DAY0), CTX, "c1", DISSOLVED)


def test_a_participation_says_whether_the_teacher_belonged_to_the_activitys_community():
    state = state_in(Status.HELD, "lesson_delivery")
    state = replace(state, community_id="c1")
    member = replace(TEACHER, communities=frozenset({"c1"}))
    events = records.close(state, v1.CloseActivity(activity_id=AID), CTX, {"t1": member})
    assert events[1].record.community_member is True  # type: ignore[attr-defined]
    outsider = replace(TEACHER, communities=frozenset({"c2"}))
    guest = records.close(state, v1.CloseActivity(activity_id=AID), CTX, {"t1": outsider})
    assert guest[1].record.community_member is False  # type: ignore[attr-defined]
    unknown = records.close(state, v1.CloseActivity(activity_id=AID), CTX, {})
    assert unknown[1].record.community_member is None  # type: ignore[attr-defined]
    alone = records.close(
        replace(state, community_id=None), v1.CloseActivity(activity_id=AID), CTX, {}
    )
    assert alone[1].record.community_member is None  # type: ignore[attr-defined]
