"""Fixtures for the registry on a real NATS server and both databases.

Tests share one NATS server, so each takes county codes of its own (6 digits, unique in the
session) and runs a registry whose views keep only its counties.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Iterator

import pytest
from nats.aio.client import Client

from eventlog.commandbus import CommandClient
from eventlog.reader import last_sequence
from eventlog.service import Service
from services.registry.app import build
from services.registry.contacts.stream import CONTACT_STREAM
from services.registry.exporting import reader_for
from services.registry.queries import RegistryReader
from tests.fixtures import postgres as pg
from tests.fixtures.selection import selected_engines

_CODES = itertools.count(random.Random().randrange(100000, 800000, 1000))


def new_county_code() -> str:
    """A 6-digit county code no other test of this session uses."""
    return f"{next(_CODES):06d}"


@pytest.fixture
def codes() -> tuple[str, str]:
    """Two county codes of this test's own: a home county and its neighbour."""
    return new_county_code(), new_county_code()


@pytest.fixture
async def registry(nats_server, database_url: str, codes) -> AsyncIterator[Service]:
    """A running registry serving this test's counties."""
    async with build(nats_url=nats_server.url, database_url=database_url, counties=codes) as svc:
        yield svc


@pytest.fixture
def client(nc: Client) -> CommandClient:
    return CommandClient(nc, timeout=30)


@pytest.fixture
def reader(registry: Service) -> RegistryReader:
    assert registry.engine is not None
    return reader_for(registry.engine)


async def log_end(nc: Client) -> tuple[int, int]:
    """The last sequences of the public and the internal registry streams."""
    return await last_sequence(nc, "EVT_REGISTRY"), await last_sequence(nc, CONTACT_STREAM)


async def views_caught_up(service: Service) -> bool:
    """Whether every view of ``service`` has applied the registry stream to its end."""
    assert service.nc is not None
    end = await last_sequence(service.nc, "EVT_REGISTRY")
    for runner in service.runners:
        generation = runner.live_generation()
        if generation is None or runner.position(generation, "registry") < end:
            return False
    return True


@pytest.fixture(scope="module", params=selected_engines())
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """A database for a whole module, on each selected engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('registry') / 'yanpei.db'}"
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres_server")
    url = pg.create_database(server.admin_url)
    yield url
    pg.drop_database(server.admin_url, url)
