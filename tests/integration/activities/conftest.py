"""Fixtures for the activities service on a real NATS server and both databases.

The registry is played by its public events, appended straight to ``EVT_REGISTRY`` (the
activities service learns it only from them); each test or module takes a county of its own.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import nats.errors
import pytest
import yaml
from nats.aio.client import Client

from contracts import Command, Event
from contracts.replies import CommandReply
from eventlog.commandbus import CommandClient
from eventlog.reader import last_sequence
from eventlog.service import Service
from eventlog.store import EventStore
from services.activities.app import ActivitiesService, build
from services.activities.configuration import CountyConfig, load_county
from tests.fixtures import postgres as pg
from tests.fixtures.activities.registry import County, registry_events
from tests.fixtures.activities.semester import Plan, semester
from tests.fixtures.selection import selected_engines
from tests.support.waiting import eventually

SAMPLE = Path(__file__).parents[2] / "fixtures" / "activities" / "sample_county.yaml"
_CODES = itertools.count(random.Random().randrange(810000, 890000, 100))


def new_county_code() -> str:
    """A 6-digit county code no other test of this session uses."""
    return f"{next(_CODES):06d}"


@cache
def sample_config(county: str) -> CountyConfig:
    """The defaults with the sample county's overrides."""
    return load_county(county, extra=yaml.safe_load(SAMPLE.read_text(encoding="utf-8")))


async def publish_registry(
    nc: Client, county: str, items: list[tuple[str, str, list[Event]]]
) -> None:
    """Append registry events (as the registry would), bounded concurrency."""
    store = EventStore(nc, "registry")
    gate = asyncio.Semaphore(64)

    async def one(aggregate: str, id_: str, events: list[Event]) -> None:
        async with gate:
            ref = store.ref(county, aggregate, id_)
            _, version = await store.load(ref)
            await store.append(ref, events, version)

    await asyncio.gather(*(one(*item) for item in items))


async def caught_up(service: Service) -> bool:
    """Whether every projection of ``service`` has applied its streams to their ends."""
    assert service.nc is not None
    for runner in service.runners:
        generation = runner.live_generation()
        for context in runner.projection.contexts:
            try:
                end = await last_sequence(service.nc, f"EVT_{context.upper()}")
            except nats.errors.TimeoutError:
                return False  # a busy shared machine: the caller polls again
            if generation is None or runner.position(generation, context) < end:
                return False
    return True


async def send_all(
    client: CommandClient, county: str, commands: list[Command]
) -> list[CommandReply]:
    """Send commands one after the other; stop at the first refusal."""
    replies = []
    for command in commands:
        reply = await client.send(county, command)
        replies.append(reply)
        if not reply.ok:
            break
    return replies


@pytest.fixture(scope="module", params=selected_engines())
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    """A database for a whole module, on each selected engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('activities') / 'yanpei.db'}"
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres_server")
    url = pg.create_database(server.admin_url)
    yield url
    pg.drop_database(server.admin_url, url)


@pytest.fixture
def code() -> str:
    return new_county_code()


@pytest.fixture
async def activities(nats_server, database_url: str, code: str) -> AsyncIterator[ActivitiesService]:
    """A running activities service for this test's county, on the sample configuration."""
    config: Callable[[str], CountyConfig] = sample_config
    service = build(
        nats_url=nats_server.url,
        database_url=database_url,
        counties=[code],
        config=config,
        announce_every=None,  # test_announcing.py runs the timer; here it would only add load
    )
    async with service:
        yield service


@pytest.fixture
def client(nc: Client) -> CommandClient:
    return CommandClient(nc, timeout=30)


@pytest.fixture
async def county(activities, nc, code) -> County:
    """The sample county's registry, learnt by the running service."""
    county = County(code)
    await publish_registry(nc, code, registry_events(county))
    await eventually(lambda: caught_up(activities), what="the registry facts")
    return county


def training_of(county: County) -> Plan:
    """The sample semester's first school-based training (L1, 8 Oct 2025, 20 teachers)."""
    return next(p for p in semester(county) if p.kind == "school_based_training")
