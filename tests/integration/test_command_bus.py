"""Commands over request-reply on a real NATS server: typed replies, idempotent retries."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from contracts.replies import ErrorCode
from eventlog.commandbus import CommandClient
from eventlog.projection import ProjectionRunner
from tests.support.counters import BumpCounter, Counters, OpenCounter, counter_service, rows
from tests.support.waiting import eventually


@pytest.fixture
async def service(nats_server, database_url, county):
    async with counter_service(nats_server.url, database_url, county) as running:
        yield running


@pytest.fixture
def client(nc) -> CommandClient:
    return CommandClient(nc, timeout=10)


async def test_a_command_writes_its_events_and_replies_with_them(service, client, county):
    reply = await client.send(county, OpenCounter(counter_id="a", label="first"))
    assert reply.ok, reply.error
    assert [e.type for e in reply.events] == ["system.TestCounterOpened.v1"]
    assert reply.events[0].subject == f"evt.{county}.system.counter.a.TestCounterOpened"
    assert reply.events[0].data == {"label": "first"}
    assert reply.version == reply.events[0].sequence

    runner = ProjectionRunner(service.nc, service.engine, Counters(county))
    generation = await asyncio.to_thread(runner.setup)
    await eventually(
        lambda: runner.position(generation, "system") >= reply.version, what="the projection"
    )
    with service.engine.connect() as tx:
        assert rows(tx, Counters(county)) == [(county, "a", "first", 0, 0)]


async def test_a_retried_command_id_writes_no_second_event(service, client, county):
    await client.send(county, OpenCounter(counter_id="b", label="b"))
    command_id = str(uuid.uuid4())
    first = await client.send(county, BumpCounter(counter_id="b", by=5), command_id=command_id)
    again = await client.send(county, BumpCounter(counter_id="b", by=5), command_id=command_id)
    assert first.ok and again.ok
    assert again.duplicate and not first.duplicate
    assert [e.id for e in again.events] == [e.id for e in first.events]
    events, _ = await service.store.load(service.store.ref(county, "counter", "b"))
    assert len(events) == 2


async def test_validation_errors_name_every_field(service, client, nc, county):
    reply = await client.send(county, OpenCounter.model_construct(counter_id="Bad Id", label=""))
    assert not reply.ok
    assert reply.error.code == ErrorCode.VALIDATION
    assert {f.loc for f in reply.error.fields} == {"counter_id", "label"}
    assert "counter_id" in reply.error.message

    raw = await nc.request(
        f"cmd.{county}.system.TestOpenCounter", b"{not json", headers={"ce-id": "x1"}, timeout=5
    )
    assert b'"code":"validation"' in raw.data
    no_id = await nc.request(f"cmd.{county}.system.TestOpenCounter", b"{}", timeout=5)
    assert b"ce-id" in no_id.data


@pytest.mark.parametrize(
    ("command", "code", "field"),
    [
        (BumpCounter(counter_id="ghost", by=1), ErrorCode.NOT_FOUND, "counter_id"),
        (BumpCounter(counter_id="c", by=101), ErrorCode.RULE, "by"),
        (OpenCounter(counter_id="c", label="again"), ErrorCode.RULE, None),
    ],
    ids=["not-found", "rule-with-field", "rule"],
)
async def test_domain_refusals_come_back_typed_and_write_nothing(
    service, client, county, command, code, field
):
    await client.send(county, OpenCounter(counter_id="c", label="c"))
    reply = await client.send(county, command)
    assert not reply.ok
    assert reply.error.code == code
    assert [f.loc for f in reply.error.fields] == ([field] if field else [])
    events, _ = await service.store.load(service.store.ref(county, "counter", "c"))
    assert len(events) == 1


async def test_concurrent_commands_on_one_aggregate_all_land_or_conflict(service, client, county):
    await client.send(county, OpenCounter(counter_id="busy", label="busy"))
    replies = await asyncio.gather(
        *(client.send(county, BumpCounter(counter_id="busy", by=1)) for _ in range(20))
    )
    done = [r for r in replies if r.ok]
    refused = [r for r in replies if not r.ok]
    assert all(r.error.code == ErrorCode.CONFLICT for r in refused)
    events, _ = await service.store.load(service.store.ref(county, "counter", "busy"))
    assert len(events) == 1 + len(done)


async def test_no_service_means_unavailable_not_a_hang(nc, county):
    reply = await CommandClient(nc, timeout=2).send(county, OpenCounter(counter_id="z", label="z"))
    assert not reply.ok
    assert reply.error.code == ErrorCode.UNAVAILABLE
    assert "no service answers" in reply.error.message


async def test_health_answers_with_projection_lag(service, nc, county):
    from eventlog.service import Health, health_subject

    reply = await nc.request(health_subject("test-counters"), b"", timeout=5)
    health = Health.model_validate_json(reply.data)
    assert health.status == "ok"
    assert "EVT_SYSTEM" in health.streams
    assert "system.TestOpenCounter.v1" in health.commands
    assert "test_counters" in health.projections
