"""Named business rules: one small class per rule, checked by :func:`check`.

A rule says when it is broken and why; :func:`check` raises the first broken one as a
:class:`~contracts.replies.RuleBroken` that names the rule, so the reply and the import
report can say which rule refused a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from contracts.replies import NotFound, RuleBroken

__all__ = [
    "BusinessRule",
    "EffectiveDateWithinReach",
    "NotBefore",
    "check",
    "must_exist",
]

MAX_DAYS_AHEAD = 366


class BusinessRule:
    """A rule of the domain; subclasses say when it is broken."""

    field: ClassVar[str | None] = None

    @property
    def name(self) -> str:
        """The rule's name, as shown in replies (its class name)."""
        return type(self).__name__

    def is_broken(self) -> bool:  # pragma: no cover - every rule overrides it
        raise NotImplementedError

    def message(self) -> str:  # pragma: no cover - every rule overrides it
        raise NotImplementedError


def check(*rules: BusinessRule) -> None:
    """Raise RuleBroken for the first broken rule."""
    for rule in rules:
        if rule.is_broken():
            raise RuleBroken(rule.message(), field=rule.field, rule=rule.name)


def must_exist(exists: bool, what: str, field: str | None = None) -> None:
    """Raise NotFound when ``exists`` is false."""
    if not exists:
        raise NotFound(f"{what} is not in the registry", field=field)


@dataclass(frozen=True)
class EffectiveDateWithinReach(BusinessRule):
    """An effective date is at most a year ahead: a later one is a typing error."""

    effective_on: date
    today: date
    field: ClassVar[str | None] = "effective_on"

    def is_broken(self) -> bool:
        return self.effective_on > self.today + timedelta(days=MAX_DAYS_AHEAD)

    def message(self) -> str:
        return f"effective date {self.effective_on} is more than a year ahead of {self.today}"


@dataclass(frozen=True)
class NotBefore(BusinessRule):
    """A change cannot take effect before the thing it changes began."""

    effective_on: date
    start: date
    what: str
    field: ClassVar[str | None] = "effective_on"

    def is_broken(self) -> bool:
        return self.effective_on < self.start

    def message(self) -> str:
        return f"effective date {self.effective_on} is before {self.what} ({self.start})"
