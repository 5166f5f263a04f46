"""The notify service's own tables: the delivery ledger, ticker marks, contacts.

The delivery ledger (``notify_deliveries``) is the outbox and the delivery log at once: the
planner inserts one row per cause event, recipient and channel (the idempotency key), in
the same transaction as its checkpoint; the dispatcher records intent (``sending``) before
it sends and the outcome after. It is not a generation of a projection: a rebuild of the
planner's views plans the same keys again and the ledger ignores them (ADR 0012).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import postgresql, sqlite

__all__ = [
    "STATUSES",
    "contacts",
    "deliveries",
    "delivery_id",
    "insert_new",
    "marks",
    "metadata",
    "positions",
]

metadata = MetaData()

STATUSES = ("pending", "sending", "sent", "failed", "skipped", "held", "digested")
"""pending → sending → sent | pending (retry) | failed; held → digested (digest mode);
skipped: nowhere to send it (no channel or address configured)."""

deliveries = Table(
    "notify_deliveries",
    metadata,
    Column("delivery_id", String(40), primary_key=True),
    Column("cause_id", String(200), nullable=False),
    Column("county", String(6), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(100), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("language", String(2), nullable=False),
    Column("context", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("planned_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", String(500)),
    Column("digest_id", String(40)),
    Index("ix_notify_deliveries_due", "status", "next_attempt_at"),
    Index("ix_notify_deliveries_recipient", "recipient"),
)

marks = Table(
    "notify_ticker_marks",
    metadata,
    Column("county", String(6), primary_key=True),
    Column("ticked_to", DateTime(timezone=True), nullable=False),
)
"""Per county, the moment up to which dated reminders have been planned."""

contacts = Table(
    "notify_contacts",
    metadata,
    Column("teacher_id", String(64), primary_key=True),
    Column("county", String(6), nullable=False),
    Column("email", String(254)),
    Column("sequence", BigInteger, nullable=False),
)
"""Teachers' e-mail addresses from the registry's internal stream (ADR 0005); erased with it."""

positions = Table(
    "notify_positions",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def delivery_id(cause_id: str, recipient: str, channel: str) -> str:
    """The idempotency key, hashed to a fixed length: cause event + recipient + channel."""
    key = f"{cause_id}\x1f{recipient}\x1f{channel}".encode()
    return hashlib.sha256(key).hexdigest()[:40]


def insert_new(tx: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows whose primary key is new; rows already there are left as they are."""
    if not rows:
        return
    insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
    tx.execute(insert(table).on_conflict_do_nothing(), list(rows))


class Buffered:
    """A connection that gathers upserts and sends each statement's rows at once.

    Anything else executed on it (a read, an update) first sends what is gathered, so a
    reader sees every earlier write. Rows of one statement keep their order; each table
    has one upsert shape, so two gathered statements never touch the same row.
    """

    def __init__(self, tx: Connection) -> None:
        self.tx = tx
        self.dialect = tx.dialect
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def defer(self, statement: Any, row: dict[str, Any]) -> None:
        self.rows.setdefault(statement, []).append(row)

    def flush(self) -> None:
        for statement, rows in self.rows.items():
            self.tx.execute(statement, rows)
        self.rows.clear()

    def execute(self, statement: Any, *args: Any) -> Any:
        self.flush()
        return self.tx.execute(statement, *args)


Tx = Connection | Buffered

_UPSERTS: dict[tuple[str, int, tuple[str, ...], tuple[str, ...]], Any] = {}


def upsert(tx: Tx, table: Table, row: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert ``row`` or update it in place (one statement per table and shape, cached)."""
    shape = (tx.dialect.name, id(table), tuple(keys), tuple(row))
    statement = _UPSERTS.get(shape)
    if statement is None:
        insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
        base = insert(table)
        changes = {k: base.excluded[k] for k in row if k not in keys}
        if changes:
            statement = base.on_conflict_do_update(index_elements=list(keys), set_=changes)
        else:
            statement = base.on_conflict_do_nothing()
        _UPSERTS[shape] = statement
    if isinstance(tx, Buffered):
        tx.defer(statement, row)
    else:
        tx.execute(statement, row)
