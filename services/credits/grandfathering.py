"""Grandfathering in a replay: entries a new rule set may not lower (``never_reduce_certified``).

A replay evaluates each record under the new rules on its own; where the rule set's policy
protects certified hours, the entry the live ledger holds for the same participation is
looked up and :func:`services.credits.domain.regrade` decides which to keep. A kept old entry
still names the rule and version that earned its hours. (``from_date`` needs no look-up: the
replay's rule book keeps the county's old rules in force before the new ones start.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, select

from services.credits.computing import ENTRY_COLUMNS, Evaluator, entry_from_row
from services.credits.domain import LedgerEntry, regrade

__all__ = ["Grandfather"]

PROTECTING = "never_reduce_certified"


class Grandfather:
    """Applies a new rule set's grandfathering against the ledger that was live before."""

    def __init__(self, previous: Mapping[str, Table], evaluator: Evaluator) -> None:
        self.previous = previous
        self.evaluator = evaluator

    def rows(self, tx: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` with each protected entry replaced by the live one where the policy says."""
        protected = [r for r in rows if self._protects(r)]
        if not protected:
            return rows
        teachers = sorted({r["teacher_id"] for r in protected})
        old = self._old_entries(tx, teachers)
        certified = self._certified(tx, teachers)
        kept = {}
        for row in protected:
            before = old.get((row["teacher_id"], row["activity_id"]))
            if before is None:
                continue
            rules = self.evaluator.rules_for(row["county_code"], row["activity_date"])
            assert rules is not None
            chosen = regrade(rules, before, _entry(row), before.entry_id in certified)
            if chosen is before:
                kept[(row["teacher_id"], row["activity_id"])] = _row(before, row["revision"])
        return [kept.get((r["teacher_id"], r["activity_id"]), r) for r in rows]

    def _protects(self, row: Mapping[str, Any]) -> bool:
        rules = self.evaluator.rules_for(row["county_code"], row["activity_date"])
        return rules is not None and rules.grandfathering.policy == PROTECTING

    def _old_entries(
        self, tx: Connection, teachers: list[str]
    ) -> dict[tuple[str, str], LedgerEntry]:
        e = self.previous["entries"]
        columns = [e.c[name] for name in ENTRY_COLUMNS]
        found = {}
        for row in tx.execute(select(*columns).where(e.c.teacher_id.in_(teachers))):
            entry = entry_from_row(row)
            found[(entry.teacher_id, entry.activity_id)] = entry
        return found

    def _certified(self, tx: Connection, teachers: list[str]) -> set[str]:
        r = self.previous["reviews"]
        query = select(r.c.certified_entries).where(
            r.c.teacher_id.in_(teachers), r.c.certified_entries.is_not(None)
        )
        return {entry for (text,) in tx.execute(query) for entry in json.loads(text)}


def _entry(row: Mapping[str, Any]) -> LedgerEntry:
    return entry_from_row([row[name] for name in ENTRY_COLUMNS])


def _row(entry: LedgerEntry, revision: int) -> dict[str, Any]:
    row = {name: getattr(entry, name) for name in ENTRY_COLUMNS}
    row.update(
        hours=str(entry.hours),
        credits=str(entry.credits),
        source_event_ids=json.dumps(list(entry.source_event_ids)),
        revision=revision,
    )
    return row
