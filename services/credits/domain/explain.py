"""Explaining a total line by line (学时明细): entries, caps, then target and shortfall.

Certified hours feed evaluations and title promotion, so every hour must be traceable to an
activity, a role, a rule and the rule-set version that gave it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from services.credits.domain.ledger import LedgerEntry
from services.credits.domain.totals import Totals

__all__ = ["ExplainLine", "explain"]


@dataclass(frozen=True)
class ExplainLine:
    """One line of an explanation; ``hours`` is negative for hours a cap took away."""

    label: str
    hours: Decimal | None
    credits: Decimal | None
    rule: str
    note: str


def _entry_line(entry: LedgerEntry) -> ExplainLine:
    """An activity's line: what it earned, under which rule of which version, and why."""
    return ExplainLine(
        label=f"{entry.activity_date} {entry.title} [{entry.category}]",
        hours=entry.hours,
        credits=entry.credits,
        rule=f"{entry.rule_id} ({entry.rule_set_id}@{entry.rule_set_version})",
        note=entry.reason,
    )


def _category_lines(totals: Totals) -> list[ExplainLine]:
    """Per category: hours a cap took away, then what counts and any minimum missed."""
    lines = []
    for key, cat in totals.categories.items():
        if cat.capped:
            lines.append(
                ExplainLine(
                    f"cap {key}",
                    cat.counted - cat.earned,
                    None,
                    "caps",
                    f"{cat.earned:f} h earned, at most {cat.cap:f} h count",
                )
            )
        if cat.earned or cat.minimum:
            note = f"minimum {cat.minimum:f} h, short {cat.shortfall:f} h" if cat.minimum else ""
            lines.append(ExplainLine(f"subtotal {key}", cat.counted, cat.credits, "", note))
    return lines


def explain(totals: Totals, entries: Iterable[LedgerEntry]) -> list[ExplainLine]:
    """The total as lines: each entry (by date), the caps, the target and the shortfall."""
    years = set(totals.years)
    mine = sorted(
        (
            e
            for e in entries
            if e.teacher_id == totals.teacher_id and (not years or e.year in years)
        ),
        key=lambda e: (e.activity_date, e.activity_id, e.entry_id),
    )
    version = f"{totals.rule_set_id}@{totals.rule_set_version}"
    lines = [_entry_line(e) for e in mine] + _category_lines(totals)
    lines += [ExplainLine(f"note {i + 1}", None, None, "", n) for i, n in enumerate(totals.notes)]
    lines += [
        ExplainLine(f"total {totals.period}", totals.hours, totals.credits, version, ""),
        ExplainLine("target", totals.target, None, version, "prorated" if totals.prorated else ""),
        ExplainLine(
            "shortfall",
            totals.shortfall,
            None,
            version,
            "target reached" if not totals.shortfall else "",
        ),
    ]
    return lines
