"""Activities contracts, major version 1: teaching-research activities (教研活动).

Events on ``evt.<county>.activities.activity.<activity_id>.<Event>`` (quota events on
``…activities.quota.<quota key>.<Event>``); commands on ``cmd.<county>.activities.<Command>``.
Credits needs only ``ParticipationRecorded``: each carries a complete
:class:`ParticipationRecord`.
"""

from __future__ import annotations

from contracts.activities._v1_commands import (
    AssessParticipant,
    CancelActivity,
    CloseActivity,
    MarkActivityHeld,
    ParticipantEntry,
    RecordExternalTraining,
    RegisterParticipant,
    RegisterParticipants,
    RequestActivity,
    RescheduleActivity,
    ResubmitActivityPlan,
    ReviewActivityPlan,
    ScheduleActivity,
    SignIn,
    SignInEntry,
    SignInMany,
    SubmitMaterial,
)
from contracts.activities._v1_events import (
    ActivityCancelled,
    ActivityClosed,
    ActivityHeld,
    ActivityPlanResubmitted,
    ActivityPlanReviewed,
    ActivityRequested,
    ActivityRescheduled,
    ActivityScheduled,
    AttendanceRecorded,
    ExternalTrainingImported,
    MaterialSubmitted,
    ParticipantAssessed,
    ParticipantRegistered,
    ParticipationRecorded,
    QuotaMet,
    QuotaUnreachable,
    Schedule,
)
from contracts.activities._v1_values import (
    ActivityLevel,
    AttendanceStatus,
    Certificate,
    Evidence,
    KindKey,
    MaterialRef,
    ParticipantRole,
    ParticipationRecord,
    ParticipationSource,
    PlanOutcome,
    Result,
)
from contracts.base import Command, Event

__all__ = [
    "COMMANDS",
    "EVENTS",
    "ActivityCancelled",
    "ActivityClosed",
    "ActivityHeld",
    "ActivityLevel",
    "ActivityPlanResubmitted",
    "ActivityPlanReviewed",
    "ActivityRequested",
    "ActivityRescheduled",
    "ActivityScheduled",
    "AssessParticipant",
    "AttendanceRecorded",
    "AttendanceStatus",
    "CancelActivity",
    "Certificate",
    "CloseActivity",
    "Evidence",
    "ExternalTrainingImported",
    "KindKey",
    "MarkActivityHeld",
    "MaterialRef",
    "MaterialSubmitted",
    "ParticipantAssessed",
    "ParticipantEntry",
    "ParticipantRegistered",
    "ParticipantRole",
    "ParticipationRecord",
    "ParticipationRecorded",
    "ParticipationSource",
    "PlanOutcome",
    "QuotaMet",
    "QuotaUnreachable",
    "RecordExternalTraining",
    "RegisterParticipant",
    "RegisterParticipants",
    "RequestActivity",
    "RescheduleActivity",
    "ResubmitActivityPlan",
    "Result",
    "ReviewActivityPlan",
    "Schedule",
    "ScheduleActivity",
    "SignIn",
    "SignInEntry",
    "SignInMany",
    "SubmitMaterial",
]

EVENTS: tuple[type[Event], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Event) and value.context == "activities"
)
"""Every public activities event of v1."""

COMMANDS: tuple[type[Command], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Command) and value.context == "activities"
)
"""Every public activities command of v1."""
