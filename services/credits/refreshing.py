"""Recomputing the totals of teachers whose entries or profile changed (``dirty``).

A total is a function of all of a teacher's entries (caps span activities), so it is
recomputed whole, never adjusted by the event that changed it; that keeps totals
independent of event order. Chunks of teachers are refreshed each in one transaction,
which also clears their ``dirty`` rows: a crash in between leaves them dirty, to be done
again, harmlessly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, func, select

from eventlog.database import writing
from services.credits.computing import ENTRY_COLUMNS, Evaluator, entry_from_row
from services.credits.domain.ledger import LedgerEntry
from services.credits.domain.totals import Totals
from services.credits.sql import upsert_many

__all__ = ["CHUNK", "dirty_count", "live_entries", "refresh_dirty", "totals_row"]

CHUNK = 500
Progress = Callable[[int], None]


def totals_row(totals: Totals, county: str, school: str) -> dict[str, Any]:
    """The totals-table row of one teacher's period."""
    categories = {
        key: {
            "earned": str(c.earned),
            "counted": str(c.counted),
            "credits": str(c.credits),
            "cap": None if c.cap is None else str(c.cap),
            "minimum": None if c.minimum is None else str(c.minimum),
            "shortfall": str(c.shortfall),
        }
        for key, c in totals.categories.items()
    }
    return {
        "teacher_id": totals.teacher_id,
        "period_kind": totals.kind,
        "period": totals.period,
        "county_code": county,
        "school_id": school,
        "hours": str(totals.hours),
        "credits": str(totals.credits),
        "target": str(totals.target),
        "shortfall": str(totals.shortfall),
        "rule_set_id": totals.rule_set_id,
        "rule_set_version": totals.rule_set_version,
        "categories": json.dumps({"categories": categories, "notes": list(totals.notes)}),
        "complete": True,
    }


def live_entries(
    tx: Connection, tables: Mapping[str, Table], teacher_ids: Iterable[str]
) -> dict[str, list[LedgerEntry]]:
    """The teachers' entries, voided ones left out, by teacher."""
    ids = list(teacher_ids)
    e, v = tables["entries"], tables["voids"]
    voided = set(
        tx.execute(select(v.c.teacher_id, v.c.activity_id).where(v.c.teacher_id.in_(ids))).all()
    )
    found: dict[str, list[LedgerEntry]] = defaultdict(list)
    columns = [e.c[name] for name in ENTRY_COLUMNS]
    for row in tx.execute(select(*columns).where(e.c.teacher_id.in_(ids))):
        entry = entry_from_row(row)
        if (entry.teacher_id, entry.activity_id) not in voided:
            found[entry.teacher_id].append(entry)
    return found


def _refresh_chunk(
    tx: Connection, tables: Mapping[str, Table], evaluator: Evaluator, marks: dict[str, int]
) -> None:
    ids = sorted(marks)
    t, p, d = tables["totals"], tables["teachers"], tables["dirty"]
    entries = live_entries(tx, tables, ids)
    profiles = {
        r["teacher_id"]: r for r in tx.execute(select(p).where(p.c.teacher_id.in_(ids))).mappings()
    }
    rows = []
    for teacher_id in ids:
        mine, profile = entries.get(teacher_id, []), profiles.get(teacher_id)
        if not mine:
            continue
        for totals in evaluator.totals(teacher_id, profile, mine):
            county = profile["county_code"] if profile else mine[-1].county_code
            school = profile["school_id"] if profile else mine[-1].school_id
            rows.append(totals_row(totals, county, school))
    # Upserts, then the periods gone: safe beside another refresher of the same teacher.
    upsert_many(tx, t, rows, ["teacher_id", "period_kind", "period"])
    _drop_stale(tx, t, ids, {(r["teacher_id"], r["period_kind"], r["period"]) for r in rows})
    # A teacher marked again meanwhile (another mark) stays dirty for the next round.
    gone = d.delete().where(d.c.teacher_id == bindparam("t"), d.c.mark == bindparam("m"))
    tx.execute(gone, [{"t": tid, "m": mark} for tid, mark in marks.items()])


def _drop_stale(tx: Connection, t: Table, ids: list[str], kept: set[tuple[str, str, str]]) -> None:
    """Delete the teachers' periods that no longer have any entry."""
    stale = [
        {"t": tid, "k": kind, "p": period}
        for tid, kind, period in tx.execute(
            select(t.c.teacher_id, t.c.period_kind, t.c.period).where(t.c.teacher_id.in_(ids))
        )
        if (tid, kind, period) not in kept
    ]
    if stale:
        gone = t.delete().where(
            t.c.teacher_id == bindparam("t"),
            t.c.period_kind == bindparam("k"),
            t.c.period == bindparam("p"),
        )
        tx.execute(gone, stale)


def refresh_dirty(
    engine: Engine,
    tables: Mapping[str, Table],
    evaluator: Evaluator,
    progress: Progress | None = None,
) -> int:
    """Recompute every dirty teacher's totals; returns how many teachers were refreshed."""
    done, last = 0, ""
    while True:
        with writing(engine) as tx:
            d = tables["dirty"]
            query = select(d.c.teacher_id, d.c.mark).order_by(d.c.teacher_id)
            if done:
                query = query.where(d.c.teacher_id > last)
            marks = dict(tx.execute(query.limit(CHUNK)).all())
            if not marks:
                return done
            _refresh_chunk(tx, tables, evaluator, marks)
        done += len(marks)
        last = max(marks)
        if progress:
            progress(done)


def dirty_count(engine: Engine, tables: Mapping[str, Table]) -> int:
    """Teachers waiting for their totals."""
    with engine.connect() as tx:
        return int(tx.execute(select(func.count()).select_from(tables["dirty"])).scalar() or 0)
