"""Values shared by the activities' v1 contracts: enumerations and nested records.

Enumeration values are stable English words; the Chinese term is in each docstring.
Import them from :mod:`contracts.activities.v1`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.registry.v1 import CountyCode, EntityId, Text

__all__ = [
    "ActivityLevel",
    "AttendanceStatus",
    "Certificate",
    "Evidence",
    "KindKey",
    "MaterialRef",
    "ParticipantRole",
    "ParticipationRecord",
    "ParticipationSource",
    "PlanOutcome",
    "Result",
]

KindKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
"""An activity kind's key in the county's configuration, e.g. ``class_observation``."""

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ActivityLevel(StrEnum):
    """Level of an activity: 校级 school, 县级 county, 市级 city, 省级 province, 国家级 national."""

    SCHOOL = "school"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"


class ParticipantRole(StrEnum):
    """A teacher's part: 授课 presenter, 主讲 lecturer, 听课 attendee, 评课 evaluator, 组织."""

    PRESENTER = "presenter"
    LECTURER = "lecturer"
    ATTENDEE = "attendee"
    EVALUATOR = "evaluator"
    ORGANISER = "organiser"


class PlanOutcome(StrEnum):
    """方案论证 outcome: approved (with comments), returned for changes, rejected."""

    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


class AttendanceStatus(StrEnum):
    """签到 status: present, late (迟到), left early (早退), absent (缺席)."""

    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    LATE_AND_LEFT_EARLY = "late_and_left_early"
    ABSENT = "absent"


class Result(StrEnum):
    """考核 result: 合格 passed, 不合格 failed, 优秀 excellent."""

    PASSED = "passed"
    FAILED = "failed"
    EXCELLENT = "excellent"


class ParticipationSource(StrEnum):
    """Where a participation comes from: an activity run here, or an imported external record."""

    ACTIVITY = "activity"
    EXTERNAL = "external"


class MaterialRef(BaseModel):
    """A submitted file: its checklist kind, reference and checksum."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    material_kind: KindKey = Field(description="The checklist item it satisfies (e.g. lesson_plan)")
    file_ref: Text = Field(description="Where the file is kept (object-store key or URL)")
    sha256: Sha256 = Field(description="SHA-256 of the file, lower-case hex")
    size_bytes: int = Field(ge=0, description="The file's size in bytes")


class Certificate(BaseModel):
    """An external training's certificate (e.g. 国家智慧教育平台 e-certificate)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    certificate_ref: Text = Field(description="The certificate's number or reference")
    issuer: Text = Field(description="Who issued it (platform, bureau, university)")
    issued_on: date | None = Field(default=None, description="The date of issue, if known")


class Evidence(BaseModel):
    """The evidence behind one participation, for credit rules that require it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    materials: list[MaterialRef] = Field(
        default_factory=list,
        description="The teacher's own materials and the activity's shared ones",
    )
    reflection_chars: int = Field(
        default=0, ge=0, description="Length of the teacher's reflection (心得), in characters"
    )
    checklist_complete: bool = Field(
        description="Whether every checklist item the teacher's role requires was submitted"
    )
    certificate: Certificate | None = Field(
        default=None, description="The certificate, for external training"
    )


class ParticipationRecord(BaseModel):
    """Everything the credits service needs about one teacher's part in one activity."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    activity_id: EntityId = Field(description="The activity (or external record) id")
    activity_county: CountyCode = Field(description="The county that ran or imported it")
    source: ParticipationSource = Field(description="Run here, or imported external training")
    activity_kind: KindKey = Field(description="The activity kind's configuration key")
    activity_level: ActivityLevel = Field(description="The activity's level")
    title: Text = Field(description="The activity's title")
    category_hints: list[KindKey] = Field(
        default_factory=list, description="Credit category hints from the kind (e.g. school_based)"
    )
    activity_date: date = Field(description="The date the activity was held")
    community_id: EntityId | None = Field(
        default=None, description="The pairing community it was held for, if any"
    )
    community_member: bool | None = Field(
        default=None,
        description=(
            "Whether the teacher belonged to the activity's community on its date, in person "
            "(a studio, a group) or through the school; null: no community, or not known"
        ),
    )
    teacher_id: EntityId = Field(description="The teacher")
    teacher_county: CountyCode = Field(description="The teacher's county on the activity date")
    school_id: EntityId = Field(description="The teacher's school on the activity date")
    role: ParticipantRole = Field(description="The teacher's role")
    scheduled_minutes: int = Field(ge=0, description="The activity's scheduled duration")
    attended_minutes: int = Field(ge=0, description="Minutes the teacher actually attended")
    attendance: AttendanceStatus = Field(description="The teacher's attendance")
    assessed: bool = Field(description="Whether the kind is assessed per participant")
    result: Result | None = Field(default=None, description="The result; null: not assessed")
    evidence: Evidence = Field(description="Materials, reflection and certificate")
    revision: int = Field(ge=1, description="1 for the first record; a revision supersedes it")
    recorded_at: datetime = Field(description="When this record was written")
