"""The portable upsert the activities' projections write with (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["upsert"]


def upsert(tx: Connection, table: Table, row: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert ``row`` or update it in place (idempotent)."""
    insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(**row)
    changes = {k: v for k, v in row.items() if k not in keys}
    if changes:
        tx.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))
    else:
        tx.execute(stmt.on_conflict_do_nothing())
