"""Writing contact rows in group commits: every row waiting is written in one transaction.

Many contact commands arrive at once during an import; one transaction each would queue
them behind SQLite's single writer. Callers still wait until their own row is committed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine

from eventlog.database import writing
from services.registry.contacts import table

__all__ = ["GroupWriter"]


class GroupWriter:
    """Upserts contact rows; rows waiting at the same time share one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def write(self, row: dict[str, Any]) -> None:
        """Store ``row``; return once it is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(self._commit, [row for row, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)

    def _commit(self, rows: list[dict[str, Any]]) -> None:
        latest: dict[str, dict[str, Any]] = {}
        for row in sorted(rows, key=lambda r: r["sequence"]):
            latest[row["teacher_id"]] = row  # one row per teacher and statement (PostgreSQL)
        with writing(self.engine) as tx:
            table.upsert_contacts(tx, list(latest.values()))
