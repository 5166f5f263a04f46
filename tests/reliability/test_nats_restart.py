"""The NATS server restarted on the same store in the middle of appends and projection work."""

from __future__ import annotations

import asyncio

from eventlog import NEW, AppendFailed, EventStore, connect
from eventlog.database import make_engine
from eventlog.projection import ProjectionRunner
from eventlog.streams import declare_streams
from tests.support.counters import CounterBumped, CounterOpened, Counters, rows
from tests.support.waiting import eventually

COUNTERS = 20
BUMPS = 40


async def test_clients_ride_out_a_server_restart_and_nothing_is_lost(
    fresh_nats_server, database_url
):
    server = fresh_nats_server
    county = "510781"
    nc = await connect(server.url, "restart-test")
    await declare_streams(nc.jetstream())
    store = EventStore(nc, "system", retry_for=30.0, request_timeout=1.0)
    engine = make_engine(database_url)
    runner = ProjectionRunner(nc, engine, Counters(county), batch_size=50)
    projector = asyncio.create_task(runner.run())
    appended = 0
    reported: list[str] = []
    halfway = asyncio.Event()

    async def append(ref, event, version: int, command_id: str) -> int:
        nonlocal appended
        while True:
            try:
                result = await store.append(ref, [event], version, command_id=command_id)
            except AppendFailed as exc:
                # Reported to the caller, who re-sends with the same command id.
                reported.append(str(exc))
                continue
            appended += 1
            if appended == COUNTERS * BUMPS // 3:
                halfway.set()
            return result.version

    async def writer(i: int) -> int:
        ref = store.ref(county, "counter", f"c{i:04d}")
        version = await append(ref, CounterOpened(label=f"counter {i}"), NEW, f"open-{i}")
        for b in range(1, BUMPS + 1):
            version = await append(ref, CounterBumped(by=b), version, f"bump-{i}-{b}")
        return version

    async def outage() -> None:
        await halfway.wait()
        await asyncio.to_thread(server.stop)
        assert appended < COUNTERS * (BUMPS + 1), "the outage falls in the middle of the load"
        await eventually(lambda: not nc.is_connected, what="the client to notice the outage")
        await asyncio.to_thread(server.start)

    try:
        versions, _ = await asyncio.gather(
            asyncio.gather(*(writer(i) for i in range(COUNTERS))), outage()
        )
        assert nc.is_connected
        last = max(versions)

        def caught_up() -> bool:
            generation = runner.live_generation()
            return generation is not None and runner.position(generation, "system") >= last

        await eventually(caught_up, timeout=60, what="the projection after the restart")
        total = BUMPS * (BUMPS + 1) // 2
        with engine.connect() as tx:
            assert rows(tx, Counters(county)) == [
                (county, f"c{i:04d}", f"counter {i}", total, BUMPS) for i in range(COUNTERS)
            ]
        for i in range(COUNTERS):
            events, _ = await store.load(store.ref(county, "counter", f"c{i:04d}"))
            assert len(events) == 1 + BUMPS, "every append stored exactly once"
    finally:
        projector.cancel()
        await asyncio.gather(projector, return_exceptions=True)
        await nc.close()
        engine.dispose()
