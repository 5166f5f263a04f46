"""Activity events (教研活动): the life cycle, participants, attendance, materials, results.

Import them from :mod:`contracts.activities.v1`. Every event of an activity is on
``evt.<county>.activities.activity.<activity_id>.<Event>``. Credits reads
``ParticipationRecorded`` alone: it carries the whole participation (teacher, school and
county on the date, role, kind, level, durations, result, community, evidence).
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field

from contracts.activities._v1_values import (
    ActivityLevel,
    AttendanceStatus,
    Certificate,
    KindKey,
    ParticipantRole,
    ParticipationRecord,
    PlanOutcome,
    Result,
)
from contracts.base import Event
from contracts.registry.v1 import CountyCode, EntityId, Text

__all__ = [
    "ActivityCancelled",
    "ActivityClosed",
    "ActivityHeld",
    "ActivityPlanResubmitted",
    "ActivityPlanReviewed",
    "ActivityRequested",
    "ActivityRescheduled",
    "ActivityScheduled",
    "AttendanceRecorded",
    "ExternalTrainingImported",
    "MaterialSubmitted",
    "ParticipantAssessed",
    "ParticipantRegistered",
    "ParticipationRecorded",
    "QuotaMet",
    "QuotaUnreachable",
    "Schedule",
]

_A = {"context": "activities", "version": 1, "aggregate": "activity"}


class _Activity(BaseModel):
    activity_id: EntityId = Field(description="The activity's id")
    county_code: CountyCode = Field(description="The county running the activity")


class Schedule(BaseModel):
    """When and where an activity takes place, and who runs it (主办/承办/协办)."""

    held_on: date = Field(description="The day of the activity")
    starts_at: time = Field(description="Local start time")
    ends_at: time = Field(description="Local end time")
    place: Text | None = Field(default=None, description="The place, for on-site activities")
    online_link: Text | None = Field(default=None, description="The link, for online ones")
    host: Text = Field(description="主办: the host, usually the research office")
    organiser_school_id: EntityId | None = Field(default=None, description="承办: organiser")
    co_organiser_school_ids: list[EntityId] = Field(
        default_factory=list, description="协办: co-organising schools"
    )
    target_school_ids: list[EntityId] = Field(
        default_factory=list, description="Schools the activity is for (e.g. receiving 送教)"
    )
    scheduled_minutes: int = Field(ge=1, description="Scheduled duration in minutes")


class ActivityRequested(Event, _Activity, name="ActivityRequested", **_A):
    """An activity was requested from the menu (菜单式预约) by a community or a school."""

    activity_kind: KindKey = Field(description="The kind's configuration key")
    activity_level: ActivityLevel = Field(description="The kind's level")
    category_hints: list[KindKey] = Field(description="Credit category hints of the kind")
    assessed: bool = Field(description="Whether participants are assessed")
    title: Text = Field(description="The activity's title")
    community_id: EntityId | None = Field(default=None, description="Requesting community")
    school_id: EntityId | None = Field(default=None, description="Requesting school")
    stage: Text | None = Field(default=None, description="The school stage it serves, if one")
    proposed_on: date = Field(description="The date proposed for it")
    requested_by: Text = Field(description="Who asked (a person or office)")
    theme: Text | None = Field(
        default=None, description="The monthly theme, for school-based training (校本研修主题)"
    )


class ActivityPlanReviewed(Event, _Activity, name="ActivityPlanReviewed", **_A):
    """The plan was reviewed (方案论证): approved with comments, returned, or rejected."""

    outcome: PlanOutcome = Field(description="The review's outcome")
    reviewer: Text = Field(description="Who reviewed it")
    comments: str = Field(default="", max_length=4000, description="Comments or the reason")


class ActivityPlanResubmitted(Event, _Activity, name="ActivityPlanResubmitted", **_A):
    """A returned plan was changed and submitted again."""

    title: Text = Field(description="The (possibly new) title")
    changes: str = Field(default="", max_length=4000, description="What changed")


class ActivityScheduled(Event, _Activity, Schedule, name="ActivityScheduled", **_A):
    """An approved activity was given its date, time, place and organisers."""

    community_id: EntityId | None = Field(
        default=None, description="The community it counts for, judged on the scheduled date"
    )


class ActivityRescheduled(Event, _Activity, Schedule, name="ActivityRescheduled", **_A):
    """A scheduled activity moved to another date, time or place."""

    reason: Text = Field(description="Why it moved")
    community_id: EntityId | None = Field(
        default=None, description="The community it counts for, judged on the new date"
    )


class ActivityCancelled(Event, _Activity, name="ActivityCancelled", **_A):
    """The activity will not take place."""

    reason: Text = Field(description="Why it was cancelled")


class ActivityHeld(Event, _Activity, name="ActivityHeld", **_A):
    """The activity took place (sign-in is open from now, within the grace period)."""

    held_on: date = Field(description="The day it was held")


class ActivityClosed(Event, _Activity, name="ActivityClosed", **_A):
    """The activity was closed; its participations follow as ``ParticipationRecorded``."""

    participants: int = Field(ge=0, description="Number of participants recorded")


class ParticipantRegistered(Event, _Activity, name="ParticipantRegistered", **_A):
    """A teacher known to the registry was registered for the activity with a role."""

    teacher_id: EntityId = Field(description="The teacher")
    teacher_county: CountyCode = Field(description="The teacher's county on the activity date")
    school_id: EntityId = Field(description="The teacher's school on the activity date")
    role: ParticipantRole = Field(description="The teacher's role")


class AttendanceRecorded(Event, _Activity, name="AttendanceRecorded", **_A):
    """A teacher signed in (签到), or was recorded absent; a later one supersedes it."""

    teacher_id: EntityId = Field(description="The teacher")
    signed_in_at: time | None = Field(default=None, description="Sign-in time; null: absent")
    signed_out_at: time | None = Field(default=None, description="Sign-out time, if any")
    status: AttendanceStatus = Field(description="Present, late, left early or absent")
    attended_minutes: int = Field(ge=0, description="Minutes attended within the schedule")


class MaterialSubmitted(Event, _Activity, name="MaterialSubmitted", **_A):
    """A file of the kind's checklist was submitted (a reflection carries its length)."""

    material_kind: KindKey = Field(description="The checklist item")
    title: Text = Field(description="The material's title")
    file_ref: Text = Field(description="Where the file is kept")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file")
    size_bytes: int = Field(ge=0, description="Size in bytes")
    submitted_by: Text = Field(description="Who submitted it")
    teacher_id: EntityId | None = Field(
        default=None, description="The teacher it belongs to; null: the activity's own"
    )
    reflection_chars: int = Field(default=0, ge=0, description="Characters of a reflection")
    submitted_at: datetime = Field(description="When it was submitted")


