"""Pairing communities (教研共同体, 教共体, 联合体, 结对帮扶): v1 events and commands.

Import them from :mod:`contracts.registry.v1`. A community's record is kept by its home
county; its member schools may be in other counties (``counties``). Memberships have
effective dates: a member belongs from ``effective_on`` of joining up to the day before
``effective_on`` of leaving. An activity is judged by the membership on its date.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from contracts.base import Command, Event
from contracts.registry._v1_values import (
    CommunityKind,
    CountyCode,
    EntityId,
    MembershipEndReason,
    SchoolMemberRole,
    SchoolRef,
    TeacherMemberRole,
    Text,
)

__all__ = [
    "AddSchoolToCommunity",
    "AddTeacherToCommunity",
    "CloseStudioStation",
    "CommunityDissolved",
    "CommunityFormed",
    "CommunityRenamed",
    "DissolveCommunity",
    "FormCommunity",
    "OpenStudioStation",
    "RemoveSchoolFromCommunity",
    "RemoveTeacherFromCommunity",
    "RenameCommunity",
    "SchoolJoinedCommunity",
    "SchoolLeftCommunity",
    "StudioStationClosed",
    "StudioStationOpened",
    "TeacherJoinedCommunity",
    "TeacherLeftCommunity",
]

_JOIN = "First day of membership"
_LEAVE = "First day no longer a member"


class _Community(BaseModel):
    community_id: EntityId = Field(description="The community's id")


class _InCounty(_Community):
    county_code: CountyCode = Field(description="The home county, which keeps the record")


class _Formation(BaseModel):
    community_name: Text = Field(description="The community's name")
    community_kind: CommunityKind = Field(description="The kind of community")
    counties: list[CountyCode] = Field(
        min_length=1, max_length=20, description="Counties it spans, the home county first"
    )
    subject: Text | None = Field(
        default=None, description="The subject, for subject groups and studios (e.g. '数学')"
    )
    effective_on: date = Field(description="The date the community was formed")


class _SchoolJoin(BaseModel):
    school: SchoolRef = Field(description="The member school")
    member_role: SchoolMemberRole = Field(description="Lead (牵头) or partner (协作) school")
    effective_on: date = Field(description=_JOIN)


class _TeacherJoin(BaseModel):
    teacher_id: EntityId = Field(description="The member teacher")
    teacher_county: CountyCode = Field(description="The county holding the teacher's record")
    member_role: TeacherMemberRole = Field(description="Host (主持人), leader (组长) or member")
    station_id: EntityId | None = Field(
        default=None, description="The studio station the teacher works in, if any"
    )
    effective_on: date = Field(description=_JOIN)


class _Station(BaseModel):
    station_id: EntityId = Field(description="The station's id, unique in the studio")
    station_name: Text = Field(description="The station's name (工作站)")
    host: SchoolRef = Field(description="The school hosting it, in another county")
    effective_on: date = Field(description="The date the station opened")


class _Ending(BaseModel):
    effective_on: date = Field(description=_LEAVE)
    reason: MembershipEndReason = Field(
        default=MembershipEndReason.WITHDRAWN, description="Why the membership ended"
    )


# -- events ----------------------------------------------------------------------------


class CommunityFormed(
    Event,
    _InCounty,
    _Formation,
    context="registry",
    name="CommunityFormed",
    version=1,
    aggregate="community",
):
    """A pairing community was formed; schools, teachers and stations join afterwards."""


class CommunityRenamed(
    Event,
    _InCounty,
    context="registry",
    name="CommunityRenamed",
    version=1,
    aggregate="community",
):
    """A community took a new name."""

    community_name: Text = Field(description="The new name")
    effective_on: date = Field(description="The date the new name takes effect")


class SchoolJoinedCommunity(
    Event,
    _InCounty,
    _SchoolJoin,
    context="registry",
    name="SchoolJoinedCommunity",
    version=1,
    aggregate="community",
):
    """A school joined a community as its lead or as a partner."""


class SchoolLeftCommunity(
    Event,
    _InCounty,
    _Ending,
    context="registry",
    name="SchoolLeftCommunity",
    version=1,
    aggregate="community",
):
    """A school left a community."""

    school: SchoolRef = Field(description="The school that left")
    member_role: SchoolMemberRole = Field(description="The role it held")


class TeacherJoinedCommunity(
    Event,
    _InCounty,
    _TeacherJoin,
    context="registry",
    name="TeacherJoinedCommunity",
    version=1,
    aggregate="community",
):
    """A teacher joined a studio or group."""


class TeacherLeftCommunity(
    Event,
    _InCounty,
    _Ending,
    context="registry",
    name="TeacherLeftCommunity",
    version=1,
    aggregate="community",
):
    """A teacher left a studio or group (e.g. transferred out of the county)."""

    teacher_id: EntityId = Field(description="The teacher who left")
    teacher_county: CountyCode = Field(description="The county holding the teacher's record")
    member_role: TeacherMemberRole = Field(description="The role the teacher held")


class StudioStationOpened(
    Event,
    _InCounty,
    _Station,
    context="registry",
    name="StudioStationOpened",
    version=1,
    aggregate="community",
):
    """A master-teacher studio opened a station (工作站) hosted in another county."""


class StudioStationClosed(
    Event,
    _InCounty,
    _Ending,
    context="registry",
    name="StudioStationClosed",
    version=1,
    aggregate="community",
):
    """A studio's station closed."""

    station_id: EntityId = Field(description="The station")
    host: SchoolRef = Field(description="The school that hosted it")


