"""Registry queries over request-reply, as of any date: requests and answers.

A query goes to ``qry.<county>.registry.<Query>`` with the JSON of its request model and
gets a :class:`QueryReply` whose ``result`` is the JSON of the answer model named below.
Answers never carry contact data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.registry._v1_values import CountyCode, EntityId

__all__ = [
    "QUERIES",
    "CommunityMember",
    "CommunityQuery",
    "CommunityView",
    "CountySummary",
    "CountySummaryQuery",
    "ListQuery",
    "QueryReply",
    "SchoolCommunitiesQuery",
    "SchoolCommunity",
    "SchoolQuery",
    "SchoolView",
    "TeacherQuery",
    "TeacherSchoolQuery",
    "TeacherView",
]

_ON = "The date the answer is about (as of that day)"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SchoolQuery(_Model):
    """Query ``School``: a school as of a date; answer: SchoolView or null."""

    school_id: EntityId = Field(description="The school")
    on: date = Field(description=_ON)


class TeacherQuery(_Model):
    """Query ``Teacher``: a teacher as of a date; answer: TeacherView or null."""

    teacher_id: EntityId = Field(description="The teacher")
    on: date = Field(description=_ON)


class TeacherSchoolQuery(TeacherQuery):
    """Query ``TeacherSchool``: the teacher's school on a date; answer: SchoolView or null."""


class CommunityQuery(_Model):
    """Query ``Community``: a community and its members as of a date; answer: CommunityView."""

    community_id: EntityId = Field(description="The community")
    on: date = Field(description=_ON)


class SchoolCommunitiesQuery(SchoolQuery):
    """Query ``SchoolCommunities``: a school's communities on a date; answer: list of
    SchoolCommunity."""


class CountySummaryQuery(_Model):
    """Query ``CountySummary``: counts of the subject's county as of a date."""

    on: date = Field(description=_ON)


class ListQuery(_Model):
    """Queries ``Schools``, ``Teachers``, ``Communities``: a page of the county's listing."""

    on: date = Field(description=_ON)
    school_id: EntityId | None = Field(default=None, description="Teachers of this school only")
    offset: int = Field(default=0, ge=0, description="Rows to skip")
    limit: int = Field(default=500, ge=1, le=2000, description="Rows to return at most")


class SchoolView(_Model):
    """A school as of a date."""

    county_code: CountyCode = Field(description="The school's county")
    school_id: EntityId = Field(description="The school")
    school_name: str = Field(description="Its name on that date")
    stage: str = Field(description="Stage (SchoolStage value)")
    location: str = Field(description="Location (SchoolLocation value)")
    governance: str = Field(description="Governance (SchoolGovernance value)")
    ownership: str = Field(description="Ownership (SchoolOwnership value)")
    status: str = Field(description="'open' or 'closed'")
    since: date = Field(description="The date these values took effect")


class TeacherView(_Model):
    """A teacher as of a date."""

    teacher_id: EntityId = Field(description="The teacher")
    teacher_name: str = Field(description="Name")
    county_code: CountyCode = Field(description="The county of the teacher's school")
    school_id: EntityId = Field(description="The teacher's school")
    stage: str = Field(description="Stage taught")
    subjects: list[str] = Field(description="Subjects taught")
    title: str = Field(description="Professional title (TeacherTitle value)")
    hire_date: date = Field(description="First day of service")
    new_teacher: bool = Field(description="In the first three years after the hire date")
    roles: list[str] = Field(description="Roles held (TeacherRole values)")
    status: str = Field(description="'active', 'on_leave' or 'retired'")
    since: date = Field(description="The date these values took effect")


class CommunityMember(_Model):
    """A member school, teacher or station of a community on a date."""

    member_kind: str = Field(description="'school', 'teacher' or 'station'")
    member_id: EntityId = Field(description="School, teacher or station id")
    county_code: CountyCode = Field(description="The member's county (a station: its host's)")
    role: str = Field(description="lead/partner, host/leader/member, or station")
    station_id: EntityId | None = Field(default=None, description="A teacher's station")
    host_school_id: EntityId | None = Field(default=None, description="A station's school")
    since: date = Field(description="First day of membership")
    until: date | None = Field(default=None, description="First day no longer a member")


class CommunityView(_Model):
    """A community and its members as of a date."""

    community_id: EntityId = Field(description="The community")
    county_code: CountyCode = Field(description="The home county")
    community_name: str = Field(description="Name on that date")
    community_kind: str = Field(description="CommunityKind value")
    counties: list[CountyCode] = Field(description="Counties it spans")
    subject: str | None = Field(default=None, description="Subject, for groups and studios")
    status: str = Field(description="'active' or 'dissolved'")
    members: list[CommunityMember] = Field(description="Members on that date")


class SchoolCommunity(_Model):
    """A community a school belongs to on a date, and its role there."""

    community_id: EntityId = Field(description="The community")
    community_name: str = Field(description="Its name on that date")
    community_kind: str = Field(description="CommunityKind value")
    county_code: CountyCode = Field(description="The community's home county")
    role: str = Field(description="lead, partner, or station (hosting a studio's station)")


class CountySummary(_Model):
    """Counts for a county as of a date."""

    county_code: CountyCode = Field(description="The county")
    on: date = Field(description=_ON)
    schools: int = Field(description="Open schools")
    schools_by_stage: dict[str, int] = Field(description="Open schools by stage")
    schools_by_location: dict[str, int] = Field(description="Open schools by location")
    communities_by_kind: dict[str, int] = Field(description="Active communities it keeps")
    teachers: int = Field(description="Teachers at its schools, not retired")
    teachers_by_stage: dict[str, int] = Field(description="Those teachers by stage")
    new_teachers: int = Field(description="Those in their first three years")


class QueryReply(_Model):
    """The answer to a query: ``result`` (JSON of the answer model), or an error."""

    ok: bool = Field(description="Whether the query could be answered")
    result: Any = Field(default=None, description="The answer; null when nothing matches")
    error: str | None = Field(default=None, description="Why not, for people")


QUERIES: dict[str, type[BaseModel]] = {
    "School": SchoolQuery,
    "Teacher": TeacherQuery,
    "TeacherSchool": TeacherSchoolQuery,
    "Community": CommunityQuery,
    "SchoolCommunities": SchoolCommunitiesQuery,
    "CountySummary": CountySummaryQuery,
    "Schools": ListQuery,
    "Teachers": ListQuery,
    "Communities": ListQuery,
}
"""Query name (last subject token) → request model."""
