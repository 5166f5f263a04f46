"""Teachers (教师): v1 events and commands.

Import them from :mod:`contracts.registry.v1`. A teacher's events are written in the county
that holds the teacher's record; a move to another county writes ``TeacherTransferred`` in
the old county and ``TeacherTransferredIn`` in the new one. Contact data is never here
(see :mod:`contracts.registry.internal`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from contracts.base import Command, Event
from contracts.registry._v1_values import (
    CountyCode,
    EntityId,
    LeaveKind,
    MovementKind,
    PersonName,
    SchoolStage,
    TeacherRole,
    TeacherTitle,
)

__all__ = [
    "ChangeTeacherDetails",
    "EndTeacherLeave",
    "GrantTeacherRole",
    "RegisterTeacher",
    "RetireTeacher",
    "RevokeTeacherRole",
    "StartTeacherLeave",
    "TeacherDetailsChanged",
    "TeacherLeaveEnded",
    "TeacherLeaveStarted",
    "TeacherRegistered",
    "TeacherRetired",
    "TeacherRoleGranted",
    "TeacherRoleRevoked",
    "TeacherTransferred",
    "TeacherTransferredIn",
    "TransferTeacher",
]

_EFFECTIVE = "The date the change takes effect (may be earlier than the day it was recorded)"

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]


class _Teacher(BaseModel):
    teacher_id: EntityId = Field(description="Opaque id of the teacher, unique in the province")


class _InCounty(_Teacher):
    county_code: CountyCode = Field(description="The county holding the teacher's record")


class _Profile(BaseModel):
    teacher_name: PersonName = Field(description="The teacher's name")
    school_id: EntityId = Field(description="The school the teacher is assigned to")
    stage: SchoolStage = Field(description="The stage the teacher teaches (学段)")
    subjects: list[Subject] = Field(
        min_length=1, max_length=10, description="Subjects taught, e.g. ['语文'] (open list)"
    )
    title: TeacherTitle = Field(description="Professional title (职称)")
    hire_date: date = Field(
        description="First day of service; a teacher is new (新教师) for 3 years after it"
    )
    roles: list[TeacherRole] = Field(
        default_factory=list, description="Roles conferred by the county, at registration"
    )


class _DetailChanges(BaseModel):
    teacher_name: PersonName | None = Field(default=None, description="New name; null: unchanged")
    stage: SchoolStage | None = Field(default=None, description="New stage; null: unchanged")
    subjects: list[Subject] | None = Field(
        default=None, min_length=1, max_length=10, description="New subjects; null: unchanged"
    )
    title: TeacherTitle | None = Field(default=None, description="New title; null: unchanged")
    hire_date: date | None = Field(default=None, description="Corrected hire date; null: unchanged")
    effective_on: date = Field(description=_EFFECTIVE)


class _Leave(BaseModel):
    leave_kind: LeaveKind = Field(description="Kind of leave")
    effective_on: date = Field(description="First day of the leave")
    expected_end_on: date | None = Field(
        default=None, description="Expected first day back at work, if known"
    )


class _Role(BaseModel):
    role: TeacherRole = Field(description="The role")
    effective_on: date = Field(description=_EFFECTIVE)


# -- events ----------------------------------------------------------------------------


class TeacherRegistered(
    Event,
    _InCounty,
    _Profile,
    context="registry",
    name="TeacherRegistered",
    version=1,
    aggregate="teacher",
):
    """A teacher was entered in the county's registry, at a school."""

    effective_on: date = Field(description="The date from which the teacher is at the school")


class TeacherDetailsChanged(
    Event,
    _InCounty,
    _DetailChanges,
    context="registry",
    name="TeacherDetailsChanged",
    version=1,
    aggregate="teacher",
):
    """Some of a teacher's details changed; the others (null) did not."""


class TeacherRoleGranted(
    Event,
    _InCounty,
    _Role,
    context="registry",
    name="TeacherRoleGranted",
    version=1,
    aggregate="teacher",
):
    """The county conferred a role on a teacher (e.g. 骨干教师)."""


class TeacherRoleRevoked(
    Event,
    _InCounty,
    _Role,
    context="registry",
    name="TeacherRoleRevoked",
    version=1,
    aggregate="teacher",
):
    """A teacher no longer holds a role."""


