"""Activity commands, sent on ``cmd.<county>.activities.<Command>``.

Import them from :mod:`contracts.activities.v1`. Level, category hints and checklist come
from the county's kind configuration, not from the caller.
"""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, Field, model_validator

from contracts.activities._v1_events import Schedule
from contracts.activities._v1_values import (
    ActivityLevel,
    Certificate,
    KindKey,
    ParticipantRole,
    PlanOutcome,
    Result,
)
from contracts.base import Command
from contracts.registry.v1 import EntityId, Text

__all__ = [
    "AssessParticipant",
    "CancelActivity",
    "CloseActivity",
    "MarkActivityHeld",
    "ParticipantEntry",
    "RecordExternalTraining",
    "RegisterParticipant",
    "RegisterParticipants",
    "RequestActivity",
    "RescheduleActivity",
    "ResubmitActivityPlan",
    "ReviewActivityPlan",
    "ScheduleActivity",
    "SignIn",
    "SignInEntry",
    "SignInMany",
    "SubmitMaterial",
]

_C = {"context": "activities", "version": 1}


class _Activity(BaseModel):
    activity_id: EntityId = Field(description="The activity's id")


class RequestActivity(Command, _Activity, name="RequestActivity", **_C):
    """Request an activity from the menu, for a community or a school."""

    activity_kind: KindKey = Field(description="The kind's configuration key")
    title: Text = Field(description="The activity's title")
    community_id: EntityId | None = Field(default=None, description="Requesting community")
    school_id: EntityId | None = Field(default=None, description="Requesting school")
    stage: Text | None = Field(default=None, description="The school stage it serves, if one")
    proposed_on: date = Field(description="The date proposed")
    requested_by: Text = Field(description="Who asks")
    theme: Text | None = Field(
        default=None, description="A theme; default: the county's theme of that month, if any"
    )

    @model_validator(mode="after")
    def _requester(self) -> RequestActivity:
        if not (self.community_id or self.school_id):
            raise ValueError("a community_id or a school_id must request the activity")
        return self


class ReviewActivityPlan(Command, _Activity, name="ReviewActivityPlan", **_C):
    """Review a requested plan: approve (with comments), return for changes, or reject."""

    outcome: PlanOutcome = Field(description="The outcome")
    reviewer: Text = Field(description="Who reviews")
    comments: str = Field(default="", max_length=4000, description="Comments or reason")


class ResubmitActivityPlan(Command, _Activity, name="ResubmitActivityPlan", **_C):
    """Submit a returned plan again."""

    title: Text = Field(description="The (possibly new) title")
    changes: str = Field(default="", max_length=4000, description="What changed")


class ScheduleActivity(Command, _Activity, Schedule, name="ScheduleActivity", **_C):
    """Give an approved activity its date, time, place and organisers."""


class RescheduleActivity(Command, _Activity, Schedule, name="RescheduleActivity", **_C):
    """Move a scheduled activity."""

    reason: Text = Field(description="Why it moves")


class CancelActivity(Command, _Activity, name="CancelActivity", **_C):
    """Cancel an activity that has not been held."""

    reason: Text = Field(description="Why")


class MarkActivityHeld(Command, _Activity, name="MarkActivityHeld", **_C):
    """Record that a scheduled activity took place on its scheduled day."""


class CloseActivity(Command, _Activity, name="CloseActivity", **_C):
    """Close a held activity; writes one ParticipationRecorded per participant."""


class RegisterParticipant(Command, _Activity, name="RegisterParticipant", **_C):
    """Register a teacher known to the registry with a role the kind allows."""

    teacher_id: EntityId = Field(description="The teacher")
    role: ParticipantRole = Field(description="The role")


class ParticipantEntry(BaseModel):
    """One teacher and role, in a bulk registration."""

    teacher_id: EntityId = Field(description="The teacher")
    role: ParticipantRole = Field(description="The role")


class RegisterParticipants(Command, _Activity, name="RegisterParticipants", **_C):
    """Register many teachers at once; all or nothing."""

    participants: list[ParticipantEntry] = Field(
        min_length=1, max_length=900, description="The teachers and their roles"
    )


class SignInEntry(BaseModel):
    """One line of a sign-in sheet."""

    teacher_id: EntityId = Field(description="The teacher")
    signed_in_at: time | None = Field(default=None, description="Sign-in time; null: absent")
    signed_out_at: time | None = Field(default=None, description="Sign-out time, if any")


class SignIn(Command, _Activity, SignInEntry, name="SignIn", **_C):
    """Sign a registered participant in (or record them absent)."""


class SignInMany(Command, _Activity, name="SignInMany", **_C):
    """Sign in many participants at once (a sheet); all or nothing."""

    entries: list[SignInEntry] = Field(min_length=1, max_length=900, description="The lines")


class SubmitMaterial(Command, _Activity, name="SubmitMaterial", **_C):
    """Submit a material of the kind's checklist; a reflection carries its text."""

    material_kind: KindKey = Field(description="The checklist item")
    title: Text = Field(description="The title")
    file_ref: Text = Field(description="Where the file is kept")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file")
    size_bytes: int = Field(ge=0, description="Size in bytes")
    submitted_by: Text = Field(description="Who submits")
    teacher_id: EntityId | None = Field(default=None, description="The teacher it belongs to")
    reflection_text: str | None = Field(
        default=None, max_length=100_000, description="The reflection's text, for reflections"
    )


class AssessParticipant(Command, _Activity, name="AssessParticipant", **_C):
    """Assess a participant of a held activity; assessing again revises the result."""

    teacher_id: EntityId = Field(description="The teacher")
    result: Result = Field(description="The result")
    assessor: Text = Field(description="Who assesses")
    comment: str = Field(default="", max_length=4000, description="Comment")


class RecordExternalTraining(Command, _Activity, name="RecordExternalTraining", **_C):
    """Record one external training result (one row of an import); id = the record's id."""

    import_batch: Text = Field(description="The import it comes from")
    row_number: int = Field(ge=1, description="The sheet's row")
    activity_kind: KindKey = Field(description="The kind (e.g. external_training_province)")
    activity_level: ActivityLevel | None = Field(
        default=None, description="The level, when the kind does not fix it"
    )
    title: Text = Field(description="The course or training's title")
    provider: Text = Field(description="Who ran it")
    teacher_id: EntityId = Field(description="The teacher")
    held_on: date = Field(description="The last day of the training")
    minutes: int = Field(ge=1, le=60 * 24 * 60, description="Its duration in minutes")
    result: Result = Field(description="The result")
    certificate: Certificate | None = Field(default=None, description="Its certificate")
