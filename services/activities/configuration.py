"""The activities configuration: kinds, checklists, quotas, calendar, grace periods.

Rules are data: ``config/defaults.yaml`` holds the defaults and
``config/counties/<division code>.yaml`` a county's overrides (any top-level key replaces the
default's). Everything is validated on load; a bad file is refused with its field path.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.activities.v1 import ActivityLevel, ParticipantRole
from yanpei.countyfiles import county_settings

__all__ = [
    "ChecklistItem",
    "CountyConfig",
    "KindSpec",
    "QuotaPer",
    "QuotaRule",
    "Semester",
    "load_county",
]

CONFIG_DIR = Path(__file__).parent / "config"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChecklistItem(_Model):
    """One item of a kind's materials checklist, for the activity or for each teacher."""

    item: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    per: str = Field(pattern=r"^(activity|teacher)$")
    roles: tuple[ParticipantRole, ...] = ()

    @property
    def is_reflection(self) -> bool:
        """Reflections carry text of a minimum length."""
        return self.item == "reflection"


class KindSpec(_Model):
    """An activity kind: level, roles, checklist, whether it is assessed or an exchange."""

    level: ActivityLevel
    roles: tuple[ParticipantRole, ...] = Field(min_length=1)
    assessed: bool
    exchange: bool = False
    category_hints: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    reflection_min_chars: int | None = Field(default=None, ge=0)
    themed: bool = False
    """Whether the county's monthly themes apply (school-based training)."""


class QuotaPer(StrEnum):
    """What a quota counts for."""

    COMMUNITY = "community"
    TARGET_SCHOOL = "target_school"
    ORGANISER_SCHOOL = "organiser_school"
    RESEARCHER = "researcher"
    COUNTY = "county"


class QuotaRule(_Model):
    """At least ``required`` activities of ``kinds`` per ``per`` and ``period``.

    ``counts``: ``held`` activities, or ``uploads`` (held activities whose ``upload_items``
    were all submitted; none listed: any material). ``roles``: for researcher quotas, the
    roles that count. ``by_stage``: for researcher quotas, count only activities serving the
    researcher's stage. ``required_by_stage`` is keyed by the school's or researcher's stage.
    """

    kinds: tuple[str, ...] = Field(min_length=1)
    per: QuotaPer
    period: str = Field(pattern=r"^(semester|year)$")
    required: int | None = Field(default=None, ge=1)
    required_by_stage: dict[str, int] | None = None
    roles: tuple[ParticipantRole, ...] = ()
    counts: str = Field(default="held", pattern=r"^(held|uploads)$")
    upload_items: tuple[str, ...] = ()
    by_stage: bool = False

    @model_validator(mode="after")
    def _one_requirement(self) -> QuotaRule:
        if (self.required is None) == (self.required_by_stage is None):
            raise ValueError("give exactly one of required and required_by_stage")
        if self.upload_items and self.counts != "uploads":
            raise ValueError("upload_items need counts: uploads")
        if self.by_stage and self.per is not QuotaPer.RESEARCHER:
            raise ValueError("by_stage is for researcher quotas")
        return self

    def required_for(self, stage: str | None) -> int | None:
        """How many are required of a subject (None: the quota does not apply to it)."""
        if self.required is not None:
            return self.required
        assert self.required_by_stage is not None
        return self.required_by_stage.get(stage or "")


class Semester(_Model):
    """A semester of the county's calendar."""

    key: str = Field(pattern=r"^[0-9]{4}-(autumn|spring)$")
    starts_on: date
    ends_on: date


class CountyConfig(_Model):
    """A county's whole activities configuration."""

    sign_in_grace_days: int = Field(ge=0)
    late_tolerance_minutes: int = Field(ge=0)
    reflection_min_chars: int = Field(ge=0)
    semesters: tuple[Semester, ...]
    kinds: dict[str, KindSpec]
    quotas: dict[str, QuotaRule]
    monthly_themes: dict[int, str] = Field(default_factory=dict)
    """School-based training themes by month number (校本研修月主题)."""

    @model_validator(mode="after")
    def _known_kinds(self) -> CountyConfig:
        for key, quota in self.quotas.items():
            unknown = set(quota.kinds) - self.kinds.keys()
            if unknown:
                raise ValueError(f"quota {key} counts unknown kinds {sorted(unknown)}")
            items = {i.item for kind in quota.kinds for i in self.kinds[kind].checklist}
            if set(quota.upload_items) - items:
                missing = sorted(set(quota.upload_items) - items)
                raise ValueError(f"quota {key} uploads {missing}, on no checklist of its kinds")
        return self

    def kind(self, key: str) -> KindSpec | None:
        """The kind named ``key``, if configured."""
        return self.kinds.get(key)

    def reflection_minimum(self, kind: str) -> int:
        """The minimum reflection length for ``kind``."""
        spec = self.kinds.get(kind)
        if spec is not None and spec.reflection_min_chars is not None:
            return spec.reflection_min_chars
        return self.reflection_min_chars

    def semester_of(self, day: date) -> Semester | None:
        """The semester ``day`` falls in, if any."""
        return next((s for s in self.semesters if s.starts_on <= day <= s.ends_on), None)


def load_county(
    county: str, *, config_dir: Path = CONFIG_DIR, extra: dict[str, Any] | None = None
) -> CountyConfig:
    """The defaults overlaid with the county's file (if any) and ``extra`` keys."""
    return CountyConfig.model_validate(county_settings(config_dir, county, extra))