class CommunityDissolved(
    Event,
    _InCounty,
    context="registry",
    name="CommunityDissolved",
    version=1,
    aggregate="community",
):
    """A community was dissolved; its open memberships ended just before, by events."""

    effective_on: date = Field(description="First day the community no longer exists")
    reason: str = Field(default="", max_length=500, description="Why, for people")


# -- commands --------------------------------------------------------------------------


class FormCommunity(
    Command, _Community, _Formation, context="registry", name="FormCommunity", version=1
):
    """Form a community kept by the county the command is sent to."""

    @model_validator(mode="after")
    def _counties_unique(self) -> FormCommunity:
        if len(set(self.counties)) != len(self.counties):
            raise ValueError("counties must not repeat")
        return self


class RenameCommunity(Command, _Community, context="registry", name="RenameCommunity", version=1):
    """Give a community a new name."""

    community_name: Text = Field(description="The new name")
    effective_on: date = Field(description="The date the new name takes effect")


class AddSchoolToCommunity(
    Command, _Community, _SchoolJoin, context="registry", name="AddSchoolToCommunity", version=1
):
    """Add a lead or partner school to a community."""


class RemoveSchoolFromCommunity(
    Command, _Community, _Ending, context="registry", name="RemoveSchoolFromCommunity", version=1
):
    """End a school's membership of a community."""

    school: SchoolRef = Field(description="The school leaving")


class AddTeacherToCommunity(
    Command, _Community, _TeacherJoin, context="registry", name="AddTeacherToCommunity", version=1
):
    """Add a member teacher to a studio or group."""


class RemoveTeacherFromCommunity(
    Command,
    _Community,
    _Ending,
    context="registry",
    name="RemoveTeacherFromCommunity",
    version=1,
):
    """End a teacher's membership of a studio or group."""

    teacher_id: EntityId = Field(description="The teacher leaving")


class OpenStudioStation(
    Command, _Community, _Station, context="registry", name="OpenStudioStation", version=1
):
    """Open a station of a master-teacher studio, hosted by a school in another county."""


class CloseStudioStation(
    Command, _Community, _Ending, context="registry", name="CloseStudioStation", version=1
):
    """Close a studio's station."""

    station_id: EntityId = Field(description="The station")


class DissolveCommunity(
    Command, _Community, context="registry", name="DissolveCommunity", version=1
):
    """Dissolve a community; every open membership and station ends the same day."""

    effective_on: date = Field(description="First day the community no longer exists")
    reason: str = Field(default="", max_length=500, description="Why, for people")
