"""Running the system: the NATS server (given or embedded) and the four services."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from eventlog.service import Service
from services import SERVICES
from yanpei.natsserver import EmbeddedNatsServer
from yanpei.settings import Settings

__all__ = ["RunningSystem", "nats_url_for", "running_system"]

log = logging.getLogger(__name__)


@dataclass
class RunningSystem:
    """What ``running_system`` started: the NATS URL, the embedded server if any, services."""

    nats_url: str
    database_url: str
    embedded: EmbeddedNatsServer | None
    services: list[Service] = field(default_factory=list)


@contextlib.asynccontextmanager
async def nats_url_for(settings: Settings) -> AsyncIterator[tuple[str, EmbeddedNatsServer | None]]:
    """The configured NATS URL, or an embedded server started for the duration."""
    if settings.nats_url:
        yield settings.nats_url, None
        return
    server = EmbeddedNatsServer(settings.data_dir)
    async with server:
        log.info("embedded nats-server %s at %s", server.version, server.url)
        yield server.url, server


def build_service(name: str, nats_url: str, database_url: str) -> Service:
    """Build one service by name through its composition root."""
    app = importlib.import_module(f"services.{name}.app")
    service: Service = app.build(nats_url=nats_url, database_url=database_url)
    return service


@contextlib.asynccontextmanager
async def running_system(
    settings: Settings, names: Sequence[str] = SERVICES
) -> AsyncIterator[RunningSystem]:
    """Start NATS (if needed) and the named services; stop everything on exit."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with nats_url_for(settings) as (url, embedded):
        system = RunningSystem(url, settings.effective_database_url, embedded)
        try:
            for name in names:
                service = build_service(name, url, system.database_url)
                await service.start()
                system.services.append(service)
            yield system
        finally:
            for service in reversed(system.services):
                await service.stop()
