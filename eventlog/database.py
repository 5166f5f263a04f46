"""SQLAlchemy engines for projections: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["lock_schema", "make_engine", "normalise_url", "writing"]


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs; create the folder of a SQLite file."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **options: Any) -> Engine:
    """An engine tuned for projection work on either database.

    SQLite gets WAL (readers never block the projector), a busy timeout, and
    ``synchronous=NORMAL`` (durable at each checkpoint in WAL mode).
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **options)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, open transactions, so SAVEPOINTs work.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # Writers take the write lock up front: a deferred transaction that reads, then
            # writes after another writer committed, fails at once instead of waiting.
            immediate = connection.get_execution_options().get("writing", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on error.

    On SQLite it starts with ``BEGIN IMMEDIATE`` so concurrent writers queue on the busy
    timeout instead of failing; readers (``engine.connect()``) are never blocked (WAL).
    """
    with engine.connect().execution_options(writing=True) as connection, connection.begin():
        yield connection


def lock_schema(tx: Connection) -> None:
    """Serialise schema changes of concurrent processes, until ``tx`` ends.

    PostgreSQL races on concurrent ``CREATE TABLE IF NOT EXISTS``; an advisory lock makes
    the second process wait and then find the table. SQLite's ``BEGIN IMMEDIATE`` already
    serialises writers.
    """
    if tx.dialect.name == "postgresql":
        tx.exec_driver_sql("SELECT pg_advisory_xact_lock(7415021)")
