"""The delivery log: what was planned, sent, retried or failed, and exports of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from eventlog.database import writing
from services.notify.tables import deliveries
from yanpei import tabular

__all__ = ["COLUMNS", "LogFilter", "read_log", "requeue", "write_rows"]

COLUMNS = (
    "delivery_id",
    "county",
    "kind",
    "recipient",
    "channel",
    "status",
    "attempts",
    "planned_at",
    "due_at",
    "sent_at",
    "last_error",
    "cause_id",
    "digest_id",
)


@dataclass(frozen=True)
class LogFilter:
    """Which rows: every given field must match; times bound ``planned_at``."""

    recipient: str | None = None
    kind: str | None = None
    status: str | None = None
    county: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None


def read_log(engine: Engine, wanted: LogFilter = LogFilter()) -> list[dict[str, Any]]:
    """Rows of the ledger, oldest first."""
    d = deliveries
    query = select(*(d.c[c] for c in COLUMNS))
    for column in ("recipient", "kind", "status", "county"):
        value = getattr(wanted, column)
        if value is not None:
            query = query.where(d.c[column] == value)
    if wanted.since is not None:
        query = query.where(d.c.planned_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(d.c.planned_at < wanted.until)
    query = query.order_by(d.c.planned_at, d.c.delivery_id).limit(wanted.limit)
    with engine.connect() as tx:
        return [dict(row._mapping) for row in tx.execute(query)]


def requeue(engine: Engine, wanted: LogFilter, now: datetime) -> int:
    """Send failed deliveries again (attempts start over); returns how many."""
    d = deliveries
    query = update(d).where(d.c.status == "failed")
    for column in ("recipient", "kind", "county"):
        value = getattr(wanted, column)
        if value is not None:
            query = query.where(d.c[column] == value)
    if wanted.since is not None:
        query = query.where(d.c.planned_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(d.c.planned_at < wanted.until)
    values = {"status": "pending", "attempts": 0, "next_attempt_at": now, "lease_until": None}
    with writing(engine) as tx:
        return int(tx.execute(query.values(**values)).rowcount or 0)


def write_rows(
    rows: Sequence[Mapping[str, Any]], path: Path, columns: Sequence[str] = COLUMNS
) -> int:
    """Write log rows to ``path`` (.csv or .xlsx); returns the count."""
    return tabular.write_rows(rows, path, columns)
