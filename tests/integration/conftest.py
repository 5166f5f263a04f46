"""Fixtures for tests against a real NATS server and a real database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from nats.aio.client import Client
from sqlalchemy import Engine

from eventlog import EventStore, connect
from eventlog.database import make_engine
from eventlog.streams import declare_streams


@pytest.fixture
def county() -> str:
    """A county code of this test's own, so tests sharing a server never meet."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def nc(nats_server) -> AsyncIterator[Client]:
    client = await connect(nats_server.url, "yanpei-tests")
    await declare_streams(client.jetstream())
    yield client
    await client.close()


@pytest.fixture
def store(nc: Client) -> EventStore:
    return EventStore(nc, "system", retry_for=20.0)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()
