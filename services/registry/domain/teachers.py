"""The teacher aggregate (教师), one record per county that has held the teacher.

A transfer inside the county changes the school; a transfer to another county ends this
county's record (``TeacherTransferred``) and starts one there (``TeacherTransferredIn``),
dropping the county's roles unless they are kept explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from contracts import Contract
from contracts.registry.v1 import (
    SchoolStage,
    TeacherDetailsChanged,
    TeacherLeaveEnded,
    TeacherLeaveStarted,
    TeacherRegistered,
    TeacherRetired,
    TeacherRole,
    TeacherRoleGranted,
    TeacherRoleRevoked,
    TeacherTitle,
    TeacherTransferred,
    TeacherTransferredIn,
)

__all__ = ["NEW_TEACHER_YEARS", "TeacherState", "TeacherStatus", "evolve_teacher", "is_new_teacher"]

NEW_TEACHER_YEARS = 3


class TeacherStatus(StrEnum):
    """A teacher's working status: 在岗 active, 休假 on leave, 退休 retired."""

    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    RETIRED = "retired"


def is_new_teacher(hire_date: date, on: date) -> bool:
    """A new teacher (新教师) is in the first three years after the hire date."""
    try:
        ends = hire_date.replace(year=hire_date.year + NEW_TEACHER_YEARS)
    except ValueError:  # 29 February
        ends = date(hire_date.year + NEW_TEACHER_YEARS, 3, 1)
    return hire_date <= on < ends


@dataclass(frozen=True)
class TeacherState:
    """One county's record of a teacher; ``here`` is false once the teacher moved away."""

    registered: bool = False
    here: bool = False
    county: str = ""
    teacher_id: str = ""
    teacher_name: str = ""
    school_id: str = ""
    stage: SchoolStage | None = None
    subjects: tuple[str, ...] = ()
    title: TeacherTitle | None = None
    hire_date: date | None = None
    roles: frozenset[TeacherRole] = frozenset()
    status: TeacherStatus = TeacherStatus.ACTIVE
    arrived_on: date = date.min
    since: date = date.min
    leave_started_on: date | None = None
    moved_to: str | None = None


def _arrived(event: TeacherRegistered | TeacherTransferredIn) -> TeacherState:
    return TeacherState(
        registered=True,
        here=True,
        county=event.county_code,
        teacher_id=event.teacher_id,
        teacher_name=event.teacher_name,
        school_id=event.school_id,
        stage=event.stage,
        subjects=tuple(event.subjects),
        title=event.title,
        hire_date=event.hire_date,
        roles=frozenset(event.roles),
        arrived_on=event.effective_on,
        since=event.effective_on,
    )


def _changed(state: TeacherState, event: TeacherDetailsChanged) -> TeacherState:
    changes: dict[str, Any] = {
        key: getattr(event, key)
        for key in ("teacher_name", "stage", "title", "hire_date")
        if getattr(event, key) is not None
    }
    if event.subjects is not None:
        changes["subjects"] = tuple(event.subjects)
    return replace(state, **changes)


def _moved(state: TeacherState, event: TeacherTransferred) -> TeacherState:
    if event.to_county != state.county:
        return replace(
            state,
            here=False,
            moved_to=event.to_county,
            since=event.effective_on,
            roles=state.roles - set(event.roles_ended),
        )
    return replace(state, school_id=event.to_school_id, since=event.effective_on)


def evolve_teacher(state: TeacherState, event: Contract) -> TeacherState:
    """The teacher's record after ``event``."""
    if isinstance(event, TeacherRegistered | TeacherTransferredIn):
        return _arrived(event)
    if isinstance(event, TeacherDetailsChanged):
        return _changed(state, event)
    if isinstance(event, TeacherRoleGranted):
        return replace(state, roles=state.roles | {event.role})
    if isinstance(event, TeacherRoleRevoked):
        return replace(state, roles=state.roles - {event.role})
    if isinstance(event, TeacherTransferred):
        return _moved(state, event)
    if isinstance(event, TeacherLeaveStarted):
        return replace(state, status=TeacherStatus.ON_LEAVE, leave_started_on=event.effective_on)
    if isinstance(event, TeacherLeaveEnded):
        return replace(state, status=TeacherStatus.ACTIVE, leave_started_on=None)
    if isinstance(event, TeacherRetired):
        return replace(state, status=TeacherStatus.RETIRED)
    return state
