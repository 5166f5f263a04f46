"""Credits events: totals, shortfalls, corrections, review, certification, voided entries.

Import them from :mod:`contracts.credits.v1`. Everything about one teacher's hours in one
period is on ``evt.<county>.credits.teacher_hours.<teacher_id>_<period>.<Event>`` (the
aggregate id from :func:`contracts.credits.v1.teacher_hours_id`); a switch of the live
ledger is on ``evt.<county>.credits.ledger.<rule_set_id>.LedgerSwitched``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from contracts.base import Event
from contracts.credits._v1_values import (
    Hours,
    Period,
    PeriodKind,
    ReviewOutcome,
    ReviewStep,
    RuleSetId,
    RuleSetVersion,
)
from contracts.registry.v1 import CountyCode, EntityId, Text

__all__ = [
    "EntryVoided",
    "HoursCertified",
    "HoursCorrected",
    "HoursReviewed",
    "LedgerSwitched",
    "ShortfallDetected",
    "TeacherHoursChanged",
]

_T = {"context": "credits", "version": 1, "aggregate": "teacher_hours"}


class _TeacherPeriod(BaseModel):
    county_code: CountyCode = Field(description="The teacher's county (6-digit division code)")
    teacher_id: EntityId = Field(description="The teacher")
    school_id: EntityId = Field(description="The teacher's school at the end of the period")
    period: Period = Field(
        description='A year ("2026" or school year "2025/2026") or a cycle ("2021-2025")'
    )
    period_kind: PeriodKind = Field(description="year or cycle")


class _RuleSet(BaseModel):
    rule_set_id: RuleSetId = Field(description="The rule set that computed the hours")
    rule_set_version: RuleSetVersion = Field(description="Its version (e.g. 2026.1)")


class TeacherHoursChanged(Event, _TeacherPeriod, _RuleSet, name="TeacherHoursChanged", **_T):
    """A teacher's total hours (学时) for a year or cycle changed in the live ledger.

    Hours, credits, target and shortfall are decimal strings on the wire (``"36.5"``).
    """

    hours: Hours = Field(description="Total hours after caps, a decimal string")
    credits: Hours = Field(description="Total credits (学分) after conversion, a decimal string")
    target: Hours = Field(description="The teacher's target for the period (e.g. 36 or 360)")
    shortfall: Hours = Field(ge=0, description="max(0, target - hours)")


class ShortfallDetected(Event, _TeacherPeriod, name="ShortfallDetected", **_T):
    """A teacher is short of the period's target (as of a date, for a warning)."""

    hours: Hours = Field(description="Total hours so far")
    target: Hours = Field(description="The target")
    shortfall: Hours = Field(gt=0, description="Hours still missing")
    as_of: date = Field(description="The day the shortfall was judged")


class HoursCorrected(Event, _TeacherPeriod, _RuleSet, name="HoursCorrected", **_T):
    """A replay under another rule set changed a total; the live ledger now says ``hours``.

    ``rule_set_id``/``rule_set_version`` name the new rule set; ``difference`` is
    ``hours - previous_hours`` (negative: the teacher loses hours).
    """

    previous_hours: Hours = Field(description="The total before the switch")
    hours: Hours = Field(description="The total after the switch")
    difference: Hours = Field(description="hours - previous_hours")
    reason: Text = Field(description="Why (e.g. the rule change's title)")
    replay_id: EntityId = Field(description="The replay that computed it")


class HoursReviewed(Event, _TeacherPeriod, name="HoursReviewed", **_T):
    """One review step (学时审核) approved or rejected a teacher's hours for a period."""

    step: ReviewStep = Field(description="school, county or city")
    outcome: ReviewOutcome = Field(description="approved or rejected")
    reason: str = Field(default="", max_length=2000, description="Required when rejected")
    reviewer: Text = Field(description="Who reviewed")
    hours: Hours = Field(description="The hours reviewed")
    entry_ids: list[EntityId] = Field(description="The ledger entries reviewed")
    next_step: ReviewStep | None = Field(
        default=None, description="The step that reviews next; null when the chain is done"
    )


class HoursCertified(Event, _TeacherPeriod, _RuleSet, name="HoursCertified", **_T):
    """The last review step approved: these hours are certified (认定) and final."""

    hours: Hours = Field(description="The certified hours, a decimal string")
    entry_ids: list[EntityId] = Field(description="The certified ledger entries")
    certified_by: Text = Field(description="The last reviewer")


class EntryVoided(Event, _TeacherPeriod, name="EntryVoided", **_T):
    """A ledger entry was voided (作废): it counts no more, and if it was certified, its
    hours are taken back on the next statement. Never an edit of the entry.
    """

    entry_id: EntityId = Field(description="The voided ledger entry")
    activity_id: EntityId = Field(description="The activity that earned it")
    hours: Hours = Field(description="The entry's hours, now taken back")
    reason: Text = Field(description="Why it was voided")
    voided_by: Text = Field(description="Who voided it")
    was_certified: bool = Field(description="Whether certified hours are taken back")


class LedgerSwitched(
    Event, name="LedgerSwitched", context="credits", version=1, aggregate="ledger"
):
    """The live ledger switched to a replayed version computed with another rule set."""

    county_code: CountyCode = Field(description="The county whose ledger switched")
    rule_set_id: RuleSetId = Field(description="The new rule set")
    rule_set_version: RuleSetVersion = Field(description="Its version (e.g. 2026.1)")
    replay_id: EntityId = Field(description="The replay that built the new ledger")
    changed_totals: int = Field(ge=0, description="How many totals changed")
