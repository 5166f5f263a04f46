"""Small SQL helpers shared by the credits tables: portable upserts and decimal columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["dec", "upsert", "upsert_many"]


def _insert(tx: Connection, table: Table) -> Any:
    return (postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert)(table)


def upsert(tx: Connection, table: Table, row: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert ``row`` or update it in place (idempotent)."""
    upsert_many(tx, table, [row], keys)


def upsert_many(
    tx: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    only_if: Any = None,
) -> None:
    """Insert or update many rows in one statement per batch (executemany).

    ``only_if`` (a SQL condition over the table and ``excluded``) limits which existing rows
    are replaced, e.g. a newer revision only.
    """
    if not rows:
        return
    stmt = _insert(tx, table)
    changes = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    if changes:
        where = only_if(table, stmt.excluded) if only_if is not None else None
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=changes, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing()
    tx.execute(stmt, list(rows))


def dec(value: str | int | Decimal | None) -> Decimal:
    """A stored decimal string (hours, credits) as a Decimal; None is 0."""
    return Decimal(value) if value not in (None, "") else Decimal(0)
