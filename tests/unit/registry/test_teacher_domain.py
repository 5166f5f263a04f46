"""Teachers: registration, changes, roles, leave, retirement, transfers (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.registry import v1
from contracts.replies import NotFound, RuleBroken
from services.registry.domain import teacher_decisions as t
from services.registry.domain.teachers import TeacherState, evolve_teacher, is_new_teacher
from tests.unit.registry.builders import HOME, OTHER, TODAY, register_teacher, school, teacher

MOVE = date(2024, 9, 1)


def _transfer(**changes) -> v1.TransferTeacher:
    values = {"teacher_id": "T1", "to_county": HOME, "to_school_id": "S2", "effective_on": MOVE}
    return v1.TransferTeacher(**(values | changes))


@pytest.mark.parametrize(
    ("state", "command", "school_state", "rule"),
    [
        (teacher(), register_teacher(teacher_name="李四"), school(), "TeacherRegisteredOnce"),
        (TeacherState(), register_teacher(), school(closed_on=date(2016, 7, 1)), "SchoolOpenOn"),
        (TeacherState(), register_teacher(), school(county=OTHER), "SchoolOpenOn"),
        (TeacherState(), register_teacher(), school(effective_on=date(2017, 1, 1)), "SchoolOpenOn"),
        (
            TeacherState(),
            register_teacher(hire_date=date(2017, 1, 1)),
            school(),
            "HiredBeforeAssignment",
        ),
        (
            TeacherState(),
            register_teacher(effective_on=date(2027, 1, 1), hire_date=date(2027, 1, 1)),
            school(),
            "EffectiveDateWithinReach",
        ),
    ],
    ids=[
        "registered",
        "school-closed",
        "school-of-another-county",
        "school-not-yet-open",
        "hired-later",
        "years-ahead",
    ],
)
def test_registration_is_refused_by_its_rules(state, command, school_state, rule):
    with pytest.raises(RuleBroken) as refused:
        t.decide_register_teacher(state, command, HOME, school_state, TODAY)
    assert refused.value.rule == rule


def test_registering_the_same_teacher_again_writes_nothing():
    assert t.decide_register_teacher(teacher(), register_teacher(), HOME, school(), TODAY) == []


def _moved_out(keep: bool = False) -> TeacherState:
    [moved] = t.decide_transfer(
        teacher(), _transfer(to_county=OTHER, keep_roles=keep), school("S2", OTHER), TODAY
    )
    return evolve_teacher(teacher(), moved)


@pytest.mark.parametrize(
    ("state", "command", "destination", "rule"),
    [
        (teacher(), _transfer(to_school_id="S1"), school("S1"), "MoveToAnotherSchool"),
        (teacher(), _transfer(effective_on=date(2016, 9, 1)), school("S2"), "MovementsMoveForward"),
        (teacher(), _transfer(), school("S2", closed_on=date(2024, 7, 1)), "SchoolOpenOn"),
        (teacher(), _transfer(to_county=OTHER), school("S2", HOME), "SchoolOpenOn"),
        (_moved_out(), _transfer(effective_on=date(2025, 1, 1)), school("S2"), "TeacherIsHere"),
        (
            teacher(
                v1.TeacherRetired(county_code=HOME, teacher_id="T1", effective_on=date(2024, 8, 1))
            ),
            _transfer(),
            school("S2"),
            "NotRetired",
        ),
    ],
    ids=[
        "same-school",
        "before-current-assignment",
        "destination-closed",
        "destination-not-in-county",
        "moved-away",
        "retired",
    ],
)
def test_transfers_are_refused_by_their_rules(state, command, destination, rule):
    with pytest.raises(RuleBroken) as refused:
        t.decide_transfer(state, command, destination, TODAY)
    assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("to_county", "keep", "ended"),
    [(HOME, False, []), (OTHER, False, [v1.TeacherRole.BACKBONE_TEACHER]), (OTHER, True, [])],
    ids=["inside-the-county", "to-another-county", "to-another-county-keeping-roles"],
)
def test_county_roles_end_only_when_leaving_the_county_without_keeping_them(to_county, keep, ended):
    command = _transfer(to_county=to_county, keep_roles=keep)
    [moved] = t.decide_transfer(teacher(), command, school("S2", to_county), TODAY)
    assert moved.roles_ended == ended
    assert moved.from_school_id == "S1"


@pytest.mark.parametrize("keep", [False, True], ids=["roles-ended", "roles-kept"])
def test_arrival_opens_the_new_countys_record_with_the_kept_roles_once(keep):
    origin = _moved_out(keep)
    [moved] = t.decide_transfer(
        teacher(), _transfer(to_county=OTHER, keep_roles=keep), school("S2", OTHER), TODAY
    )
    [arrived] = t.decide_arrival(TeacherState(), origin, moved)
    assert (arrived.county_code, arrived.school_id, arrived.from_county) == (OTHER, "S2", HOME)
    assert arrived.roles == ([v1.TeacherRole.BACKBONE_TEACHER] if keep else [])
    there = evolve_teacher(TeacherState(), arrived)
    assert t.decide_arrival(there, origin, moved) == []


def test_a_record_opened_elsewhere_cannot_arrive_twice():
    there = teacher(county=OTHER, school_id="S9")
    [moved] = t.decide_transfer(teacher(), _transfer(to_county=OTHER), school("S2", OTHER), TODAY)
    with pytest.raises(RuleBroken) as refused:
        t.decide_arrival(there, _moved_out(), moved)
    assert refused.value.rule == "NotInCountyYet"


LEAVE = v1.TeacherLeaveStarted(
    county_code=HOME, teacher_id="T1", leave_kind="maternity", effective_on=date(2024, 3, 1)
)


@pytest.mark.parametrize(
    ("state", "decide", "command", "rule"),
    [
        (
            teacher(LEAVE),
            t.decide_start_leave,
            v1.StartTeacherLeave(teacher_id="T1", leave_kind="sick", effective_on=date(2024, 4, 1)),
            "NotOnLeave",
        ),
        (
            teacher(),
            t.decide_end_leave,
            v1.EndTeacherLeave(teacher_id="T1", effective_on=date(2024, 4, 1)),
            "OnLeave",
        ),
        (
            teacher(LEAVE),
            t.decide_end_leave,
            v1.EndTeacherLeave(teacher_id="T1", effective_on=date(2024, 2, 1)),
            "LeaveEndsAfterItStarts",
        ),
        (
            teacher(),
            t.decide_grant_role,
            v1.GrantTeacherRole(
                teacher_id="T1", role="backbone_teacher", effective_on=date(2020, 1, 1)
            ),
            "RoleNotHeld",
        ),
        (
            teacher(),
            t.decide_revoke_role,
            v1.RevokeTeacherRole(
                teacher_id="T1", role="master_teacher", effective_on=date(2020, 1, 1)
            ),
            "RoleHeld",
        ),
        (
            teacher(),
            t.decide_grant_role,
            v1.GrantTeacherRole(
                teacher_id="T1", role="master_teacher", effective_on=date(2015, 1, 1)
            ),
            "NotBefore",
        ),
        (
            teacher(
                v1.TeacherRetired(county_code=HOME, teacher_id="T1", effective_on=date(2024, 8, 1))
            ),
            t.decide_retire,
            v1.RetireTeacher(teacher_id="T1", effective_on=date(2024, 9, 1)),
            "NotRetired",
        ),
        (
            _moved_out(),
            t.decide_start_leave,
            v1.StartTeacherLeave(
                teacher_id="T1", leave_kind="sick", effective_on=date(2024, 10, 1)
            ),
            "TeacherIsHere",
        ),
    ],
    ids=[
        "leave-twice",
        "end-without-leave",
        "end-before-start",
        "grant-held",
        "revoke-unheld",
        "before-arrival",
        "retire-twice",
        "moved-away",
    ],
)
def test_changes_to_a_teacher_are_refused_by_their_rules(state, decide, command, rule):
    with pytest.raises(RuleBroken) as refused:
        decide(state, command, TODAY)
    assert refused.value.rule == rule


def test_changes_to_an_unknown_teacher_are_not_found():
    with pytest.raises(NotFound):
        t.decide_retire(
            TeacherState(), v1.RetireTeacher(teacher_id="T9", effective_on=TODAY), TODAY
        )


def test_a_detail_change_records_only_what_differs_and_nothing_when_nothing_does():
    same = v1.ChangeTeacherDetails(
        teacher_id="T1", teacher_name="张三", effective_on=date(2020, 1, 1)
    )
    assert t.decide_change_teacher(teacher(), same, TODAY) == []
    new = v1.ChangeTeacherDetails(
        teacher_id="T1", teacher_name="张三", title="senior", effective_on=date(2020, 1, 1)
    )
    [event] = t.decide_change_teacher(teacher(), new, TODAY)
    assert (event.teacher_name, event.title) == (None, v1.TeacherTitle.SENIOR)


@pytest.mark.parametrize(
    ("hired", "on", "new"),
    [
        (date(2022, 9, 1), date(2022, 8, 31), False),
        (date(2022, 9, 1), date(2022, 9, 1), True),
        (date(2022, 9, 1), date(2025, 8, 31), True),
        (date(2022, 9, 1), date(2025, 9, 1), False),
        (date(2020, 2, 29), date(2023, 2, 28), True),
        (date(2020, 2, 29), date(2023, 3, 1), False),
    ],
)
def test_a_teacher_is_new_for_three_years_after_the_hire_date(hired, on, new):
    assert is_new_teacher(hired, on) is new
