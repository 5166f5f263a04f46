"""From events to dated facts, and from facts to versions and intervals (pure).

A fact says: from ``effective_on``, attribute ``attribute`` of an entity has ``value``
(``None``: no longer set). Folding an entity's facts in (effective date, stream sequence)
order gives its state on any date, whatever order the changes were recorded in, so a late
correction with an earlier effective date lands where it belongs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

__all__ = ["Fact", "Interval", "Version", "intervals", "versions"]


@dataclass(frozen=True)
class Fact:
    """One dated fact about one entity, from the event at ``sequence``."""

    kind: str
    entity: str
    county: str
    attribute: str
    effective_on: date
    sequence: int
    value: Any

    def row(self) -> dict[str, Any]:
        """The fact as a table row (``value`` stays a JSON-able Python value)."""
        return {
            "kind": self.kind,
            "entity": self.entity,
            "county": self.county,
            "attribute": self.attribute,
            "effective_on": self.effective_on,
            "sequence": self.sequence,
            "value": self.value,
        }


@dataclass(frozen=True)
class Version:
    """An entity's attributes from ``valid_from`` up to the day before ``valid_to``."""

    valid_from: date
    valid_to: date | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Interval:
    """A value an attribute held from ``valid_from`` up to the day before ``valid_to``."""

    attribute: str
    valid_from: date
    valid_to: date | None
    value: Any


def _ordered(facts: Iterable[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.effective_on, f.sequence, f.attribute))


def versions(facts: Iterable[Fact], *, exists: str = "status") -> list[Version]:
    """The successive states of one entity, from the first date ``exists`` is set.

    Facts of the same date make one change point; equal neighbours merge.
    """
    state: dict[str, Any] = {}
    points: list[tuple[date, dict[str, Any]]] = []
    for day, same_day in groupby(_ordered(facts), key=lambda f: f.effective_on):
        for fact in same_day:
            state[fact.attribute] = fact.value
        if state.get(exists) is not None:
            if points and points[-1][1] == state:
                continue
            points.append((day, dict(state)))
    return [
        Version(day, points[i + 1][0] if i + 1 < len(points) else None, values)
        for i, (day, values) in enumerate(points)
    ]


def intervals(facts: Iterable[Fact], *, prefix: str) -> Iterator[Interval]:
    """The non-empty intervals of each attribute starting with ``prefix`` (memberships)."""
    chosen = [f for f in facts if f.attribute.startswith(prefix)]
    by_attribute = sorted(chosen, key=lambda f: f.attribute)
    for attribute, group in groupby(by_attribute, key=lambda f: f.attribute):
        opened: tuple[date, Any] | None = None
        for fact in _ordered(group):
            if opened is not None and (fact.value is None or fact.value != opened[1]):
                if fact.effective_on > opened[0]:
                    yield Interval(attribute, opened[0], fact.effective_on, opened[1])
                opened = None
            if fact.value is not None and opened is None:
                opened = (fact.effective_on, fact.value)
        if opened is not None:
            yield Interval(attribute, opened[0], None, opened[1])
