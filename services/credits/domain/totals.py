"""Totals per teacher per year and per cycle, with caps, targets, proration and shortfalls.

Caps that span activities are applied here, to the sums (counted = min(earned, cap)), never
by cutting entries in the order they arrived: the totals do not depend on event order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from services.credits.domain.ledger import LedgerEntry, credits_of, hours_of
from services.credits.domain.periods import cycle_years, months_between, period_bounds
from services.credits.rules import CapPeriod, RuleSet

__all__ = [
    "CategoryTotal",
    "TeacherProfile",
    "Totals",
    "cycle_totals",
    "year_period",
    "year_totals",
]

ZERO = Decimal(0)


@dataclass(frozen=True)
class TeacherProfile:
    """What the totals need about a teacher beyond the ledger: dates in post, probation."""

    teacher_id: str
    county_code: str
    school_id: str
    joined_on: date | None
    new_teacher: bool = False
    left_on: date | None = None


@dataclass(frozen=True)
class CategoryTotal:
    """One category's hours in a period: earned, counted after caps, and its minimum."""

    category: str
    earned: Decimal
    counted: Decimal
    credits: Decimal
    cap: Decimal | None
    capped: bool
    minimum: Decimal | None
    shortfall: Decimal


@dataclass(frozen=True)
class Totals:
    """A teacher's hours for a year or a cycle against the (possibly prorated) target."""

    teacher_id: str
    period: str
    kind: Literal["year", "cycle"]
    categories: dict[str, CategoryTotal]
    hours: Decimal
    credits: Decimal
    target: Decimal
    shortfall: Decimal
    prorated: bool
    notes: tuple[str, ...]
    years: tuple[int, ...] = ()
    rule_set_id: str = ""
    rule_set_version: str = ""


@dataclass(frozen=True)
class _Target:
    """A target and its category minimums, after proration."""

    hours: Decimal
    minimums: Mapping[str, Decimal]
    prorated: bool
    notes: tuple[str, ...]


def _by_category_and_year(entries: Iterable[LedgerEntry]) -> dict[str, dict[int, Decimal]]:
    """Earned hours by category then year."""
    sums: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        sums[entry.category][entry.year] += entry.hours
    return sums


def _prorate(
    rules: RuleSet,
    profile: TeacherProfile,
    years: range,
    target: Decimal,
    minimums: Mapping[str, Decimal],
) -> _Target:
    """Scale the target by the months in post when the teacher joined or left in the period."""
    start, end = period_bounds(rules, years[0], years[-1])
    in_post_from = max(start, profile.joined_on or start)
    in_post_to = min(end, profile.left_on or end)
    partial = rules.proration.count_partial_months
    total = months_between(start, end, count_partial=True)
    months = months_between(in_post_from, in_post_to, count_partial=partial)
    if not rules.proration.enabled or months >= total:
        return _Target(hours_of(target), {k: hours_of(v) for k, v in minimums.items()}, False, ())
    share = Decimal(months) / Decimal(total)
    note = (
        f"target prorated: {months} of {total} months in post "
        f"({in_post_from}..{in_post_to}), {target:f} h → {hours_of(target * share):f} h"
    )
    scaled = {key: hours_of(value * share) for key, value in minimums.items()}
    return _Target(hours_of(target * share), scaled, True, (note,))


def _counted(
    rules: RuleSet, key: str, per_year: Mapping[int, Decimal], years: range
) -> tuple[Decimal, Decimal | None, list[str]]:
    """Hours counted after the per-year caps, then the per-cycle cap; the ceiling; notes."""
    year_cap = rules.cap(key, CapPeriod.YEAR)
    counted, notes = ZERO, []
    for year, earned in sorted(per_year.items()):
        if year_cap is not None and earned > year_cap:
            notes.append(
                f"{key} {year}: {earned:f} h earned, {year_cap:f} h counted (cap per year)"
            )
        counted += earned if year_cap is None else min(earned, year_cap)
    ceilings = [] if year_cap is None else [year_cap * len(years)]
    cycle_cap = rules.cap(key, CapPeriod.CYCLE)
    if cycle_cap is not None:
        ceilings.append(cycle_cap)
        if counted > cycle_cap:
            period = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
            notes.append(
                f"{key} {period}: {counted:f} h after yearly caps, "
                f"{cycle_cap:f} h counted (cap per cycle)"
            )
            counted = cycle_cap
    return counted, min(ceilings) if ceilings else None, notes


