"""Running one service in its own process, as a Kubernetes Deployment does.

``yanpei serve <service>`` starts the service on the configured NATS and database (scoped
to ``YANPEI_COUNTY`` when it is set: :mod:`eventlog.scope`) and
keeps a heartbeat file fresh while the service reports itself healthy; the liveness probe
(``yanpei probe live --service <service>``) reads only that file, so a NATS outage makes
pods unready (readiness asks the service over NATS) without restarting them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from pathlib import Path

from eventlog.scope import scoped_to
from eventlog.service import Service
from yanpei.runtime import build_service
from yanpei.settings import Settings

__all__ = ["HEARTBEAT_SECONDS", "heartbeat_age", "heartbeat_file", "serve"]

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
"""How often a healthy service refreshes its heartbeat file."""


def heartbeat_file(settings: Settings, service: str) -> Path:
    """Where ``service`` keeps its heartbeat."""
    return settings.data_dir / f"heartbeat-{service}"


def heartbeat_age(settings: Settings, service: str) -> float | None:
    """Seconds since the service's last heartbeat; None when it never beat."""
    try:
        return time.time() - heartbeat_file(settings, service).stat().st_mtime
    except FileNotFoundError:
        return None


async def serve(settings: Settings, name: str) -> None:
    """Run service ``name`` until SIGTERM or SIGINT, beating while it is healthy."""
    if not settings.nats_url:
        raise ValueError("set YANPEI_NATS_URL: a served service needs a shared NATS server")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with scoped_to(settings.county):
        await _serve(settings, name)


async def _serve(settings: Settings, name: str) -> None:
    assert settings.nats_url is not None
    service = build_service(
        name, settings.nats_url, settings.effective_database_url, settings.config_dir
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with service:
        beating = asyncio.create_task(_beat(service, heartbeat_file(settings, name)))
        try:
            await stop.wait()
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
    log.info("%s: stopped on signal", name)


async def _beat(service: Service, path: Path) -> None:
    while True:
        try:
            health = await service.health()
            if health.status == "ok":
                await asyncio.to_thread(path.touch)
        except Exception:  # a beat missed is what the probe is for
            log.warning("%s: health check failed; heartbeat not refreshed", service.name)
        await asyncio.sleep(HEARTBEAT_SECONDS)