class ParticipantAssessed(Event, _Activity, name="ParticipantAssessed", **_A):
    """A participant was assessed (考核); a later assessment of the same teacher revises it."""

    teacher_id: EntityId = Field(description="The teacher")
    result: Result = Field(description="Passed, failed or excellent")
    assessor: Text = Field(description="Who assessed")
    comment: str = Field(default="", max_length=4000, description="The assessor's comment")


class ParticipationRecorded(Event, _Activity, name="ParticipationRecorded", **_A):
    """One teacher's completed participation, self-contained, for credits (学时认定)."""

    record: ParticipationRecord = Field(description="The whole participation")


class ExternalTrainingImported(Event, _Activity, name="ExternalTrainingImported", **_A):
    """A training result held elsewhere (国培/省培/市培/县培, online courses) was imported."""

    import_batch: Text = Field(description="The import it came from (file name or id)")
    row_number: int = Field(ge=1, description="The row of the sheet")
    provider: Text = Field(description="Who ran the training")
    certificate: Certificate | None = Field(default=None, description="Its certificate")


class QuotaMet(Event, context="activities", name="QuotaMet", version=1, aggregate="quota"):
    """A quota of a period was reached (e.g. a community's 3 exchange activities)."""

    county_code: CountyCode = Field(description="The county")
    quota_id: KindKey = Field(description="The quota rule's key in the configuration")
    period: Text = Field(description="The period, e.g. 2026-autumn or 2026")
    subject_id: EntityId = Field(description="The community, school or researcher counted")
    done: int = Field(ge=0, description="How many are done")
    required: int = Field(ge=1, description="How many are required")
    per: KindKey | None = Field(
        default=None,
        description=(
            "What the subject is: community, target_school, organiser_school, researcher or county"
        ),
    )
    stage: Text | None = Field(
        default=None, description="The school's or researcher's stage (学段), when it matters"
    )


class QuotaUnreachable(
    Event, context="activities", name="QuotaUnreachable", version=1, aggregate="quota"
):
    """A quota can no longer be met in its period (the period ended short)."""

    county_code: CountyCode = Field(description="The county")
    quota_id: KindKey = Field(description="The quota rule's key")
    period: Text = Field(description="The period")
    subject_id: EntityId = Field(description="The community, school or researcher counted")
    done: int = Field(ge=0, description="How many were done")
    required: int = Field(ge=1, description="How many were required")
    per: KindKey | None = Field(
        default=None,
        description=(
            "What the subject is: community, target_school, organiser_school, researcher or county"
        ),
    )
    stage: Text | None = Field(
        default=None, description="The school's or researcher's stage (学段), when it matters"
    )
