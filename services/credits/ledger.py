"""The ledger projection (学时台账): entries from participations, teachers from the registry.

One instance per ledger version (see :mod:`services.credits.ledgers`), each with its tables
``credits_<ledger>_<table>_g<N>`` and its checkpoints. It reads public events only:

- ``activities``: ``ParticipationRecorded`` (external training too); each record becomes
  one entry on its own, the latest revision of a teacher's participation winning;
- ``registry``: the teacher's events, for the profile (school, hire date, retirement) that
  targets and proration need;
- ``credits``: ``EntryVoided`` (a correction takes a participation off the ledger),
  ``HoursReviewed`` and ``HoursCertified`` (where each teacher's period stands).

Totals are not kept per event: caps apply per year and cycle, so a total is computed from
all of a teacher's entries. Each batch marks its teachers ``dirty``; :mod:`~services.credits.
totals` recomputes their totals later (the live service on a timer, a replay at its end).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    MetaData,
    Table,
)

from contracts.activities import v1 as act
from contracts.credits import v1 as cred
from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from services.credits.computing import Evaluator
from services.credits.ledgers import LedgerVersion

if TYPE_CHECKING:
    from services.credits.grandfathering import Grandfather
from services.credits.sql import upsert_many
from services.credits.tables import ledger_tables
from services.credits.teachers import TEACHER_EVENTS, teacher_rows

__all__ = ["LedgerProjection", "ledger_projection_name", "version_tables"]

log = logging.getLogger(__name__)


def version_tables(metadata: MetaData, ledger_id: str, suffix: str) -> dict[str, Table]:
    """The tables of one ledger version's generation (``suffix``)."""
    return ledger_tables(metadata, f"credits_{ledger_id}_", suffix)


def ledger_projection_name(ledger_id: str) -> str:
    """The projection name of a ledger version (its checkpoints and dead letters)."""
    return f"credits_ledger_{ledger_id}"


class LedgerProjection(Projection):
    """One ledger version, kept from the public events of activities, registry and credits."""

    contexts = ("activities", "registry", "credits")

    def __init__(
        self, ledger: LedgerVersion, evaluator: Evaluator, grandfather: Grandfather | None = None
    ) -> None:
        super().__init__()
        self.ledger = ledger
        self.evaluator = evaluator
        self.grandfather = grandfather
        self.name = ledger_projection_name(ledger.ledger_id)  # type: ignore[misc]

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return version_tables(metadata, self.ledger.ledger_id, suffix)

    def subject_filter(self, context: str) -> str:
        # A county-limited replay still reads every county's activities: a teacher who
        # moved carries the history earned elsewhere; totals are limited instead.
        return {
            "activities": "evt.*.activities.activity.*.ParticipationRecorded",
            "registry": "evt.*.registry.teacher.>",
            "credits": "evt.*.credits.teacher_hours.>",
        }[context]

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        records: dict[tuple[str, str], tuple[act.ParticipationRecord, str]] = {}
        teachers: list[tuple[Any, int]] = []
        voids: list[dict[str, Any]] = []
        for stored in events:
            event = stored.event
            if isinstance(event, act.ParticipationRecorded):
                _keep_latest(records, event.record, stored.id)
            elif isinstance(event, TEACHER_EVENTS):
                teachers.append((event, stored.sequence))
            elif isinstance(event, cred.EntryVoided):
                voids.append(_void_row(event, stored.id))
            elif isinstance(event, cred.HoursReviewed | cred.HoursCertified):
                _review(tx, tables["reviews"], event, stored.id)
        mark = events[-1].sequence if events else 0
        touched = self._write_entries(tx, tables, records)
        touched |= self._write_teachers(tx, tables, teachers)
        upsert_many(tx, tables["voids"], voids, ["teacher_id", "activity_id"])
        touched |= {r["teacher_id"] for r in voids}
        _mark_dirty(tx, tables, touched, mark)

    def _write_entries(
        self,
        tx: Connection,
        tables: Mapping[str, Table],
        records: Mapping[tuple[str, str], tuple[act.ParticipationRecord, str]],
    ) -> set[str]:
        rows = [
            row
            for record, event_id in records.values()
            if (row := self.evaluator.entry_row(record, event_id)) is not None
        ]
        if self.grandfather is not None:
            rows = self.grandfather.rows(tx, rows)
        upsert_many(
            tx,
            tables["entries"],
            rows,
            ["teacher_id", "activity_id"],
            only_if=_newer_revision,
        )
        return {r["teacher_id"] for r in rows}

    @staticmethod
    def _write_teachers(
        tx: Connection, tables: Mapping[str, Table], events: list[tuple[Any, int]]
    ) -> set[str]:
        for event, _ in events:
            for row in teacher_rows(tx, tables["teachers"], event):
                upsert_many(tx, tables["teachers"], [row], ["teacher_id"])
        return {e.teacher_id for e, _ in events}


def _keep_latest(
    records: dict[tuple[str, str], tuple[act.ParticipationRecord, str]],
    record: act.ParticipationRecord,
    event_id: str,
) -> None:
    key = (record.teacher_id, record.activity_id)
    known = records.get(key)
    if known is None or known[0].revision <= record.revision:
        records[key] = (record, event_id)


def _newer_revision(table: Table, excluded: Any) -> Any:
    return table.c.revision <= excluded.revision


def _void_row(event: cred.EntryVoided, event_id: str) -> dict[str, Any]:
    return {
        "teacher_id": event.teacher_id,
        "activity_id": event.activity_id,
        "entry_id": event.entry_id,
        "reason": event.reason,
        "voided_by": event.voided_by,
        "event_id": event_id,
    }


def _review(
    tx: Connection, table: Table, event: cred.HoursReviewed | cred.HoursCertified, event_id: str
) -> None:
    key = {"teacher_id": event.teacher_id, "period_kind": str(event.period_kind)}
    key["period"] = event.period
    if isinstance(event, cred.HoursReviewed):
        values = {
            "last_step": str(event.step),
            "last_outcome": str(event.outcome),
            "reason": event.reason,
            "next_step": str(event.next_step) if event.next_step else None,
        }
    else:
        values = {
            "certified_hours": str(event.hours),
            "certified_entries": json.dumps(event.entry_ids),
            "certified_by": event.certified_by,
            "certified_event_id": event_id,
        }
    upsert_many(tx, table, [{**key, **values}], list(key))


def _mark_dirty(
    tx: Connection, tables: Mapping[str, Table], teacher_ids: set[str], mark: int
) -> None:
    """Mark teachers for a totals refresh; ``mark`` (the batch's last sequence) lets a
    refresh clear only the marks it has seen."""
    rows = [{"teacher_id": t, "mark": mark} for t in sorted(teacher_ids)]
    upsert_many(tx, tables["dirty"], rows, ["teacher_id"])
