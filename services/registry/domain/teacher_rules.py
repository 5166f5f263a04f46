"""The rules about teachers, one class each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.registry.v1 import TeacherRole
from services.registry.domain.rules import BusinessRule
from services.registry.domain.schools import SchoolState
from services.registry.domain.teachers import TeacherState, TeacherStatus

__all__ = [
    "HiredBeforeAssignment",
    "LeaveEndsAfterItStarts",
    "MoveToAnotherSchool",
    "MovementsMoveForward",
    "NotInCountyYet",
    "NotOnLeave",
    "NotRetired",
    "OnLeave",
    "RoleHeld",
    "RoleNotHeld",
    "SchoolOpenOn",
    "TeacherIsHere",
    "TeacherRegisteredOnce",
]


@dataclass(frozen=True)
class TeacherIsHere(BusinessRule):
    """Commands go to the county that holds the teacher's record now."""

    state: TeacherState

    def is_broken(self) -> bool:
        return self.state.registered and not self.state.here

    def message(self) -> str:
        return (
            f"teacher {self.state.teacher_id} moved to county {self.state.moved_to} on "
            f"{self.state.since}; send the command there"
        )


@dataclass(frozen=True)
class TeacherRegisteredOnce(BusinessRule):
    """A teacher id is registered once (a returning teacher is transferred back)."""

    state: TeacherState
    field = "teacher_id"

    def is_broken(self) -> bool:
        return self.state.registered

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} is already registered with other details"


@dataclass(frozen=True)
class NotRetired(BusinessRule):
    """A retired teacher's record accepts no further changes."""

    state: TeacherState

    def is_broken(self) -> bool:
        return self.state.status == TeacherStatus.RETIRED

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} has retired"


@dataclass(frozen=True)
class SchoolOpenOn(BusinessRule):
    """A teacher can only be assigned to a registered school of that county, open that day."""

    school: SchoolState
    county: str
    school_id: str
    day: date
    field = "school_id"

    def is_broken(self) -> bool:
        return self.school.county != self.county or not self.school.is_open_on(self.day)

    def message(self) -> str:
        if not self.school.registered or self.school.county != self.county:
            return f"school {self.school_id} is not registered in county {self.county}"
        return f"school {self.school_id} is closed on {self.day}"


@dataclass(frozen=True)
class HiredBeforeAssignment(BusinessRule):
    """A teacher cannot be at a school before being hired."""

    hire_date: date
    effective_on: date
    field = "hire_date"

    def is_broken(self) -> bool:
        return self.hire_date > self.effective_on

    def message(self) -> str:
        return f"hire date {self.hire_date} is after the assignment date {self.effective_on}"


@dataclass(frozen=True)
class MoveToAnotherSchool(BusinessRule):
    """A transfer goes to a school other than the current one."""

    state: TeacherState
    to_county: str
    to_school_id: str
    field = "to_school_id"

    def is_broken(self) -> bool:
        return (self.to_county, self.to_school_id) == (self.state.county, self.state.school_id)

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} is already at school {self.to_school_id}"


@dataclass(frozen=True)
class MovementsMoveForward(BusinessRule):
    """A movement takes effect after the current assignment began."""

    state: TeacherState
    effective_on: date
    field = "effective_on"

    def is_broken(self) -> bool:
        return self.effective_on <= self.state.since

    def message(self) -> str:
        return (
            f"teacher {self.state.teacher_id} has been at school {self.state.school_id} "
            f"since {self.state.since}; the change must be later"
        )


@dataclass(frozen=True)
class NotOnLeave(BusinessRule):
    """A teacher on leave cannot start another leave."""

    state: TeacherState

    def is_broken(self) -> bool:
        return self.state.status == TeacherStatus.ON_LEAVE

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} is on leave since {self.state.leave_started_on}"


@dataclass(frozen=True)
class OnLeave(BusinessRule):
    """Only a teacher on leave can come back from leave."""

    state: TeacherState

    def is_broken(self) -> bool:
        return self.state.status != TeacherStatus.ON_LEAVE

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} is not on leave"


@dataclass(frozen=True)
class LeaveEndsAfterItStarts(BusinessRule):
    """The first day back comes after the first day of leave."""

    state: TeacherState
    effective_on: date
    field = "effective_on"

    def is_broken(self) -> bool:
        started = self.state.leave_started_on
        return started is not None and self.effective_on <= started

    def message(self) -> str:
        return f"the leave started on {self.state.leave_started_on}; it must end later"


@dataclass(frozen=True)
class RoleNotHeld(BusinessRule):
    """A role is granted to a teacher who does not hold it."""

    state: TeacherState
    role: TeacherRole
    field = "role"

    def is_broken(self) -> bool:
        return self.role in self.state.roles

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} already holds the role {self.role.value}"


@dataclass(frozen=True)
class RoleHeld(BusinessRule):
    """Only a role the teacher holds can be revoked."""

    state: TeacherState
    role: TeacherRole
    field = "role"

    def is_broken(self) -> bool:
        return self.role not in self.state.roles

    def message(self) -> str:
        return f"teacher {self.state.teacher_id} does not hold the role {self.role.value}"


@dataclass(frozen=True)
class NotInCountyYet(BusinessRule):
    """A teacher arrives in a county whose record of the teacher is not open."""

    state: TeacherState

    def is_broken(self) -> bool:
        return self.state.here

    def message(self) -> str:
        return (
            f"teacher {self.state.teacher_id} is already at school {self.state.school_id} "
            f"in county {self.state.county}"
        )
