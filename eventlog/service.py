"""A service's runtime: its NATS connections, streams, broker, projections and health.

Each service (registry, activities, credits, notify) is a :class:`Service` with its own
command handlers and projections; ``start`` connects, declares the streams (settings from
:mod:`eventlog.streams`, the same for everyone), starts the faststream broker and the
projection runners; ``stop`` undoes it in reverse. A health request on
``svc.<service>.health`` answers with the service's state and its projections' lag.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.client import Client
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from eventlog.commandbus import CommandBus
from eventlog.connection import connect
from eventlog.database import make_engine
from eventlog.projection import Projection, ProjectionRunner
from eventlog.scope import current_county
from eventlog.store import EventStore
from eventlog.streams import StreamSettings, declare_streams, stream_name

__all__ = ["Health", "ProjectionHealth", "Service", "health_subject"]

log = logging.getLogger(__name__)


def health_subject(service: str, county: str | None = None) -> str:
    """Where a service answers health requests: ``svc.<service>.health``, or
    ``svc.<service>.<county>.health`` for a copy scoped to one county."""
    return f"svc.{service}.{county}.health" if county else f"svc.{service}.health"


class ProjectionHealth(BaseModel):
    """One projection's state: live generation, checkpoint and lag per stream."""

    generation: int | None
    positions: dict[str, int]
    lag: dict[str, int]


class Health(BaseModel):
    """What a service says about itself."""

    service: str
    instance: str
    status: str = Field(description="'ok', or 'degraded' when a projection task has died")
    nats_server: str
    streams: list[str]
    commands: list[str]
    projections: dict[str, ProjectionHealth]
    uptime_seconds: float


class Service:
    """The composition of one bounded context at run time."""

    def __init__(
        self,
        name: str,
        context: str,
        *,
        nats_url: str,
        database_url: str,
        stream_settings: StreamSettings | None = None,
    ) -> None:
        self.name = name
        self.context = context
        self.nats_url = nats_url
        self.database_url = database_url
        self.stream_settings = stream_settings or StreamSettings()
        self.instance = f"{socket.gethostname()}-{id(self):x}"
        self.broker = NatsBroker(
            nats_url,
            name=f"yanpei-{name}",
            logger=logging.getLogger(f"yanpei.{name}.broker"),
            log_level=logging.DEBUG,  # one line per message is for debugging only
            middlewares=[NatsTelemetryMiddleware()],
            max_reconnect_attempts=-1,
        )
        self.bus = CommandBus(self.broker, context)
        self.projections: list[Projection] = []
        self._setups: list[Callable[[Service], Any]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._periodic: list[tuple[float, Callable[[Service], Awaitable[object]], str]] = []
        self._started = time.monotonic()
        self.nc: Client | None = None
        self.engine: Engine | None = None
        self.store: EventStore | None = None
        self.streams: list[str] = []
        self.county = current_county()
        self.broker.subscriber(health_subject(name, self.county), title=f"{name} health")(
            self._on_health
        )

    def every(self, seconds: float, fn: Callable[[Service], Awaitable[object]], name: str) -> None:
        """Run ``fn(service)`` once started and then every ``seconds``, until stopped.

        For work driven by the calendar rather than by events (a quota period ending). A
        failing run is logged and retried at the next tick; it never stops the service.
        """
        self._periodic.append((seconds, fn, name))

    def on_start(self, fn: Callable[[Service], Any]) -> Callable[[Service], Any]:
        """Run ``fn(service)`` once connected, before the broker starts (e.g. wiring)."""
        self._setups.append(fn)
        return fn

    async def start(self) -> None:
        """Connect, declare streams, start projections and the broker."""
        self.nc = await connect(self.nats_url, f"yanpei-{self.name}")
        self.streams = await declare_streams(self.nc.jetstream(), settings=self.stream_settings)
        self.engine = make_engine(self.database_url)
        self.store = EventStore(self.nc, self.context)
        for setup in self._setups:
            result = setup(self)
            if asyncio.iscoroutine(result):
                await result
        self.runners = [ProjectionRunner(self.nc, self.engine, p) for p in self.projections]
        for runner in self.runners:
            await asyncio.to_thread(runner.setup)
            self._tasks.append(asyncio.create_task(runner.run(), name=f"projection {runner.name}"))
        await self.broker.start()
        # Make sure the server has every subscription before anyone is told we are up.
        await self.broker.connection.flush()
        for seconds, fn, name in self._periodic:
            self._tasks.append(asyncio.create_task(self._tick(seconds, fn, name), name=name))
        self._started = time.monotonic()
        log.info("%s started (%s)", self.name, self.instance)

    async def stop(self) -> None:
        """Stop projections, the broker and the connections, each within a time limit."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await _bounded(asyncio.gather(*self._tasks, return_exceptions=True), "projections")
        self._tasks.clear()
        await _bounded(self.broker.stop(), "broker")
        nc = self.nc
        if nc is not None and not nc.is_closed and not await _bounded(nc.drain(), "NATS drain"):
            await nc.close()
        if self.engine is not None:
            self.engine.dispose()
        log.info("%s stopped", self.name)

    async def _tick(
        self, seconds: float, fn: Callable[[Service], Awaitable[object]], name: str
    ) -> None:
        while True:
            try:
                await fn(self)
            except Exception:
                log.exception("%s: periodic %s failed; next try in %.0fs", self.name, name, seconds)
            await asyncio.sleep(seconds)

    async def health(self) -> Health:
        """The service's state now."""
        assert self.nc is not None and self.engine is not None
        projections: dict[str, ProjectionHealth] = {}
        for runner in getattr(self, "runners", []):
            generation = await asyncio.to_thread(runner.live_generation)
            positions: dict[str, int] = {}
            lag: dict[str, int] = {}
            for context in runner.projection.contexts:
                stream = stream_name(context)
                position = (
                    await asyncio.to_thread(runner.position, generation, context)
                    if generation
                    else 0
                )
                positions[stream] = position
                lag[stream] = await runner.lag(position, context)
            projections[runner.name] = ProjectionHealth(
                generation=generation, positions=positions, lag=lag
            )
        dead = [t for t in self._tasks if t.done()]
        return Health(
            service=self.name,
            instance=self.instance,
            status="degraded" if dead else "ok",
            nats_server=str(self.nc._server_info.get("version", "")),
            streams=self.streams,
            commands=sorted(self.bus.commands),
            projections=projections,
            uptime_seconds=round(time.monotonic() - self._started, 3),
        )

    async def _on_health(self) -> Health:
        return await self.health()

    async def __aenter__(self) -> Service:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _bounded(work: Awaitable[object], what: str, seconds: float = 10.0) -> bool:
    """Await ``work`` for at most ``seconds``; log and go on when it takes longer."""
    try:
        await asyncio.wait_for(work, seconds)
    except TimeoutError:
        log.warning("stopping: %s did not finish within %.0fs", what, seconds)
        return False
    return True
