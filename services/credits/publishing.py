"""Publishing the live ledger's totals: ``TeacherHoursChanged`` and ``ShortfallDetected``.

A projection does not publish while it applies events (a replay would publish history
again, and a rolled-back batch would have published anyway). Instead the service, on a
timer (``Service.every``), refreshes dirty totals and compares the live totals with the
last ones published (``credits_published``); each difference is appended with a
deterministic command id (``hours-<teacher>-<period>-<n>``), then recorded. A crash between
the two appends the same event id again: JetStream's dedupe drops it inside its window, and
consumers are idempotent by event id beyond it. Published rows are keyed by teacher and
period, not by ledger version, so a switch to another version publishes what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    and_,
    or_,
    select,
)

from contracts.credits import v1
from eventlog.database import writing
from eventlog.store import ANY, EventStore
from services.credits.ledgers import ALL_COUNTIES, live, metadata
from services.credits.sql import dec, upsert_many

__all__ = ["Publisher", "period_end", "published"]

CHUNK = 64
"""Totals published concurrently, then recorded in one transaction."""

published = Table(
    "credits_published",
    metadata,
    Column("teacher_id", String(64), primary_key=True),
    Column("period_kind", String(5), primary_key=True),
    Column("period", String(9), primary_key=True),
    Column("county_code", String(10), nullable=False),
    Column("hours", String(20), nullable=False),
    Column("credits", String(20), nullable=False),
    Column("target", String(20), nullable=False),
    Column("shortfall", String(20), nullable=False),
    Column("rule_set_version", String(40), nullable=False),
    Column("changes", Integer, nullable=False),
    Column("shortfall_announced", Boolean, nullable=False, default=False),
)

_COMPARED = ("hours", "credits", "target", "shortfall", "rule_set_version")
_KEPT = (*_COMPARED, "changes", "shortfall_announced")
_ZEROS = ("0", "0.0", "0.00")


def period_end(period_kind: str, period: str) -> date:
    """The last day of a year (calendar or school) or a cycle."""
    if "/" in period:
        return date(int(period.split("/")[1]), 8, 31)
    return date(int(period[-4:]), 12, 31)


@dataclass(frozen=True)
class Publisher:
    """Publishes the differences between one live ledger's totals and what was published."""

    engine: Engine
    store: EventStore
    warn_days: int = 61
    """How long before a period ends a shortfall is announced (ShortfallDetected)."""

    def changed(self, totals: Table, ledger_id: str) -> list[dict[str, Any]]:
        """Totals of counties this ledger is live for that differ from the published ones,
        or whose shortfall may be due; each with ``known`` (the published row, or None)."""
        with self.engine.connect() as tx:
            rows = tx.execute(self._changed_query(tx, totals, ledger_id)).mappings().all()
        found = []
        for row in rows:
            item = {k: v for k, v in row.items() if not k.startswith("p_")}
            known = None if row["p_changes"] is None else {c: row[f"p_{c}"] for c in _KEPT}
            found.append({**item, "known": known})
        return found

    def _changed_query(self, tx: Connection, t: Table, ledger_id: str) -> Any:
        p = published
        pointers = dict(tx.execute(select(live.c.county, live.c.ledger_id)).all())
        differs = or_(p.c.teacher_id.is_(None), *(p.c[c] != t.c[c] for c in _COMPARED))
        maybe_short = and_(p.c.shortfall_announced.is_(False), t.c.shortfall.not_in(_ZEROS))
        query = (
            select(t, *(p.c[c].label(f"p_{c}") for c in _KEPT))
            .outerjoin(
                p,
                and_(
                    p.c.teacher_id == t.c.teacher_id,
                    p.c.period_kind == t.c.period_kind,
                    p.c.period == t.c.period,
                ),
            )
            .where(or_(differs, maybe_short))
        )
        mine = [c for c, ledger in pointers.items() if ledger == ledger_id and c != ALL_COUNTIES]
        others = [c for c, ledger in pointers.items() if ledger != ledger_id and c != ALL_COUNTIES]
        if pointers.get(ALL_COUNTIES) == ledger_id:
            return query.where(t.c.county_code.not_in(others)) if others else query
        return query.where(t.c.county_code.in_(mine))

    async def publish(self, totals: Table, ledger_id: str, today: date) -> int:
        """Append every change (and due shortfall); returns how many events were written.

        Rows go in chunks: the chunk's events are appended concurrently, then what was
        published is recorded for the whole chunk in one transaction.
        """
        rows = await asyncio.to_thread(self.changed, totals, ledger_id)
        written = 0
        for start in range(0, len(rows), CHUNK):
            outcomes = await asyncio.gather(
                *(self._publish_row(r, today) for r in rows[start : start + CHUNK])
            )
            done = [o for o in outcomes if o is not None]
            await asyncio.to_thread(self._record, done)
            written += sum(o.events for o in done)
        return written

    async def _publish_row(self, row: dict[str, Any], today: date) -> _Published | None:
        known = row["known"]
        differs = known is None or any(known[c] != row[c] for c in _COMPARED)
        announce = self._shortfall_due(row, today)
        if not (differs or announce):
            return None
        changes = known["changes"] if known else 0
        if differs:
            changes += 1
            await self._append(row, _hours_changed(row), f"hours-{_key(row)}-{changes}")
        if announce:
            await self._append(row, _shortfall(row, today), f"shortfall-{_key(row)}-{changes}")
        announced = bool(known and known["shortfall_announced"]) or announce
        return _Published(row, changes, announced, int(differs) + int(announce))

    def _shortfall_due(self, row: Mapping[str, Any], today: date) -> bool:
        known = row["known"]
        if (known and known["shortfall_announced"]) or dec(row["shortfall"]) <= 0:
            return False
        return (period_end(row["period_kind"], row["period"]) - today).days <= self.warn_days

    async def _append(self, row: Mapping[str, Any], event: v1.Event, command_id: str) -> None:
        ref = self.store.ref(
            row["county_code"],
            "teacher_hours",
            v1.teacher_hours_id(row["teacher_id"], row["period"]),
        )
        await self.store.append(ref, [event], ANY, command_id=command_id)

    def _record(self, done: list[_Published]) -> None:
        if not done:
            return
        with writing(self.engine) as tx:
            upsert_many(
                tx, published, [d.values() for d in done], ["teacher_id", "period_kind", "period"]
            )


