"""Fixtures for the notify service on a real NATS server, both databases, and loopback
receivers: an SMTP server (aiosmtpd) and an HTTP server (pytest-httpserver) for webhooks
and DingTalk robots."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nats.aio.client import Client
from sqlalchemy import func, select

from eventlog.reader import last_sequence
from services.notify.app import NotifyService, build
from services.notify.configuration import CountyConfig, load_county
from services.notify.settings import NotifySettings
from services.notify.tables import deliveries
from services.registry.contacts.stream import declare_contact_stream
from tests.fixtures.notify.sinks import MailSink, smtp_sink

_CODES = itertools.count(random.Random().randrange(910000, 990000, 100))


_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _this_evening() -> datetime:
    """19:00 in Shanghai on today's Shanghai date: after the day's 09:00 reminders and its
    18:00 digest, so what falls due in a test does not depend on the hour the suite runs."""
    today = datetime.now(_SHANGHAI).date()
    return datetime.combine(today, time(19), tzinfo=_SHANGHAI).astimezone(UTC)


@dataclass
class ShiftedClock:
    """A clock that starts at 19:00 today (Shanghai) and flows with real time; a test can
    jump ahead by setting ``offset``."""

    offset: timedelta = field(default_factory=timedelta)
    start: datetime = field(default_factory=_this_evening)
    _began: float = field(default_factory=monotonic)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=monotonic() - self._began) + self.offset


@pytest.fixture
def code() -> str:
    """A 6-digit county code no other test of this session uses."""
    return f"{next(_CODES):06d}"


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with smtp_sink() as mail:
        yield mail


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


def fast_settings(sink: MailSink, **overrides: Any) -> NotifySettings:
    """Fast retries and a short idle wait, mail to the sink."""
    values: dict[str, Any] = {
        "smtp_host": sink.host,
        "smtp_port": sink.port,
        "retry_base_seconds": 0.05,
        "retry_max_attempts": 6,
        "idle_seconds": 0.02,
        "lease_seconds": 5.0,
        "webhook_timeout": 2.0,
        "smtp_sender": "notify@yanpei.test",
    }
    values.update(overrides)
    return NotifySettings(**values)


def config_for(extra: dict[str, Any]) -> Callable[[str], CountyConfig]:
    """The defaults with the test's settings on top, for every county."""
    loaded: dict[str, CountyConfig] = {}

    def get(county: str) -> CountyConfig:
        if county not in loaded:
            loaded[county] = load_county(county, extra=extra)
        return loaded[county]

    return get


@pytest.fixture
async def contact_stream(nc: Client) -> None:
    await declare_contact_stream(nc.jetstream())


async def start_notify(
    nats_url: str,
    database_url: str,
    code: str,
    extra: dict[str, Any],
    settings: NotifySettings,
    clock: ShiftedClock,
) -> NotifyService:
    service = build(
        nats_url=nats_url,
        database_url=database_url,
        counties=[code],
        config=config_for(extra),
        settings=settings,
        clock=clock,
        tick=False,
    )
    await service.start()
    return service


async def caught_up(service: NotifyService) -> bool:
    """Whether the planner has applied every stream to its end."""
    assert service.nc is not None
    for runner in service.runners:
        generation = runner.live_generation()
        for context in runner.projection.contexts:
            end = await last_sequence(service.nc, f"EVT_{context.upper()}")
            if generation is None or runner.position(generation, context) < end:
                return False
    return True


def count(service: NotifyService, *statuses: str) -> int:
    """Ledger rows of the service's county in these statuses."""
    assert service.engine is not None
    d = deliveries
    with service.engine.connect() as tx:
        query = select(func.count()).select_from(d).where(d.c.status.in_(statuses))
        return int(tx.execute(query).scalar() or 0)


@pytest.fixture
async def notify_factory(nats_server: Any, database_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Starts notify services for a test; stops them after it."""
    started: list[NotifyService] = []

    async def make(
        code: str, extra: dict[str, Any], settings: NotifySettings, clock: ShiftedClock
    ) -> NotifyService:
        service = await start_notify(nats_server.url, database_url, code, extra, settings, clock)
        started.append(service)
        return service

    yield make
    for service in started:
        await service.stop()
