"""Copies of a service scoped to different counties share one NATS without meeting."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path

import pytest
from nats.aio.client import Client

from contracts.registry.v1 import RegisterCounty
from eventlog import connect
from eventlog.commandbus import CommandClient
from eventlog.scope import scoped_to
from eventlog.service import Health, Service, health_subject
from eventlog.streams import declare_streams, stream_name
from services.registry.app import build
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

_CODES = itertools.count(random.Random().randrange(710000, 790000, 100))


def _register(code: str) -> RegisterCounty:
    return RegisterCounty(
        county_code=code,
        county_name=f"县{code}",
        city="绵阳市",
        province="四川省",
        effective_on=date(2026, 1, 1),
    )


async def _started(nats_url: str, tmp_path: Path, county: str) -> Service:
    with scoped_to(county):
        service = build(nats_url=nats_url, database_url=f"sqlite:///{tmp_path / county}.db")
        await service.start()
    return service


async def test_scoped_copies_take_only_their_countys_commands_and_keep_their_consumers(
    fresh_nats_server, tmp_path: Path
):
    """On a server of its own: each copy catches up every county's registry events."""
    nats_server = fresh_nats_server
    nc = await connect(nats_server.url, "county-scope-test")
    await declare_streams(nc.jetstream())
    a, b, other = (f"{next(_CODES):06d}" for _ in range(3))
    first = await _started(nats_server.url, tmp_path, a)
    second = await _started(nats_server.url, tmp_path, b)
    try:
        client = CommandClient(nc, timeout=30)
        assert (await client.send(a, _register(a))).ok
        assert (await client.send(b, _register(b))).ok
        refused = await client.send(other, _register(other))
        assert refused.error is not None and "no service answers" in refused.error.message

        answers = [
            Health.model_validate_json(
                (await nc.request(health_subject("registry", c), b"", timeout=15)).data
            )
            for c in (a, b)
        ]
        assert answers[0].instance == first.instance and answers[1].instance == second.instance

        async def both_consumers() -> bool:
            names = [c.name async for c in _consumers(nc, stream_name("registry"))]
            return any(n.endswith(f"_{a}") for n in names) and any(
                n.endswith(f"_{b}") for n in names
            )

        await eventually(both_consumers, what="each copy's own durable consumers")
    finally:
        await second.stop()
        await first.stop()
        await nc.close()


async def _consumers(nc: Client, stream: str):
    for info in await nc.jetstream().consumers_info(stream):
        yield info


def test_a_scope_must_be_a_county_code():
    with pytest.raises(ValueError, match="six-digit county code"), scoped_to("51078"):
        pass
