"""Credits commands, sent on ``cmd.<county>.credits.<Command>``.

Import them from :mod:`contracts.credits.v1`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from contracts.base import Command
from contracts.credits._v1_values import Period, PeriodKind, ReviewOutcome, ReviewStep
from contracts.registry.v1 import EntityId, Text

__all__ = ["ReviewHours", "VoidEntry"]

_C = {"context": "credits", "version": 1}


class _TeacherPeriod(BaseModel):
    teacher_id: EntityId = Field(description="The teacher")
    period: Period = Field(description='A year ("2026") or a cycle ("2021-2025")')
    period_kind: PeriodKind = Field(description="year or cycle")


class ReviewHours(Command, _TeacherPeriod, name="ReviewHours", **_C):
    """Approve or reject a teacher's hours at one review step.

    The step must be the one due (school first); approval at the chain's last step
    certifies the hours (``HoursCertified``). A rejection needs a reason.
    """

    step: ReviewStep = Field(description="The reviewing step")
    outcome: ReviewOutcome = Field(description="approved or rejected")
    reason: str = Field(default="", max_length=2000, description="Why (required if rejected)")
    reviewer: Text = Field(description="Who reviews")

    @model_validator(mode="after")
    def _reason_when_rejected(self) -> ReviewHours:
        if self.outcome is ReviewOutcome.REJECTED and not self.reason.strip():
            raise ValueError("a rejection needs a reason")
        return self


class VoidEntry(Command, _TeacherPeriod, name="VoidEntry", **_C):
    """Void one ledger entry (a correction); certified hours are taken back, never edited."""

    entry_id: EntityId = Field(description="The ledger entry")
    reason: Text = Field(description="Why")
    voided_by: Text = Field(description="Who")
