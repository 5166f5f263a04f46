"""`read_batches`: in order, from a sequence, filtered, and ending by itself, even when empty."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from nats.aio.client import Client
from nats.js.api import StreamConfig

from eventlog import connect, reader
from eventlog.reader import read_batches
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def stream(nc: Client) -> str:
    """A stream of 10 ``a`` then 5 ``b`` messages (sequences 1-10, 11-15)."""
    name = f"READ_{uuid.uuid4().hex[:8].upper()}"
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=name, subjects=[f"{name.lower()}.>"]))
    for i in range(10):
        await js.publish(f"{name.lower()}.a.{i}", b"a")
    for i in range(5):
        await js.publish(f"{name.lower()}.b.{i}", b"b")
    yield name
    await js.delete_stream(name)


async def _read(nc: Client, stream: str, **options) -> list[int]:
    async def collect() -> list[int]:
        return [e.sequence async for batch in read_batches(nc, stream, **options) for e in batch]

    return await asyncio.wait_for(collect(), timeout=20)


@pytest.mark.parametrize(
    ("start", "subjects", "expected"),
    [
        (1, ">", list(range(1, 16))),
        (3, "b.>", [11, 12, 13, 14, 15]),
        (12, "b.>", [12, 13, 14, 15]),
        (11, "a.>", []),  # newer events exist, none of them matches
        (1, "zz.>", []),  # nothing matches at all
    ],
)
async def test_reads_what_matches_from_start_and_ends_by_itself(
    nc, stream, start, subjects, expected
):
    found = await _read(
        nc, stream, start=start, subject_filter=f"{stream.lower()}.{subjects}", batch_size=4
    )
    assert found == expected


async def test_a_read_stops_at_the_end_it_saw_when_it_began(nc, stream):
    js = nc.jetstream()
    seen: list[int] = []
    async for batch in read_batches(nc, stream, batch_size=5):
        if not seen:
            await js.publish(f"{stream.lower()}.a.late", b"late")
        seen += [e.sequence for e in batch]
    assert seen == list(range(1, 16))


async def test_a_read_whose_server_restarts_ends_with_an_error_instead_of_waiting_forever(
    fresh_nats_server, monkeypatch
):
    """The server forgets the read's in-memory consumer when it restarts; the read must say
    so (its caller reads again from the last event taken) rather than wait for the rest."""
    monkeypatch.setattr(reader, "WINDOW", 10)  # only ten messages in flight at a time
    monkeypatch.setattr(reader, "IDLE_CHECK_SECONDS", 0.5)
    nc = await connect(fresh_nats_server.url, "reader-restart")
    js = nc.jetstream()
    try:
        await js.add_stream(StreamConfig(name="RESTART", subjects=["restart.>"]))
        for i in range(50):
            await js.publish(f"restart.{i}", b"x")
        seen: list[int] = []
        with pytest.raises(reader.ReadInterrupted, match=r"RESTART after #\d+"):
            async with asyncio.timeout(30):
                async for batch in read_batches(nc, "RESTART", batch_size=5):
                    if not seen:
                        await asyncio.to_thread(fresh_nats_server.stop)
                        await eventually(lambda: not nc.is_connected, what="the outage")
                        await asyncio.to_thread(fresh_nats_server.start)
                        await eventually(lambda: nc.is_connected, what="the reconnect")
                    seen += [e.sequence for e in batch]
        assert seen == list(range(1, len(seen) + 1)), "what was read came in order"
        assert 5 <= len(seen) < 50
    finally:
        await nc.close()
