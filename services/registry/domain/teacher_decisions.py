"""Decisions on the teacher aggregate: each takes the state, the command and the facts it
needs (the school's state, today's date) and returns the events to record."""

from __future__ import annotations

from datetime import date

from contracts.registry.v1 import (
    ChangeTeacherDetails,
    EndTeacherLeave,
    GrantTeacherRole,
    RegisterTeacher,
    RetireTeacher,
    RevokeTeacherRole,
    StartTeacherLeave,
    TeacherDetailsChanged,
    TeacherLeaveEnded,
    TeacherLeaveStarted,
    TeacherRegistered,
    TeacherRetired,
    TeacherRoleGranted,
    TeacherRoleRevoked,
    TeacherTransferred,
    TeacherTransferredIn,
    TransferTeacher,
)
from services.registry.domain.rules import (
    EffectiveDateWithinReach,
    NotBefore,
    check,
    must_exist,
)
from services.registry.domain.schools import SchoolState
from services.registry.domain.teacher_rules import (
    HiredBeforeAssignment,
    LeaveEndsAfterItStarts,
    MovementsMoveForward,
    MoveToAnotherSchool,
    NotInCountyYet,
    NotOnLeave,
    NotRetired,
    OnLeave,
    RoleHeld,
    RoleNotHeld,
    SchoolOpenOn,
    TeacherIsHere,
    TeacherRegisteredOnce,
)
from services.registry.domain.teachers import TeacherState

__all__ = [
    "decide_arrival",
    "decide_change_teacher",
    "decide_end_leave",
    "decide_grant_role",
    "decide_register_teacher",
    "decide_retire",
    "decide_revoke_role",
    "decide_start_leave",
    "decide_transfer",
]

_DETAILS = ("teacher_name", "stage", "title", "hire_date")


def _current(state: TeacherState, teacher_id: str, effective_on: date, today: date) -> None:
    """The checks every change to an existing record passes."""
    must_exist(state.registered, f"teacher {teacher_id}", "teacher_id")
    check(
        TeacherIsHere(state),
        NotRetired(state),
        NotBefore(effective_on, state.arrived_on, "the teacher's arrival in the county"),
        EffectiveDateWithinReach(effective_on, today),
    )


def _same_registration(state: TeacherState, cmd: RegisterTeacher) -> bool:
    profile = (state.teacher_name, state.school_id, state.stage, state.subjects, state.title)
    asked = (cmd.teacher_name, cmd.school_id, cmd.stage, tuple(cmd.subjects), cmd.title)
    return profile == asked and (state.hire_date, state.roles) == (cmd.hire_date, set(cmd.roles))


def decide_register_teacher(
    state: TeacherState, cmd: RegisterTeacher, county: str, school: SchoolState, today: date
) -> list[TeacherRegistered]:
    """Register a teacher at an open school of ``county``; the same again writes nothing."""
    if state.registered and state.here and _same_registration(state, cmd):
        return []
    check(
        TeacherIsHere(state),
        TeacherRegisteredOnce(state),
        SchoolOpenOn(school, county, cmd.school_id, cmd.effective_on),
        HiredBeforeAssignment(cmd.hire_date, cmd.effective_on),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [TeacherRegistered(county_code=county, **cmd.model_dump())]


def decide_change_teacher(
    state: TeacherState, cmd: ChangeTeacherDetails, today: date
) -> list[TeacherDetailsChanged]:
    """Record the details that differ from the record."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    changes: dict[str, object] = {
        key: getattr(cmd, key)
        for key in _DETAILS
        if getattr(cmd, key) is not None and getattr(cmd, key) != getattr(state, key)
    }
    if cmd.subjects is not None and tuple(cmd.subjects) != state.subjects:
        changes["subjects"] = cmd.subjects
    if not changes:
        return []
    return [
        TeacherDetailsChanged(
            county_code=state.county,
            teacher_id=cmd.teacher_id,
            effective_on=cmd.effective_on,
            **changes,
        )
    ]


def decide_grant_role(
    state: TeacherState, cmd: GrantTeacherRole, today: date
) -> list[TeacherRoleGranted]:
    """Confer a role the teacher does not hold."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    check(RoleNotHeld(state, cmd.role))
    return [TeacherRoleGranted(county_code=state.county, **cmd.model_dump())]


def decide_revoke_role(
    state: TeacherState, cmd: RevokeTeacherRole, today: date
) -> list[TeacherRoleRevoked]:
    """End a role the teacher holds."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    check(RoleHeld(state, cmd.role))
    return [TeacherRoleRevoked(county_code=state.county, **cmd.model_dump())]


def decide_transfer(
    state: TeacherState, cmd: TransferTeacher, destination: SchoolState, today: date
) -> list[TeacherTransferred]:
    """Move a teacher to an open school; across counties the roles end unless kept."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    check(
        MoveToAnotherSchool(state, cmd.to_county, cmd.to_school_id),
        MovementsMoveForward(state, cmd.effective_on),
        SchoolOpenOn(destination, cmd.to_county, cmd.to_school_id, cmd.effective_on),
    )
    leaves_county = cmd.to_county != state.county
    ended = sorted(state.roles) if leaves_county and not cmd.keep_roles else []
    return [
        TeacherTransferred(
            county_code=state.county,
            from_school_id=state.school_id,
            roles_ended=ended,
            **cmd.model_dump(),
        )
    ]


def decide_arrival(
    state: TeacherState, origin: TeacherState, moved: TeacherTransferred
) -> list[TeacherTransferredIn]:
    """Open the destination county's record of a teacher who moved there (idempotent)."""
    if state.here and state.since == moved.effective_on and state.school_id == moved.to_school_id:
        return []
    check(NotInCountyYet(state))
    assert origin.stage is not None and origin.title is not None and origin.hire_date
    return [
        TeacherTransferredIn(
            county_code=moved.to_county,
            teacher_id=moved.teacher_id,
            teacher_name=origin.teacher_name,
            school_id=moved.to_school_id,
            stage=origin.stage,
            subjects=list(origin.subjects),
            title=origin.title,
            hire_date=origin.hire_date,
            roles=sorted(origin.roles),
            from_county=moved.county_code,
            from_school_id=moved.from_school_id,
            movement=moved.movement,
            effective_on=moved.effective_on,
        )
    ]


def decide_start_leave(
    state: TeacherState, cmd: StartTeacherLeave, today: date
) -> list[TeacherLeaveStarted]:
    """Put a teacher who is at work on leave."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    check(NotOnLeave(state))
    return [TeacherLeaveStarted(county_code=state.county, **cmd.model_dump())]


def decide_end_leave(
    state: TeacherState, cmd: EndTeacherLeave, today: date
) -> list[TeacherLeaveEnded]:
    """Bring a teacher back from leave."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    check(OnLeave(state), LeaveEndsAfterItStarts(state, cmd.effective_on))
    return [TeacherLeaveEnded(county_code=state.county, **cmd.model_dump())]


def decide_retire(state: TeacherState, cmd: RetireTeacher, today: date) -> list[TeacherRetired]:
    """Record a retirement; nothing changes the record afterwards."""
    _current(state, cmd.teacher_id, cmd.effective_on, today)
    return [TeacherRetired(county_code=state.county, **cmd.model_dump())]
