"""Running the system: the NATS server (given or embedded) and the four services."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def build_service(
    name: str, nats_url: str, database_url: str, config_dir: Path | None = None
) -> Service:
    """Build one service by name through its composition root.

    With ``config_dir`` (``YANPEI_CONFIG_DIR``, e.g. ConfigMaps mounted at ``/etc/yanpei``),
    a service whose composition root takes configuration reads ``config_dir/<name>``
    instead of the files it ships with.
    """
    app = importlib.import_module(f"services.{name}.app")
    options: dict[str, Any] = {}
    if config_dir is not None and "config_dir" in inspect.signature(app.build).parameters:
        options["config_dir"] = config_dir / name
    service: Service = app.build(nats_url=nats_url, database_url=database_url, **options)
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
                service = build_service(name, url, system.database_url, settings.config_dir)
                await service.start()
                system.services.append(service)
            yield system
        finally:
            for service in reversed(system.services):
                await service.stop()