@dataclass(frozen=True)
class _Published:
    """What was appended for one total: recorded once its chunk is through."""

    row: Mapping[str, Any]
    changes: int
    announced: bool
    events: int

    def values(self) -> dict[str, Any]:
        row = self.row
        values = {c: row[c] for c in ("teacher_id", "period_kind", "period", "county_code")}
        values.update({c: row[c] for c in _COMPARED})
        # Once the teacher is no longer short, a later shortfall is announced again.
        announced = self.announced and dec(row["shortfall"]) > 0
        values.update(changes=self.changes, shortfall_announced=announced)
        return values


def _key(row: Mapping[str, Any]) -> str:
    return f"{row['teacher_id']}-{row['period'].replace('/', '_')}"


def _hours_changed(row: Mapping[str, Any]) -> v1.TeacherHoursChanged:
    return v1.TeacherHoursChanged(
        county_code=row["county_code"],
        teacher_id=row["teacher_id"],
        school_id=row["school_id"],
        period=row["period"],
        period_kind=row["period_kind"],
        hours=dec(row["hours"]),
        credits=dec(row["credits"]),
        target=dec(row["target"]),
        shortfall=dec(row["shortfall"]),
        rule_set_id=row["rule_set_id"],
        rule_set_version=row["rule_set_version"],
    )


def _shortfall(row: Mapping[str, Any], today: date) -> v1.ShortfallDetected:
    return v1.ShortfallDetected(
        county_code=row["county_code"],
        teacher_id=row["teacher_id"],
        school_id=row["school_id"],
        period=row["period"],
        period_kind=row["period_kind"],
        hours=dec(row["hours"]),
        target=dec(row["target"]),
        shortfall=dec(row["shortfall"]),
        as_of=today,
    )
