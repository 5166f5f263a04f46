"""The projection runner on real NATS, with SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import DBAPIError

from eventlog import NEW, EventStore
from eventlog.deadletters import DeadLetters
from eventlog.messages import StoredEvent
from eventlog.projection import ProjectionRunner
from eventlog.streams import stream_name
from tests.support.counters import CounterBumped, CounterOpened, Counters, rows
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


async def seed(store: EventStore, county: str, counters: int, bumps: int) -> int:
    """Open ``counters`` counters and bump each ``bumps`` times (by 1..bumps); last sequence."""
    last = 0

    async def one(i: int) -> int:
        ref = store.ref(county, "counter", f"c{i:04d}")
        version = (await store.append(ref, [CounterOpened(label=f"counter {i}")], NEW)).version
        for b in range(1, bumps + 1):
            version = (await store.append(ref, [CounterBumped(by=b)], version)).version
        return version

    for version in await asyncio.gather(*(one(i) for i in range(counters))):
        last = max(last, version)
    return last


def expected_rows(county: str, counters: int, bumps: int) -> list[tuple]:
    total = bumps * (bumps + 1) // 2
    return [(county, f"c{i:04d}", f"counter {i}", total, bumps) for i in range(counters)]


def live_rows(engine: Engine, projection: Counters) -> list[tuple]:
    with engine.connect() as tx:
        return rows(tx, projection)


def caught_up(runner: ProjectionRunner, last: int):
    def check() -> bool:
        try:
            generation = runner.live_generation()
        except DBAPIError:  # the runner has not created its bookkeeping yet
            return False
        return generation is not None and runner.position(generation, "system") >= last

    return check


async def test_live_runner_applies_backlog_then_new_events(store, nc, engine, county):
    last = await seed(store, county, counters=20, bumps=5)
    projection = Counters(county)
    runner = ProjectionRunner(nc, engine, projection, batch_size=37)
    task = asyncio.create_task(runner.run())
    try:
        await eventually(caught_up(runner, last), what="the backlog")
        assert live_rows(engine, projection) == expected_rows(county, 20, 5)
        ref = store.ref(county, "counter", "c0000")
        _, version = await store.load(ref)
        more = await store.append(ref, [CounterBumped(by=100)], version)
        await eventually(caught_up(runner, more.version), what="the live event")
        assert live_rows(engine, projection)[0][3] == 15 + 100
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class GatedCounters(Counters):
    """Counters whose third batch waits at a gate, so a test can stop the runner inside it."""

    def __init__(self, county: str) -> None:
        super().__init__(county)
        self.batches = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        self.batches += 1
        if self.batches == 3:
            self.entered.set()
            self.release.wait(timeout=30)
        super().apply(tx, tables, events)


async def test_runner_cancelled_mid_batch_then_restarted_equals_a_clean_run(
    store, nc, engine, county
):
    last = await seed(store, county, counters=30, bumps=10)
    gated = GatedCounters(county)
    runner = ProjectionRunner(nc, engine, gated, batch_size=25)
    task = asyncio.create_task(runner.run())
    await asyncio.to_thread(gated.entered.wait, 30)
    task.cancel()
    gated.release.set()
    await asyncio.gather(task, return_exceptions=True)
    generation = runner.live_generation()
    assert generation is not None
    assert 0 < runner.position(generation, "system") < last, "stopped in the middle"

    restarted = ProjectionRunner(nc, engine, Counters(county), batch_size=25)
    task = asyncio.create_task(restarted.run())
    try:
        await eventually(caught_up(restarted, last), what="the restarted runner")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert live_rows(engine, Counters(county)) == expected_rows(county, 30, 10)

    report = await ProjectionRunner(nc, engine, Counters(county)).rebuild()
    with engine.connect() as tx:
        assert rows(tx, Counters(county), report.generation) == rows(
            tx, Counters(county), generation
        )


async def test_projector_process_killed_mid_batch_then_restarted_equals_a_clean_run(
    store, nc, engine, county, nats_server, database_url
):
    last = await seed(store, county, counters=20, bumps=20)
    command = [
        sys.executable,
        "-m",
        "tests.support.projector_main",
        nats_server.url,
        database_url,
        county,
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    watcher = ProjectionRunner(nc, engine, Counters(county))

    def position() -> int:
        try:
            generation = watcher.live_generation()
        except DBAPIError:  # the child has not created its bookkeeping yet
            return 0
        return watcher.position(generation, "system") if generation else 0

    child = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        await eventually(lambda: position() >= last // 3, what="the child to make progress")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    killed_at = position()
    assert 0 < killed_at < last, "killed in the middle of the backlog"

    child = subprocess.Popen([*command[:-1], "0"], cwd=ROOT, env=env)
    try:
        await eventually(lambda: position() >= last, timeout=60, what="the restarted child")
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    assert live_rows(engine, Counters(county)) == expected_rows(county, 20, 20)


async def test_poison_event_is_dead_lettered_after_the_set_tries_and_the_rest_applied(
    store, nc, engine, county
):
    ref = store.ref(county, "counter", "poisoned")
    version = (await store.append(ref, [CounterOpened(label="p")], NEW)).version
    version = (await store.append(ref, [CounterBumped(by=2)], version)).version
    poison = await store.append(ref, [CounterBumped(by=-7)], version)
    after = await store.append(ref, [CounterBumped(by=3)], poison.version)
    runner = ProjectionRunner(nc, engine, Counters(county), max_attempts=4)
    task = asyncio.create_task(runner.run())
    try:
        await eventually(caught_up(runner, after.version), what="events after the poison")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert live_rows(engine, Counters(county)) == [(county, "poisoned", "p", 5, 2)]
    letters = [
        d
        for d in await DeadLetters(nc).list("test_counters")
        if d.subject.startswith(f"evt.{county}.")
    ]
    assert [(d.sequence, d.attempts) for d in letters] == [(poison.version, 4)]
    assert "a counter cannot go down (by=-7)" in letters[0].reason
    assert letters[0].event.id == poison.event_ids[0]


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({"ce-type": "system.TestCounterOpened.v1"}, b"{not json", "Invalid JSON"),
        ({"ce-type": "system.NoSuchThing.v1"}, b"{}", "no contract named 'system.NoSuchThing'"),
        ({"ce-type": "system.TestCounterOpened.v7"}, b'{"label": "x"}', "major version 7"),
        ({"ce-type": "system.TestCounterOpened.v1"}, b'{"lable": "x"}', "label: Field required"),
        ({}, b'{"label": "x"}', "missing CloudEvents header(s): ce-type"),
    ],
    ids=["bad-json", "unknown-type", "unknown-major", "invalid-payload", "no-type"],
)
async def test_malformed_message_is_dead_lettered_and_never_stops_the_runner(
    store, nc, engine, county, headers, body, reason
):
    base = {
        "ce-id": f"junk-{county}",
        "ce-source": "/elsewhere",
        "ce-specversion": "1.0",
        "ce-time": "2026-11-23T08:00:00Z",
    }
    js = nc.jetstream()
    junk = await js.publish(
        f"evt.{county}.system.counter.junk.Whatever", body, headers={**base, **headers}
    )
    ref = store.ref(county, "counter", "fine")
    after = await store.append(ref, [CounterOpened(label="after the junk")], NEW)
    runner = ProjectionRunner(nc, engine, Counters(county))
    task = asyncio.create_task(runner.run())
    try:
        await eventually(caught_up(runner, after.version), what="the event after the junk")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert live_rows(engine, Counters(county)) == [(county, "fine", "after the junk", 0, 0)]
    letters = [d for d in await DeadLetters(nc).list("test_counters") if d.sequence == junk.seq]
    assert len(letters) == 1
    assert reason in letters[0].reason
    assert letters[0].stream == stream_name("system")


async def test_rebuild_from_sequence_one_equals_the_incremental_projection(
    store, nc, engine, county
):
    last = await seed(store, county, counters=15, bumps=4)
    projection = Counters(county)
    runner = ProjectionRunner(nc, engine, projection, batch_size=7)
    task = asyncio.create_task(runner.run())
    try:
        await eventually(caught_up(runner, last), what="the incremental build")
        before = live_rows(engine, projection)
        report = await ProjectionRunner(nc, engine, Counters(county), batch_size=500).rebuild()
        assert report.previous == 1 and report.generation == 2
        assert report.rows["counters"] == (15, 15)
        assert live_rows(engine, projection) == before == expected_rows(county, 15, 4)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_events_appended_during_a_rebuild_are_all_applied(store, nc, engine, county):
    await seed(store, county, counters=10, bumps=30)
    projection = Counters(county)
    live = ProjectionRunner(nc, engine, projection, batch_size=50)
    live_task = asyncio.create_task(live.run())
    progressed = asyncio.Event()

    def progress(_stream: str, _position: int, _end: int) -> None:
        progressed.set()

    async def write_more() -> int:
        await progressed.wait()
        last = 0
        for i in range(10):
            ref = store.ref(county, "counter", f"c{i:04d}")
            _, version = await store.load(ref)
            last = (await store.append(ref, [CounterBumped(by=1000)], version)).version
        return last

    try:
        rebuilder = ProjectionRunner(nc, engine, Counters(county), batch_size=20)
        report, last = await asyncio.gather(rebuilder.rebuild(progress=progress), write_more())
        await eventually(caught_up(live, last), what="the live runner on the new generation")
        assert live.live_generation() == report.generation
        total = 30 * 31 // 2 + 1000
        assert live_rows(engine, projection) == [
            (county, f"c{i:04d}", f"counter {i}", total, 31) for i in range(10)
        ]
    finally:
        live_task.cancel()
        await asyncio.gather(live_task, return_exceptions=True)


class HeldCounters(Counters):
    """Counters that hold the batch holding a bump by ``HOLD`` until the test releases it."""

    HOLD = 1000

    def __init__(self, county: str) -> None:
        super().__init__(county)
        self.entered = threading.Event()
        self.release = threading.Event()

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        if any(b'"by":1000' in e.data.replace(b" ", b"") for e in events):
            self.entered.set()
            self.release.wait(timeout=30)
        super().apply(tx, tables, events)


async def test_a_delivery_lost_on_the_way_is_read_again_not_skipped(store, nc, engine, county):
    """A delivery of the live consumer that never reaches the runner (here another client
    takes it) must not be acknowledged away by the next one: the runner catches up from
    its checkpoint and applies it."""
    projection = HeldCounters(county)
    runner = ProjectionRunner(nc, engine, projection, batch_size=10)
    ref = store.ref(county, "counter", "c0000")
    version = (await store.append(ref, [CounterOpened(label="counter 0")], NEW)).version
    task = asyncio.create_task(runner.run())
    thief = None
    try:
        await eventually(caught_up(runner, version), what="the opening")
        version = (await store.append(ref, [CounterBumped(by=HeldCounters.HOLD)], version)).version
        assert await asyncio.to_thread(projection.entered.wait, 30), "the runner took the bump"
        for by in (1, 2):
            version = (await store.append(ref, [CounterBumped(by=by)], version)).version
        generation = runner.live_generation()
        thief = await nc.jetstream().pull_subscribe_bind(
            durable=f"proj_{projection.name}_g{generation}_system", stream=stream_name("system")
        )
        (taken,) = await thief.fetch(1, timeout=10)
        assert taken.data.replace(b" ", b"").endswith(b'"by":1}'), "the bump by 1 went astray"
        projection.release.set()
        await eventually(caught_up(runner, version), what="the bumps after the lost one")
        assert live_rows(engine, projection) == [
            (county, "c0000", "counter 0", HeldCounters.HOLD + 1 + 2, 3)
        ]
    finally:
        projection.release.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if thief is not None:
            await thief.unsubscribe()
