"""The credits service's composition root: command handlers, live ledgers, publishing.

The ledger versions live for some county (see :mod:`services.credits.ledgers`) are kept up
to date by a projection runner each; a timer (``Service.every``) starts the runner of a
version switched to live meanwhile (``yanpei credits replay --apply``), stops the runner of
one no longer live, refreshes dirty totals and publishes what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from eventlog.intake import CommandIntake
from eventlog.projection import ProjectionRunner
from eventlog.service import Service
from services.credits.computing import evaluator_for
from services.credits.handlers import Handlers
from services.credits.ledger import LedgerProjection
from services.credits.ledgers import Ledgers, LedgerVersion
from services.credits.publishing import Publisher
from services.credits.queries import LedgerQueries
from services.credits.refreshing import refresh_dirty
from services.credits.rules import RuleBook

__all__ = ["CreditsService", "build"]

log = logging.getLogger(__name__)

NAME = "credits"
COMMAND_WORKERS = 16
PUBLISH_EVERY = 10.0
"""Seconds between two refreshes of dirty totals (and publications of what changed)."""
TIME_ZONE = ZoneInfo("Asia/Shanghai")


def _today() -> date:
    return datetime.now(TIME_ZONE).date()


class CreditsService(Service):
    """The credits :class:`Service`: its live ledgers, queries once started."""

    def __init__(
        self, *, nats_url: str, database_url: str, book: RuleBook, today: Callable[[], date]
    ) -> None:
        super().__init__(NAME, NAME, nats_url=nats_url, database_url=database_url)
        self.book = book
        self.today = today
        self._queries: LedgerQueries | None = None
        self._keeping = asyncio.Lock()
        self._ledgers: dict[str, tuple[LedgerProjection, ProjectionRunner, asyncio.Task[None]]] = {}

    @property
    def queries(self) -> LedgerQueries:
        """The live ledger's answers (after ``start``)."""
        assert self._queries is not None, "the service has not started"
        return self._queries

    async def keep_ledgers(self) -> None:
        """Run a projection runner for every live ledger version, and only for those."""
        async with self._keeping:
            await self._keep_ledgers()

    async def _keep_ledgers(self) -> None:
        assert self.engine is not None and self.nc is not None
        live = {v.ledger_id: v for v in await asyncio.to_thread(Ledgers(self.engine).live_versions)}
        for ledger_id in [i for i in self._ledgers if i not in live]:
            _, runner, task = self._ledgers.pop(ledger_id)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.runners.remove(runner)
        for ledger_id, version in live.items():
            if ledger_id not in self._ledgers:
                await self._start_ledger(version)

    async def _start_ledger(self, version: LedgerVersion) -> None:
        assert self.engine is not None and self.nc is not None
        projection = LedgerProjection(version, evaluator_for(version, self.book))
        runner = ProjectionRunner(self.nc, self.engine, projection)
        await asyncio.to_thread(runner.setup)
        task = asyncio.create_task(runner.run(), name=f"ledger {version.ledger_id}")
        self._ledgers[version.ledger_id] = (projection, runner, task)
        self.runners.append(runner)

    async def publish(self) -> int:
        """Refresh dirty totals of every live ledger and publish what changed."""
        assert self.engine is not None and self.store is not None
        publisher = Publisher(self.engine, self.store)
        written = 0
        for ledger_id, (projection, runner, _) in list(self._ledgers.items()):
            generation = await asyncio.to_thread(runner.live_generation)
            if generation is None:
                continue
            tables = projection.tables(generation)
            await asyncio.to_thread(refresh_dirty, self.engine, tables, projection.evaluator)
            written += await publisher.publish(tables["totals"], ledger_id, self.today())
        return written

    async def start(self) -> None:
        """Start as every service does, then the runners of the live ledgers."""
        await super().start()
        await self.keep_ledgers()

    async def stop(self) -> None:
        for _, _, task in self._ledgers.values():
            task.cancel()
        for _, _, task in self._ledgers.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._ledgers.clear()
        await super().stop()


async def _wire(svc: Service) -> None:
    """Ledger bookkeeping, queries and the command intake, once connected."""
    assert isinstance(svc, CreditsService)
    assert svc.engine is not None and svc.nc is not None and svc.store is not None
    await asyncio.to_thread(Ledgers(svc.engine).setup)
    svc._queries = LedgerQueries(svc.engine, svc.book)
    intake = CommandIntake(NAME, COMMAND_WORKERS)
    Handlers(svc.store, svc.queries).register_all(intake)
    await intake.start(svc.nc)


def build(
    *,
    nats_url: str,
    database_url: str,
    book: RuleBook | None = None,
    publish_every: float | None = PUBLISH_EVERY,
    today: Callable[[], date] = _today,
    config_dir: Path | None = None,
) -> CreditsService:
    """The credits service, wired for the given NATS server and database.

    ``book`` is the rule book of the base ledger (default: the rule files in ``config_dir``,
    e.g. a mounted ConfigMap, else the shipped ones);
    every ``publish_every`` seconds (None: never) live ledgers are checked, totals
    refreshed and changes published; ``today`` dates shortfall warnings.
    """
    if book is None:
        book = RuleBook.load(config_dir) if config_dir else RuleBook.default()
    service = CreditsService(nats_url=nats_url, database_url=database_url, book=book, today=today)

    async def tick(svc: Service) -> None:
        await service.keep_ledgers()
        await service.publish()

    service.on_start(_wire)
    if publish_every is not None:
        service.every(publish_every, tick, "ledgers and publication")
    return service