class TeacherTransferred(
    Event,
    _InCounty,
    context="registry",
    name="TeacherTransferred",
    version=1,
    aggregate="teacher",
):
    """A teacher moved to another school (调动 or 轮岗交流), possibly in another county.

    Written in the county the teacher leaves; when ``to_county`` differs, the destination
    county records ``TeacherTransferredIn`` and this county's record ends here.
    """

    movement: MovementKind = Field(description="Transfer or rotation")
    from_school_id: EntityId = Field(description="The school the teacher leaves")
    to_county: CountyCode = Field(description="The county of the new school")
    to_school_id: EntityId = Field(description="The new school")
    effective_on: date = Field(description="First day at the new school")
    planned_return_on: date | None = Field(
        default=None, description="For a rotation: the planned first day back, if set"
    )
    keep_roles: bool = Field(description="Whether county roles are kept across counties")
    roles_ended: list[TeacherRole] = Field(
        default_factory=list, description="Roles the teacher lost by leaving the county"
    )


class TeacherTransferredIn(
    Event,
    _InCounty,
    _Profile,
    context="registry",
    name="TeacherTransferredIn",
    version=1,
    aggregate="teacher",
):
    """A teacher from another county arrived at one of this county's schools.

    Carries the teacher's profile, so this county's record starts complete; ``roles`` are
    the roles the teacher kept.
    """

    from_county: CountyCode = Field(description="The county the teacher comes from")
    from_school_id: EntityId = Field(description="The school the teacher leaves")
    movement: MovementKind = Field(description="Transfer or rotation")
    effective_on: date = Field(description="First day at the new school")


class TeacherLeaveStarted(
    Event,
    _InCounty,
    _Leave,
    context="registry",
    name="TeacherLeaveStarted",
    version=1,
    aggregate="teacher",
):
    """A teacher went on leave (no hour targets are due while on leave, by local rules)."""


class TeacherLeaveEnded(
    Event,
    _InCounty,
    context="registry",
    name="TeacherLeaveEnded",
    version=1,
    aggregate="teacher",
):
    """A teacher came back from leave."""

    effective_on: date = Field(description="First day back at work")


class TeacherRetired(
    Event, _InCounty, context="registry", name="TeacherRetired", version=1, aggregate="teacher"
):
    """A teacher retired (退休); the record accepts no further changes."""

    effective_on: date = Field(description="First day of retirement")


# -- commands --------------------------------------------------------------------------


class RegisterTeacher(
    Command, _Teacher, _Profile, context="registry", name="RegisterTeacher", version=1
):
    """Enter a teacher at a school of the county the command is sent to."""

    effective_on: date = Field(description="The date from which the teacher is at the school")


class ChangeTeacherDetails(
    Command, _Teacher, _DetailChanges, context="registry", name="ChangeTeacherDetails", version=1
):
    """Change some of a teacher's details (name, stage, subjects, title, hire date)."""


class GrantTeacherRole(
    Command, _Teacher, _Role, context="registry", name="GrantTeacherRole", version=1
):
    """Confer a role on a teacher."""


class RevokeTeacherRole(
    Command, _Teacher, _Role, context="registry", name="RevokeTeacherRole", version=1
):
    """End a role a teacher holds."""


class TransferTeacher(Command, _Teacher, context="registry", name="TransferTeacher", version=1):
    """Move a teacher to another school, in this county or another (sent to the old county).

    Across counties the teacher loses the county's roles and leaves its studios and groups
    on ``effective_on``, unless ``keep_roles`` is set.
    """

    movement: MovementKind = Field(
        default=MovementKind.TRANSFER, description="Transfer or rotation"
    )
    to_county: CountyCode = Field(description="The county of the new school")
    to_school_id: EntityId = Field(description="The new school")
    effective_on: date = Field(description="First day at the new school")
    planned_return_on: date | None = Field(
        default=None, description="For a rotation: the planned first day back, if set"
    )
    keep_roles: bool = Field(
        default=False, description="Keep county roles and memberships across counties"
    )

    @model_validator(mode="after")
    def _return_after_start(self) -> TransferTeacher:
        if self.planned_return_on is not None and self.planned_return_on <= self.effective_on:
            raise ValueError("planned_return_on must be after effective_on")
        return self


class StartTeacherLeave(
    Command, _Teacher, _Leave, context="registry", name="StartTeacherLeave", version=1
):
    """Put a teacher on leave."""

    @model_validator(mode="after")
    def _end_after_start(self) -> StartTeacherLeave:
        if self.expected_end_on is not None and self.expected_end_on <= self.effective_on:
            raise ValueError("expected_end_on must be after effective_on")
        return self


class EndTeacherLeave(Command, _Teacher, context="registry", name="EndTeacherLeave", version=1):
    """Bring a teacher back from leave."""

    effective_on: date = Field(description="First day back at work")


class RetireTeacher(Command, _Teacher, context="registry", name="RetireTeacher", version=1):
    """Record a teacher's retirement."""

    effective_on: date = Field(description="First day of retirement")
