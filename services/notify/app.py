"""The notify service's composition root: planner projection, ticker and dispatcher.

- the **planner** (a projection of the registry, activities and credits streams) keeps
  the directory and plans a ledger row per cause event, recipient and channel;
- the **ticker** (``Service.every``) reads contact data from ``INT_REGISTRY`` and plans
  dated reminders, activity reminders, missing materials and digests;
- the **dispatcher** (a task of its own) sends due rows, each in its own task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache, partial
from pathlib import Path

import httpx

from eventlog.database import lock_schema, writing
from eventlog.service import Service
from services.notify.channels import Channel, DingTalkChannel, EmailChannel, WebhookChannel
from services.notify.configuration import CONFIG_DIR, CountyConfig, load_county
from services.notify.contacts import sync_contacts
from services.notify.dispatcher import AddressBook, Dispatcher
from services.notify.planner import NotifyPlanner, utc_now
from services.notify.routing import Router
from services.notify.settings import NotifySettings
from services.notify.tables import metadata
from services.notify.ticker import Ticker

NAME = "notify"

__all__ = ["NAME", "NotifyService", "build"]


class NotifyService(Service):
    """The notify :class:`Service`, with its planner, and ticker and dispatcher once started."""

    def __init__(
        self,
        *,
        nats_url: str,
        database_url: str,
        router: Router,
        settings: NotifySettings,
        counties: list[str] | None,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(NAME, NAME, nats_url=nats_url, database_url=database_url)
        self.router = router
        self.settings = settings
        self.counties = counties
        self.clock = clock
        self.planner = NotifyPlanner(router, counties, clock)
        self.projections.append(self.planner)
        self.ticker: Ticker | None = None
        self.dispatcher: Dispatcher | None = None
        self.http: httpx.AsyncClient | None = None
        self.email: EmailChannel | None = None

    async def wire(self, _service: Service) -> None:
        """Once connected: notify's tables, the ticker and the dispatcher."""
        assert self.engine is not None
        with writing(self.engine) as tx:
            lock_schema(tx)
            metadata.create_all(tx)
        self.ticker = Ticker(self.engine, self.planner, self.router, self.counties, self.clock)
        s = self.settings
        self.dispatcher = Dispatcher(
            self.engine,
            {},  # the channels come with each run of ``deliver``
            AddressBook(self.engine, self.router.config_for),
            policy=s.retry,
            concurrency=s.concurrency,
            lease_seconds=s.lease_seconds,
            idle_seconds=s.idle_seconds,
            counties=self.counties,
            clock=self.clock,
        )

    async def schedule(self, _service: Service) -> None:
        """One tick: new contact data, then what fell due."""
        assert self.nc is not None and self.engine is not None and self.ticker is not None
        await sync_contacts(self.nc, self.engine, self.counties)
        await self.ticker.tick()

    async def deliver(self, _service: Service) -> None:
        """Send until stopped, over channels of this run's own; closed when it ends."""
        assert self.dispatcher is not None
        self.http = httpx.AsyncClient(timeout=self.settings.webhook_timeout)
        self.email = EmailChannel(self.settings.smtp, pool_size=self.settings.concurrency)
        channels: dict[str, Channel] = {
            "email": self.email,
            "webhook": WebhookChannel(self.http),
            "dingtalk": DingTalkChannel(self.http),
        }
        self.dispatcher.channels = channels
        try:
            await self.dispatcher.run()
        finally:
            await self.http.aclose()
            await self.email.close()


def build(
    *,
    nats_url: str,
    database_url: str,
    counties: Iterable[str] | None = None,
    config: Callable[[str], CountyConfig] | None = None,
    settings: NotifySettings | None = None,
    clock: Callable[[], datetime] = utc_now,
    tick: bool = True,
    dispatch: bool = True,
    config_dir: Path | None = None,
) -> NotifyService:
    """The notify service; ``counties`` limits it (tests sharing a server), ``config`` gives a
    county's settings (default: ``config/``, or ``config_dir``, e.g. a mounted ConfigMap),
    ``tick``/``dispatch`` off: tests drive them."""
    settings = settings or NotifySettings()
    service = NotifyService(
        nats_url=nats_url,
        database_url=database_url,
        router=Router(config or cache(partial(load_county, config_dir=config_dir or CONFIG_DIR))),
        settings=settings,
        counties=sorted(counties) if counties else None,
        clock=clock,
    )
    service.on_start(service.wire)
    if tick:
        service.every(settings.tick_seconds, service.schedule, "notify schedule")
    if dispatch:
        service.every(1.0, service.deliver, "notify delivery")
    return service
