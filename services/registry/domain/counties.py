"""The county aggregate (区县): registered once, renamed with effective dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts import Contract
from contracts.registry.v1 import CountyRegistered, CountyRenamed, RegisterCounty, RenameCounty
from services.registry.domain.rules import (
    BusinessRule,
    EffectiveDateWithinReach,
    NotBefore,
    check,
    must_exist,
)

__all__ = ["CountyState", "decide_register_county", "decide_rename_county", "evolve_county"]


@dataclass(frozen=True)
class CountyState:
    """What the registry knows of one county."""

    registered: bool = False
    code: str = ""
    county_name: str = ""
    city: str = ""
    province: str = ""
    registered_on: date | None = None


def evolve_county(state: CountyState, event: Contract) -> CountyState:
    """The county after ``event``."""
    if isinstance(event, CountyRegistered):
        return CountyState(
            True,
            event.county_code,
            event.county_name,
            event.city,
            event.province,
            event.effective_on,
        )
    if isinstance(event, CountyRenamed):
        return replace(
            state, county_name=event.county_name, city=event.city, province=event.province
        )
    return state


@dataclass(frozen=True)
class CountyRegisteredOnce(BusinessRule):
    """A county code is registered once; registering it again with the same data is a no-op."""

    state: CountyState
    field = "county_code"

    def is_broken(self) -> bool:
        return self.state.registered

    def message(self) -> str:
        return f"county {self.state.code} is already registered as {self.state.county_name}"


@dataclass(frozen=True)
class RenameChangesSomething(BusinessRule):
    """A rename must change the name, city or province."""

    state: CountyState
    command: RenameCounty
    field = "county_name"

    def is_broken(self) -> bool:
        s, c = self.state, self.command
        return (s.county_name, s.city, s.province) == (c.county_name, c.city, c.province)

    def message(self) -> str:
        return f"county {self.state.code} already has these names"


def _same(state: CountyState, cmd: RegisterCounty) -> bool:
    return (state.county_name, state.city, state.province, state.registered_on) == (
        cmd.county_name,
        cmd.city,
        cmd.province,
        cmd.effective_on,
    )


def decide_register_county(
    state: CountyState, cmd: RegisterCounty, today: date
) -> list[CountyRegistered]:
    """Register a county; the same registration again writes nothing."""
    if state.registered and _same(state, cmd):
        return []
    check(CountyRegisteredOnce(state), EffectiveDateWithinReach(cmd.effective_on, today))
    return [CountyRegistered(**cmd.model_dump())]


def decide_rename_county(state: CountyState, cmd: RenameCounty, today: date) -> list[CountyRenamed]:
    """Rename a registered county."""
    must_exist(state.registered, f"county {cmd.county_code}", "county_code")
    assert state.registered_on is not None
    check(
        RenameChangesSomething(state, cmd),
        NotBefore(cmd.effective_on, state.registered_on, "the county's registration"),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [CountyRenamed(**cmd.model_dump())]
