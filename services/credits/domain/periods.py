"""Accounting periods: the year an activity counts in, and the 5-year cycle (周期) of a year.

A school year (学年) starts on 1 September and is named by the year it starts in.
"""

from __future__ import annotations

from datetime import date

from services.credits.rules import RuleSet

__all__ = ["cycle_label", "cycle_years", "months_between", "period_bounds", "year_of"]

SCHOOL_YEAR_START_MONTH = 9


def year_of(rules: RuleSet, on: date) -> int:
    """The calendar or school year ``on`` counts in, per the rules' year basis."""
    if rules.year_basis == "school" and on.month < SCHOOL_YEAR_START_MONTH:
        return on.year - 1
    return on.year


def cycle_label(rules: RuleSet, year: int) -> str:
    """The cycle holding ``year``, e.g. ``2021-2025`` (cycles repeat from the start year)."""
    spec = rules.cycle
    start = spec.start_year + (year - spec.start_year) // spec.years * spec.years
    return f"{start}-{start + spec.years - 1}"


def cycle_years(rules: RuleSet, cycle: str) -> range:
    """The years of a cycle label; a label off the rules' cycle grid is refused."""
    first, _, last = cycle.partition("-")
    if not (first.isdigit() and last.isdigit()) or cycle_label(rules, int(first)) != cycle:
        raise ValueError(
            f"'{cycle}' is not a cycle of {rules.label} (e.g. "
            f"{cycle_label(rules, rules.cycle.start_year)})"
        )
    return range(int(first), int(last) + 1)


def period_bounds(rules: RuleSet, first_year: int, last_year: int) -> tuple[date, date]:
    """First and last day of the years ``first_year``..``last_year``."""
    if rules.year_basis == "school":
        return date(first_year, 9, 1), date(last_year + 1, 8, 31)
    return date(first_year, 1, 1), date(last_year, 12, 31)


def months_between(start: date, end: date, count_partial: bool) -> int:
    """Months from ``start`` to ``end`` inclusive; partial first/last months count or not."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if not count_partial:
        months -= start.day != 1
        next_day_month = (end.month % 12) + 1
        last_day = date(end.year + (end.month == 12), next_day_month, 1).toordinal() - 1
        months -= end.toordinal() != last_day
    return max(months, 0)
