"""Counties (区县) and schools (学校): v1 events and commands.

Import them from :mod:`contracts.registry.v1`. Every change carries the date it takes
effect (``effective_on``), which may differ from the day it was recorded.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from contracts.base import Command, Event
from contracts.registry._v1_values import (
    CountyCode,
    EntityId,
    SchoolGovernance,
    SchoolLocation,
    SchoolOwnership,
    SchoolStage,
    Text,
)

__all__ = [
    "ChangeSchoolAttributes",
    "CloseSchool",
    "CountyRegistered",
    "CountyRenamed",
    "RegisterCounty",
    "RegisterSchool",
    "RenameCounty",
    "RenameSchool",
    "ReopenSchool",
    "SchoolAttributesChanged",
    "SchoolClosed",
    "SchoolRegistered",
    "SchoolRenamed",
    "SchoolReopened",
]

_EFFECTIVE = "The date the change takes effect (may be earlier than the day it was recorded)"


class _County(BaseModel):
    county_code: CountyCode = Field(description="6-digit administrative division code (区划代码)")
    county_name: Text = Field(description="Name of the county or district, e.g. '广汉市'")
    city: Text = Field(description="The city or prefecture (市/州) it belongs to")
    province: Text = Field(description="The province (省)")
    effective_on: date = Field(description=_EFFECTIVE)


class _SchoolId(BaseModel):
    county_code: CountyCode = Field(description="The school's county (6-digit division code)")
    school_id: EntityId = Field(description="The school's id, e.g. its 10-digit 学校标识码")


class _SchoolAttributes(BaseModel):
    stage: SchoolStage = Field(description="School stage (学段)")
    location: SchoolLocation = Field(description="Urban, town or rural (城区/乡镇/村)")
    governance: SchoolGovernance = Field(description="City-direct (市直) or county-run")
    ownership: SchoolOwnership = Field(description="Public (公办) or private (民办)")


class _AttributeChanges(BaseModel):
    stage: SchoolStage | None = Field(default=None, description="New stage; null: unchanged")
    location: SchoolLocation | None = Field(
        default=None, description="New location; null: unchanged"
    )
    governance: SchoolGovernance | None = Field(
        default=None, description="New governance; null: unchanged"
    )
    ownership: SchoolOwnership | None = Field(
        default=None, description="New ownership; null: unchanged"
    )
    effective_on: date = Field(description=_EFFECTIVE)


# -- counties --------------------------------------------------------------------------


class CountyRegistered(
    Event, _County, context="registry", name="CountyRegistered", version=1, aggregate="county"
):
    """A county (区县) was entered in the registry."""


class CountyRenamed(
    Event, _County, context="registry", name="CountyRenamed", version=1, aggregate="county"
):
    """A county's name, city or province changed (e.g. an administrative re-division)."""


class RegisterCounty(Command, _County, context="registry", name="RegisterCounty", version=1):
    """Enter a county in the registry."""


class RenameCounty(Command, _County, context="registry", name="RenameCounty", version=1):
    """Change a county's name, city or province."""


# -- schools ---------------------------------------------------------------------------


class SchoolRegistered(
    Event,
    _SchoolId,
    _SchoolAttributes,
    context="registry",
    name="SchoolRegistered",
    version=1,
    aggregate="school",
):
    """A school was entered in the registry, open from ``effective_on``."""

    school_name: Text = Field(description="The school's name")
    effective_on: date = Field(description="The date from which the school is registered")


class SchoolRenamed(
    Event, _SchoolId, context="registry", name="SchoolRenamed", version=1, aggregate="school"
):
    """A school took a new name."""

    school_name: Text = Field(description="The new name")
    previous_name: Text = Field(description="The name before the change")
    effective_on: date = Field(description=_EFFECTIVE)


class SchoolAttributesChanged(
    Event,
    _SchoolId,
    _AttributeChanges,
    context="registry",
    name="SchoolAttributesChanged",
    version=1,
    aggregate="school",
):
    """Some of a school's attributes changed; the others (null) did not."""


class SchoolClosed(
    Event, _SchoolId, context="registry", name="SchoolClosed", version=1, aggregate="school"
):
    """A school closed (撤并/停办); a closed school cannot join a community."""

    effective_on: date = Field(description="The first day the school is closed")
    reason: str = Field(default="", max_length=500, description="Why, for people")
    merged_into: EntityId | None = Field(
        default=None, description="The school it was merged into, if any (same county)"
    )


class SchoolReopened(
    Event, _SchoolId, context="registry", name="SchoolReopened", version=1, aggregate="school"
):
    """A closed school opened again."""

    effective_on: date = Field(description="The first day the school is open again")


class RegisterSchool(
    Command, _SchoolId, _SchoolAttributes, context="registry", name="RegisterSchool", version=1
):
    """Enter a school in the registry."""

    school_name: Text = Field(description="The school's name")
    effective_on: date = Field(description="The date from which the school is registered")


class RenameSchool(Command, _SchoolId, context="registry", name="RenameSchool", version=1):
    """Give a school a new name."""

    school_name: Text = Field(description="The new name")
    effective_on: date = Field(description=_EFFECTIVE)


class ChangeSchoolAttributes(
    Command,
    _SchoolId,
    _AttributeChanges,
    context="registry",
    name="ChangeSchoolAttributes",
    version=1,
):
    """Change some of a school's attributes (stage, location, governance, ownership)."""


class CloseSchool(Command, _SchoolId, context="registry", name="CloseSchool", version=1):
    """Close a school."""

    effective_on: date = Field(description="The first day the school is closed")
    reason: str = Field(default="", max_length=500, description="Why, for people")
    merged_into: EntityId | None = Field(
        default=None, description="The school it was merged into, if any (same county)"
    )


class ReopenSchool(Command, _SchoolId, context="registry", name="ReopenSchool", version=1):
    """Open a closed school again."""

    effective_on: date = Field(description="The first day the school is open again")
