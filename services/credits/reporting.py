"""Summaries of a replay's diff: who gains and who loses, by how much, by school."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from services.credits.replay import DiffRow

__all__ = ["diff_summary", "school_changes"]

ZERO = Decimal(0)


def _side(rows: list[DiffRow]) -> tuple[int, Decimal, Decimal]:
    """Teachers, hours in all, the largest change (absolute)."""
    teachers = len({r.teacher_id for r in rows})
    total = sum((r.difference for r in rows), ZERO)
    largest = max((abs(r.difference) for r in rows), default=ZERO)
    return teachers, total, largest


def diff_summary(diff: Iterable[DiffRow]) -> dict[str, Any]:
    """Changed totals, per period kind: how many gain and lose, by how much."""
    rows = [d for d in diff if d.difference]
    gains = [r for r in rows if r.difference > 0]
    losses = [r for r in rows if r.difference < 0]
    gained, gained_hours, most_gained = _side(gains)
    lost, lost_hours, most_lost = _side(losses)
    return {
        "changed totals": len(rows),
        "teachers gaining": gained,
        "hours gained": gained_hours,
        "largest gain": most_gained,
        "teachers losing": lost,
        "hours lost": lost_hours,
        "largest loss": -most_lost,
        "newly short": sum(1 for r in rows if r.after_shortfall > 0 >= r.before_shortfall),
        "no longer short": sum(1 for r in rows if r.before_shortfall > 0 >= r.after_shortfall),
    }


def school_changes(diff: Iterable[DiffRow]) -> list[dict[str, Any]]:
    """Per school and period: totals gaining and losing, and the net change in hours."""
    by_school: dict[tuple[str, str, str], list[DiffRow]] = defaultdict(list)
    for row in diff:
        if row.difference:
            by_school[(row.school_id, row.period_kind, row.period)].append(row)
    return [
        {
            "school": school,
            "period": f"{kind} {period}",
            "gaining": sum(1 for r in rows if r.difference > 0),
            "losing": sum(1 for r in rows if r.difference < 0),
            "diff (net h)": sum((r.difference for r in rows), ZERO),
        }
        for (school, kind, period), rows in sorted(by_school.items())
    ]
