"""The school aggregate (学校): registered, renamed, changed, closed and reopened, with dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts import Contract
from contracts.registry.v1 import (
    ChangeSchoolAttributes,
    CloseSchool,
    RegisterSchool,
    RenameSchool,
    ReopenSchool,
    SchoolAttributesChanged,
    SchoolClosed,
    SchoolGovernance,
    SchoolLocation,
    SchoolOwnership,
    SchoolRegistered,
    SchoolRenamed,
    SchoolReopened,
    SchoolStage,
)
from services.registry.domain.rules import (
    BusinessRule,
    EffectiveDateWithinReach,
    NotBefore,
    check,
    must_exist,
)

__all__ = [
    "SchoolState",
    "decide_change_school",
    "decide_close_school",
    "decide_register_school",
    "decide_rename_school",
    "decide_reopen_school",
    "evolve_school",
]

_ATTRIBUTES = ("stage", "location", "governance", "ownership")


@dataclass(frozen=True)
class SchoolState:
    """What the registry knows of one school; ``statuses`` is its open/closed history."""

    registered: bool = False
    county: str = ""
    school_id: str = ""
    school_name: str = ""
    stage: SchoolStage | None = None
    location: SchoolLocation | None = None
    governance: SchoolGovernance | None = None
    ownership: SchoolOwnership | None = None
    registered_on: date | None = None
    statuses: tuple[tuple[date, bool], ...] = ()

    @property
    def is_open(self) -> bool:
        """Open according to its latest status change."""
        return self.registered and bool(self.statuses) and self.statuses[-1][1]

    @property
    def last_status_change(self) -> date:
        """The date of the latest registration, closure or reopening."""
        return self.statuses[-1][0] if self.statuses else date.min

    def is_open_on(self, day: date) -> bool:
        """Whether the school was registered and open on ``day``."""
        current = False
        for since, is_open in self.statuses:
            if since > day:
                break
            current = is_open
        return self.registered and current


def evolve_school(state: SchoolState, event: Contract) -> SchoolState:
    """The school after ``event``."""
    if isinstance(event, SchoolRegistered):
        return SchoolState(
            registered=True,
            county=event.county_code,
            school_id=event.school_id,
            school_name=event.school_name,
            stage=event.stage,
            location=event.location,
            governance=event.governance,
            ownership=event.ownership,
            registered_on=event.effective_on,
            statuses=((event.effective_on, True),),
        )
    if isinstance(event, SchoolRenamed):
        return replace(state, school_name=event.school_name)
    if isinstance(event, SchoolAttributesChanged):
        changes = {a: getattr(event, a) for a in _ATTRIBUTES if getattr(event, a) is not None}
        return replace(state, **changes)
    if isinstance(event, SchoolClosed | SchoolReopened):
        entry = (event.effective_on, isinstance(event, SchoolReopened))
        return replace(state, statuses=(*state.statuses, entry))
    return state


@dataclass(frozen=True)
class SchoolRegisteredOnce(BusinessRule):
    """A school id is registered once."""

    state: SchoolState
    field = "school_id"

    def is_broken(self) -> bool:
        return self.state.registered

    def message(self) -> str:
        return f"school {self.state.school_id} is already registered as {self.state.school_name}"


@dataclass(frozen=True)
class StatusChangesMoveForward(BusinessRule):
    """Closures and reopenings are recorded in date order."""

    state: SchoolState
    effective_on: date
    field = "effective_on"

    def is_broken(self) -> bool:
        return self.effective_on <= self.state.last_status_change

    def message(self) -> str:
        return (
            f"school {self.state.school_id} last changed status on "
            f"{self.state.last_status_change}; a new change must be later"
        )


@dataclass(frozen=True)
class SchoolStatusIs(BusinessRule):
    """Only an open school can close, only a closed one can reopen."""

    state: SchoolState
    open_expected: bool

    def is_broken(self) -> bool:
        return self.state.is_open != self.open_expected

    def message(self) -> str:
        now = "open" if self.state.is_open else "closed"
        return f"school {self.state.school_id} is already {now}"


@dataclass(frozen=True)
class ChangeChangesSomething(BusinessRule):
    """A change of attributes or name must differ from what is on record."""

    changed: bool
    school_id: str

    def is_broken(self) -> bool:
        return not self.changed

    def message(self) -> str:
        return f"school {self.school_id} already has these values"


def _registered(state: SchoolState, school_id: str) -> date:
    must_exist(state.registered, f"school {school_id}", "school_id")
    assert state.registered_on is not None
    return state.registered_on


def _same_registration(state: SchoolState, cmd: RegisterSchool) -> bool:
    now = (state.school_name, state.registered_on, *(getattr(state, a) for a in _ATTRIBUTES))
    asked = (cmd.school_name, cmd.effective_on, *(getattr(cmd, a) for a in _ATTRIBUTES))
    return now == asked


def decide_register_school(
    state: SchoolState, cmd: RegisterSchool, today: date
) -> list[SchoolRegistered]:
    """Register a school; the same registration again writes nothing."""
    if state.registered and _same_registration(state, cmd):
        return []
    check(SchoolRegisteredOnce(state), EffectiveDateWithinReach(cmd.effective_on, today))
    return [SchoolRegistered(**cmd.model_dump())]


def decide_rename_school(state: SchoolState, cmd: RenameSchool, today: date) -> list[SchoolRenamed]:
    """Rename a registered school."""
    since = _registered(state, cmd.school_id)
    check(
        ChangeChangesSomething(cmd.school_name != state.school_name, cmd.school_id),
        NotBefore(cmd.effective_on, since, "the school's registration"),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [SchoolRenamed(**cmd.model_dump(), previous_name=state.school_name)]


def decide_change_school(
    state: SchoolState, cmd: ChangeSchoolAttributes, today: date
) -> list[SchoolAttributesChanged]:
    """Change some attributes; only those that differ are recorded."""
    since = _registered(state, cmd.school_id)
    changes = {
        a: getattr(cmd, a)
        for a in _ATTRIBUTES
        if getattr(cmd, a) is not None and getattr(cmd, a) != getattr(state, a)
    }
    check(
        ChangeChangesSomething(bool(changes), cmd.school_id),
        NotBefore(cmd.effective_on, since, "the school's registration"),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [
        SchoolAttributesChanged(
            county_code=cmd.county_code,
            school_id=cmd.school_id,
            effective_on=cmd.effective_on,
            **changes,
        )
    ]


def decide_close_school(state: SchoolState, cmd: CloseSchool, today: date) -> list[SchoolClosed]:
    """Close an open school."""
    _registered(state, cmd.school_id)
    check(
        SchoolStatusIs(state, open_expected=True),
        StatusChangesMoveForward(state, cmd.effective_on),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [SchoolClosed(**cmd.model_dump())]


def decide_reopen_school(
    state: SchoolState, cmd: ReopenSchool, today: date
) -> list[SchoolReopened]:
    """Reopen a closed school."""
    _registered(state, cmd.school_id)
    check(
        SchoolStatusIs(state, open_expected=False),
        StatusChangesMoveForward(state, cmd.effective_on),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [SchoolReopened(**cmd.model_dump())]
