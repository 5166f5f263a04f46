"""Values shared by the registry's v1 contracts: enumerations, ids and references.

Enumeration values are stable English words; the Chinese term is in each docstring.
Import them from :mod:`contracts.registry.v1`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "CommunityKind",
    "CountyCode",
    "EntityId",
    "LeaveKind",
    "MembershipEndReason",
    "MovementKind",
    "PersonName",
    "SchoolGovernance",
    "SchoolLocation",
    "SchoolMemberRole",
    "SchoolOwnership",
    "SchoolRef",
    "SchoolStage",
    "TeacherMemberRole",
    "TeacherRole",
    "TeacherTitle",
    "Text",
]

CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""A county's 6-digit administrative division code (行政区划代码), e.g. ``510781``."""

EntityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""An id that can stand in a NATS subject: letters, digits, ``_`` and ``-``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A non-empty name or label."""

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
"""A person's name as written in the registry."""


class SchoolStage(StrEnum):
    """School stage (学段): 幼儿园, 小学, 初中, 高中, 九年一贯制, 特殊教育."""

    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    COMBINED = "combined"
    SPECIAL_EDUCATION = "special_education"


class SchoolLocation(StrEnum):
    """Where a school is (城乡分类): 城区 urban, 乡镇 town, 村 rural."""

    URBAN = "urban"
    TOWN = "town"
    RURAL = "rural"


class SchoolGovernance(StrEnum):
    """Who runs a school: 市直 (city-direct) or 县管 (county-run)."""

    CITY_DIRECT = "city_direct"
    COUNTY_RUN = "county_run"


class SchoolOwnership(StrEnum):
    """公办 (public) or 民办 (private)."""

    PUBLIC = "public"
    PRIVATE = "private"


class TeacherRole(StrEnum):
    """Roles conferred by the county: 教研员, 兼职教研员, 学科带头人, 骨干教师, 名师.

    "New teacher" (新教师, first 3 years) is not a role: it follows from the hire date.
    """

    RESEARCHER = "researcher"
    PART_TIME_RESEARCHER = "part_time_researcher"
    SUBJECT_LEADER = "subject_leader"
    BACKBONE_TEACHER = "backbone_teacher"
    MASTER_TEACHER = "master_teacher"


class TeacherTitle(StrEnum):
    """Professional title (职称): 正高级, 高级, 一级, 二级, 三级 教师, or 未定级 (unrated)."""

    PROFESSOR_LEVEL = "professor_level"
    SENIOR = "senior"
    FIRST_GRADE = "first_grade"
    SECOND_GRADE = "second_grade"
    THIRD_GRADE = "third_grade"
    UNRATED = "unrated"


class MovementKind(StrEnum):
    """How a teacher moves between schools: 调动 (transfer) or 轮岗交流 (rotation)."""

    TRANSFER = "transfer"
    ROTATION = "rotation"


class LeaveKind(StrEnum):
    """Kinds of leave: 产假 maternity, 病假 sick, 脱产进修 study, 借调 secondment, 其他 other."""

    MATERNITY = "maternity"
    SICK = "sick"
    STUDY = "study"
    SECONDMENT = "secondment"
    OTHER = "other"


class CommunityKind(StrEnum):
    """Kinds of pairing community (教研共同体 / 教共体 / 联合体 / 结对帮扶).

    county_one_plus_n: 县域"1+N" (an urban/town lead school, rural partners);
    city_wide: 市域结对 (a city-direct school with one rural school per county);
    cross_county: 跨县结对 (two counties pairing schools);
    metropolitan_alliance: 都市圈联盟 (named school pairs across two cities);
    subject_group: 学科联合教研组; area_cluster: 联片教研;
    master_teacher_studio: 名师工作室 (members, and stations 工作站 in another county).
    """

    COUNTY_ONE_PLUS_N = "county_one_plus_n"
    CITY_WIDE = "city_wide"
    CROSS_COUNTY = "cross_county"
    METROPOLITAN_ALLIANCE = "metropolitan_alliance"
    SUBJECT_GROUP = "subject_group"
    AREA_CLUSTER = "area_cluster"
    MASTER_TEACHER_STUDIO = "master_teacher_studio"


class SchoolMemberRole(StrEnum):
    """A school's role in a community: 牵头学校 (lead) or 协作学校 (partner)."""

    LEAD = "lead"
    PARTNER = "partner"


class TeacherMemberRole(StrEnum):
    """A teacher's role in a studio or group: 主持人 host, 组长 leader, 成员 member."""

    HOST = "host"
    LEADER = "leader"
    MEMBER = "member"


class MembershipEndReason(StrEnum):
    """Why a membership ended: 退出 withdrawn, 调出 transferred out, 解散 dissolved, other."""

    WITHDRAWN = "withdrawn"
    TRANSFERRED_OUT = "transferred_out"
    DISSOLVED = "dissolved"
    OTHER = "other"


class SchoolRef(BaseModel):
    """A school, by its county and id (a community may span counties)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    county_code: CountyCode = Field(description="The school's county (6-digit division code)")
    school_id: EntityId = Field(description="The school's id, e.g. its 10-digit 学校标识码")