def _category_totals(
    rules: RuleSet, mine: list[LedgerEntry], years: range, minimums: Mapping[str, Decimal]
) -> tuple[dict[str, CategoryTotal], list[str]]:
    """Every category of the rules (and any other the entries name), capped and converted."""
    sums = _by_category_and_year(mine)
    keys = [c.key for c in rules.categories]
    keys += sorted(k for k, v in sums.items() if k not in keys and sum(v.values()) > 0)
    totals, notes = {}, []
    for key in keys:
        earned = hours_of(sum(sums.get(key, {}).values(), ZERO))
        counted, cap, cap_notes = _counted(rules, key, sums.get(key, {}), years)
        counted = hours_of(counted)
        category = rules.category(key)
        credits = (
            credits_of(counted, category.hours_per_credit)
            if category
            else sum((e.credits for e in mine if e.category == key), ZERO)
        )
        minimum = minimums.get(key)
        short = max(minimum - counted, ZERO) if minimum is not None else ZERO
        totals[key] = CategoryTotal(
            key, earned, counted, credits, cap, counted < earned, minimum, short
        )
        notes += cap_notes
    return totals, notes


def _totals(
    rules: RuleSet,
    profile: TeacherProfile,
    entries: Iterable[LedgerEntry],
    years: range,
    kind: Literal["year", "cycle"],
    period: str,
    target: _Target,
) -> Totals:
    """Sum the teacher's entries of ``years`` against ``target``."""
    mine = [e for e in entries if e.teacher_id == profile.teacher_id and e.year in years]
    categories, cap_notes = _category_totals(rules, mine, years, target.minimums)
    hours = sum((c.counted for c in categories.values()), ZERO)
    credits = sum((c.credits for c in categories.values()), ZERO)
    missing = sum((c.shortfall for c in categories.values()), ZERO)
    return Totals(
        teacher_id=profile.teacher_id,
        period=period,
        kind=kind,
        categories=categories,
        hours=hours,
        credits=credits,
        target=target.hours,
        shortfall=hours_of(max(target.hours - hours, missing, ZERO)),
        prorated=target.prorated,
        notes=(*target.notes, *cap_notes),
        years=tuple(years),
        rule_set_id=rules.id,
        rule_set_version=rules.version,
    )


def year_period(rules: RuleSet, year: int) -> str:
    """A year's label: ``2026``, or ``2025/2026`` for a school year."""
    return f"{year}/{year + 1}" if rules.year_basis == "school" else str(year)


def year_totals(
    rules: RuleSet, profile: TeacherProfile, entries: Iterable[LedgerEntry], year: int
) -> Totals:
    """The teacher's hours in ``year`` against the annual (or new-teacher) target."""
    targets = rules.targets
    notes: tuple[str, ...] = ()
    hours, minimums = targets.annual, targets.annual_minimums
    if profile.new_teacher and targets.new_teacher is not None:
        hours, minimums = targets.new_teacher.annual, targets.new_teacher.annual_minimums
        notes = (f"new-teacher target: {hours:f} h",)
    years = range(year, year + 1)
    target = _prorate(rules, profile, years, hours, minimums)
    target = _Target(target.hours, target.minimums, target.prorated, (*notes, *target.notes))
    return _totals(rules, profile, entries, years, "year", year_period(rules, year), target)


def cycle_totals(
    rules: RuleSet, profile: TeacherProfile, entries: Iterable[LedgerEntry], cycle: str
) -> Totals:
    """The teacher's hours in a cycle (e.g. ``2021-2025``) against the cycle target."""
    years = cycle_years(rules, cycle)
    targets = rules.targets
    target = _prorate(rules, profile, years, targets.cycle, targets.cycle_minimums)
    return _totals(rules, profile, entries, years, "cycle", cycle, target)
