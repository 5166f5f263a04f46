"""The rule-set model (学时认定规则): one county's hour rules as validated, frozen data.

Every field is documented in ``docs/credits-rules.md``. The model checks shapes and ranges;
cross-references (categories named by rules, caps and minimums) are checked by
:mod:`services.credits.rules.checks` so their errors can name the offending path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contracts.activities.v1 import ActivityLevel, ParticipantRole, ParticipationSource

__all__ = [
    "Cap",
    "CapPeriod",
    "Category",
    "CycleSpec",
    "EvidenceRule",
    "Grandfathering",
    "HourBasis",
    "HourRule",
    "NewTeacherTargets",
    "Proration",
    "ResultMultipliers",
    "RuleSet",
    "Targets",
]

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
Hours = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
Weight = Annotated[Decimal, Field(ge=0, le=10, max_digits=6, decimal_places=3)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Model):
    """A credit category (e.g. 集中培训 centralised) and its hours → credits conversion."""

    key: Key
    name: str = Field(min_length=1, max_length=60)
    hours_per_credit: Decimal = Field(gt=0, le=1000, max_digits=8, decimal_places=2)
    centralised: bool = False
    """Whether it is centralised training (集中培训), for reports."""


class HourBasis(StrEnum):
    """What an activity's base hours are: its scheduled time, the attended time, or fixed."""

    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    FIXED = "fixed"


class EvidenceRule(_Model):
    """Evidence a participation needs to earn anything; empty ``roles``/``sources``: all."""

    roles: tuple[ParticipantRole, ...] = ()
    sources: tuple[ParticipationSource, ...] = ()
    reflection_min_chars: int | None = Field(default=None, ge=1, le=100_000)
    checklist_complete: bool = False
    certificate: bool = False


class ResultMultipliers(_Model):
    """Hours multiplier by assessment result; a failed result always earns nothing."""

    passed: Weight = Decimal(1)
    excellent: Weight = Decimal(1)


class HourRule(_Model):
    """How one group of activities earns hours; the first rule that matches a record wins."""

    id: Key
    description: str = ""
    kinds: tuple[Key, ...] = Field(min_length=1)
    levels: tuple[ActivityLevel, ...] = ()
    roles: tuple[ParticipantRole, ...] = ()
    sources: tuple[ParticipationSource, ...] = ()
    community_member: bool | None = None
    """Only teachers who were (true) or were not (false) members of the activity's community."""
    category: Key
    basis: HourBasis = HourBasis.SCHEDULED
    fixed_hours: Hours | None = None
    role_weights: dict[ParticipantRole, Weight] = Field(default_factory=dict)
    level_weights: dict[ActivityLevel, Weight] = Field(default_factory=dict)
    result_multipliers: ResultMultipliers | None = None
    evidence: tuple[EvidenceRule, ...] = ()
    max_missed_fraction: Fraction | None = None
    max_hours: Hours | None = None
    """Per-activity cap for this rule, in hours (after weights)."""


class CapPeriod(StrEnum):
    """What a cap limits: one activity, a category in a year, a category in a cycle."""

    ACTIVITY = "activity"
    YEAR = "year"
    CYCLE = "cycle"


class Cap(_Model):
    """At most ``hours`` of ``category`` per activity, per year or per cycle."""

    category: Key
    per: CapPeriod
    hours: Hours


class CycleSpec(_Model):
    """The accounting cycle (周期): cycles of ``years`` years counted from ``start_year``."""

    start_year: int = Field(ge=2000, le=2100)
    years: int = Field(default=5, ge=1, le=10)


class NewTeacherTargets(_Model):
    """Targets for teachers on probation (新教师), replacing the annual ones."""

    annual: Hours
    annual_minimums: dict[Key, Hours] = Field(default_factory=dict)


class Targets(_Model):
    """Hours a teacher must reach per year and per cycle, with category minimums."""

    annual: Hours = Decimal(36)
    annual_minimums: dict[Key, Hours] = Field(default_factory=dict)
    cycle: Hours = Decimal(360)
    cycle_minimums: dict[Key, Hours] = Field(default_factory=dict)
    new_teacher: NewTeacherTargets | None = None


class Proration(_Model):
    """Targets for a part of a period: by months in post, the joining month counted or not."""

    enabled: bool = True
    count_partial_months: bool = True


class Grandfathering(_Model):
    """What a recomputation under these rules may change in entries already on the ledger."""

    policy: Literal["retroactive", "from_date", "never_reduce_certified"] = "retroactive"
    from_date: date | None = None


ReviewStep = Literal["school", "county", "city", "province"]


class RuleSet(_Model):
    """One version of one county's hour rules, effective over a range of dates."""

    id: Key
    version: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z._-]+$")
    name: str = ""
    county_code: str = Field(pattern=r"^([0-9]{6}|\*)$")
    effective_from: date
    effective_to: date | None = None
    year_basis: Literal["calendar", "school"] = "calendar"
    cycle: CycleSpec
    categories: tuple[Category, ...] = Field(min_length=1)
    role_weights: dict[ParticipantRole, Weight]
    level_weights: dict[ActivityLevel, Weight] = Field(default_factory=dict)
    result_multipliers: ResultMultipliers = ResultMultipliers()
    max_missed_fraction: Fraction = Decimal("0.2")
    evidence: tuple[EvidenceRule, ...] = ()
    """Evidence every rule requires, besides the rule's own."""
    hour_rules: tuple[HourRule, ...] = Field(min_length=1)
    caps: tuple[Cap, ...] = ()
    targets: Targets = Targets()
    proration: Proration = Proration()
    grandfathering: Grandfathering = Grandfathering()
    review_chain: tuple[ReviewStep, ...] = ("school", "county")

    @field_validator("role_weights")
    @classmethod
    def _every_role_weighted(
        cls, weights: dict[ParticipantRole, Decimal]
    ) -> dict[ParticipantRole, Decimal]:
        """A role without a weight would silently earn nothing: name it instead."""
        missing = [r.value for r in ParticipantRole if r not in weights]
        if missing:
            raise ValueError(f"missing a weight for {', '.join(missing)}")
        return weights

    @cached_property
    def _categories_by_key(self) -> dict[str, Category]:
        """Look-ups by key: a replay evaluates millions of records against one rule set."""
        return {c.key: c for c in reversed(self.categories)}

    @cached_property
    def _caps_by_key(self) -> dict[tuple[str, CapPeriod], Decimal]:
        return {(c.category, c.per): c.hours for c in reversed(self.caps)}

    def category(self, key: str) -> Category | None:
        """The category with this key, if any."""
        return self._categories_by_key.get(key)

    def cap(self, category: str, per: CapPeriod) -> Decimal | None:
        """The cap on ``category`` for ``per``, if the rules set one."""
        return self._caps_by_key.get((category, CapPeriod(per)))

    @property
    def min_attended_fraction(self) -> Decimal:
        """The share of the scheduled time a teacher must attend to earn anything."""
        return 1 - self.max_missed_fraction

    @property
    def label(self) -> str:
        """``id@version``, as ledger entries and reports name the rule set."""
        return f"{self.id}@{self.version}"
