"""A county's notification settings as data: schedules, audiences, quiet hours, channels.

``config/defaults.yaml`` holds the defaults and ``config/counties/<division code>.yaml`` a
county's overrides (a top-level key replaces the default's). Validated on load: a bad file
is refused with the path of the bad field. Secrets are named by environment variable
(``secret_env``); a literal ``secret`` is for tests and local trials.
"""

from __future__ import annotations

import os
from datetime import date, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.registry.v1 import SchoolStage
from services.notify.calendar import WEEKDAYS, DeadlineRule, QuietHours
from yanpei.countyfiles import county_settings

__all__ = [
    "ActivityReminder",
    "Audience",
    "CountyConfig",
    "Deadline",
    "Endpoint",
    "MaterialsDeadline",
    "MissingSecret",
    "Reminder",
    "Subscription",
    "WebhookTarget",
    "load_county",
]

CONFIG_DIR = Path(__file__).parent / "config"
Language = Literal["zh", "en"]
_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class MissingSecret(LookupError):
    """A channel's secret is named by an environment variable that is not set."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Deadline(_Model):
    """When something is due: one of ``on``, ``yearly``, ``monthly_day``, ``last_weekday``."""

    on: date | None = None
    yearly: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    monthly_day: int | None = Field(default=None, ge=1, le=31)
    last_weekday: str | None = Field(default=None, pattern="^(" + "|".join(WEEKDAYS) + ")$")

    @model_validator(mode="after")
    def _one(self) -> Deadline:
        self.rule  # noqa: B018 - raises when not exactly one is given
        return self

    @cached_property
    def rule(self) -> DeadlineRule:
        """The calendar rule."""
        return DeadlineRule(self.on, self.yearly, self.monthly_day, self.last_weekday)


class Audience(_Model):
    """Who a dated reminder is for: exactly one of these."""

    all_schools: bool = False
    stage: SchoolStage | None = None
    community: str | None = None
    schools: tuple[str, ...] = ()
    teacher: str | None = None
    researchers: bool = False

    @model_validator(mode="after")
    def _one(self) -> Audience:
        chosen = [self.all_schools, self.stage, self.community, self.schools, self.teacher]
        if sum(bool(c) for c in [*chosen, self.researchers]) != 1:
            raise ValueError(
                "an audience is exactly one of all_schools, stage, community, schools, "
                "teacher, researchers"
            )
        return self


class Reminder(_Model):
    """A dated reminder: ``days_before`` each deadline, at a local time, to an audience."""

    id: str = Field(pattern=_ID)
    title: dict[Language, str]
    deadline: Deadline
    days_before: tuple[int, ...] = Field(default=(0,), min_length=1)
    at: time = time(9, 0)
    audience: Audience


class ActivityReminder(_Model):
    """A reminder ``days``/``hours`` before each scheduled activity starts."""

    id: str = Field(pattern=_ID)
    days: int = Field(default=0, ge=0)
    hours: int = Field(default=0, ge=0)
    schools: bool = Field(default=False, description="Also the target and organiser schools")

    @property
    def lead(self) -> timedelta:
        """How long before the start it fires."""
        return timedelta(days=self.days, hours=self.hours)


class MaterialsDeadline(_Model):
    """Materials owed by participants of held activities, due on a deadline."""

    id: str = Field(pattern=_ID)
    title: dict[Language, str]
    deadline: Deadline
    days_before: tuple[int, ...] = Field(default=(3,), min_length=1)
    at: time = time(9, 0)
    materials: tuple[str, ...] = Field(min_length=1, description="Checklist items per teacher")
    roles: tuple[str, ...] = Field(default=(), description="Only these roles; empty: all")
    held_within_days: int = Field(default=120, ge=1, description="Activities held this long before")


class WebhookTarget(_Model):
    """An HTTP endpoint and the secret that signs what is sent to it."""

    url: str = Field(pattern=r"^https?://")
    secret: str | None = None
    secret_env: str | None = None

    def key(self) -> str | None:
        """The secret (None: unsigned); MissingSecret when its variable is unset."""
        if self.secret_env:
            value = os.environ.get(self.secret_env)
            if value is None:
                raise MissingSecret(f"environment variable {self.secret_env} is not set")
            return value
        return self.secret


class Endpoint(_Model):
    """How one recipient (``teacher:<id>``, ``school:<id>``) is reached, and how often."""

    email: str | None = None
    webhook: WebhookTarget | None = None
    dingtalk: WebhookTarget | None = None
    language: Language | None = None
    digest: bool = Field(default=False, description="One daily digest instead of single messages")

    @property
    def channels(self) -> list[str]:
        """The channels configured, in a fixed order."""
        return [c for c in ("email", "webhook", "dingtalk") if getattr(self, c) is not None]


class Subscription(_Model):
    """An agency's signed webhook receiving every notification of some kinds."""

    name: str = Field(pattern=_ID)
    webhook: WebhookTarget
    kinds: tuple[str, ...] = Field(default=(), description="Empty: every kind")


class CountyConfig(_Model):
    """Everything a county decides about its notifications."""

    county: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    time_zone: str = "Asia/Shanghai"
    language: Language = "zh"
    quiet_hours: dict[str, time] | None = None
    digest_at: time = time(18, 0)
    event_max_age_days: int = Field(default=7, ge=0)
    max_catch_up_days: int = Field(default=3, ge=0)
    kinds_off: tuple[str, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    activity_reminders: tuple[ActivityReminder, ...] = ()
    materials_deadlines: tuple[MaterialsDeadline, ...] = ()
    recipients: dict[str, Endpoint] = Field(default_factory=dict)
    subscriptions: tuple[Subscription, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> CountyConfig:
        self.zone  # noqa: B018 - an unknown zone raises here
        if self.quiet_hours is not None and set(self.quiet_hours) != {"start", "end"}:
            raise ValueError("quiet_hours has exactly start and end")
        for key in self.recipients:
            if not key.startswith(("teacher:", "school:")):
                raise ValueError(f"recipient {key!r} is teacher:<id> or school:<id>")
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        """The county's time zone."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.time_zone!r}") from None

    @cached_property
    def quiet(self) -> QuietHours | None:
        """Quiet hours, if any."""
        if self.quiet_hours is None:
            return None
        return QuietHours(self.quiet_hours["start"], self.quiet_hours["end"])


def load_county(
    county: str, *, config_dir: Path = CONFIG_DIR, extra: dict[str, Any] | None = None
) -> CountyConfig:
    """The defaults, overridden by the county's file (if any) and then by ``extra``."""
    merged = county_settings(config_dir, county, extra)
    merged["county"] = county
    return CountyConfig.model_validate(merged)
