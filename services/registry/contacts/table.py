"""The protected table of contact data, ``registry_contacts``: one row per teacher.

Written only by the contact handlers and the contacts rebuild; read only by exports that
ask for contact data. Each row remembers the stream sequence that wrote it, so applying
an older event again changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["contacts", "erase_row", "metadata", "read_contacts", "row_of", "upsert_contacts"]

metadata = MetaData()

contacts = Table(
    "registry_contacts",
    metadata,
    Column("teacher_id", String(64), primary_key=True),
    Column("county", String(6), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("national_id", String(18), nullable=True),
    Column("sequence", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def upsert_contacts(tx: Connection, rows: list[dict[str, Any]]) -> None:
    """Store teachers' contact data, each row unless a later event already did."""
    if not rows:
        return
    insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
    statement = insert(contacts)
    newer = statement.excluded
    columns = [c.name for c in contacts.columns if c.name != "teacher_id"]
    tx.execute(
        statement.on_conflict_do_update(
            index_elements=[contacts.c.teacher_id],
            set_={c: newer[c] for c in columns},
            where=contacts.c.sequence < newer.sequence,
        ),
        rows,
    )


def erase_row(tx: Connection, teacher_id: str) -> None:
    """Remove a teacher's contact data."""
    tx.execute(delete(contacts).where(contacts.c.teacher_id == teacher_id))


def read_contacts(tx: Connection, teacher_ids: list[str]) -> dict[str, Any]:
    """The contact rows of ``teacher_ids``, by teacher."""
    found: dict[str, Any] = {}
    for start in range(0, len(teacher_ids), 500):
        chunk = teacher_ids[start : start + 500]
        for row in tx.execute(select(contacts).where(contacts.c.teacher_id.in_(chunk))):
            found[row.teacher_id] = row
    return found


def row_of(
    teacher_id: str, county: str, values: dict[str, Any], seq: int, at: datetime
) -> dict[str, Any]:
    """A table row from an event's values."""
    return {
        "teacher_id": teacher_id,
        "county": county,
        "phone": values.get("phone"),
        "email": values.get("email"),
        "national_id": values.get("national_id"),
        "sequence": seq,
        "recorded_at": at,
    }
