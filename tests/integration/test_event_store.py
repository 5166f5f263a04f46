"""The event store on a real JetStream: concurrency, idempotency, atomic batches, loads."""

from __future__ import annotations

import asyncio
import json

import pytest

from eventlog import ANY, NEW, Conflict, EventStore
from tests.support.counters import CounterBumped, CounterOpened


async def test_fifty_writers_at_one_version_exactly_one_wins_each_round(store: EventStore, county):
    ref = store.ref(county, "counter", "contended")
    await store.append(ref, [CounterOpened(label="contended")], NEW)
    rounds = 4
    for _ in range(rounds):
        _, version = await store.load(ref)
        results = await asyncio.gather(
            *(store.append(ref, [CounterBumped(by=i)], version) for i in range(50)),
            return_exceptions=True,
        )
        wins = [r for r in results if not isinstance(r, BaseException)]
        losses = [r for r in results if isinstance(r, BaseException)]
        assert len(wins) == 1
        assert all(isinstance(r, Conflict) for r in losses)
        assert {r.expected for r in losses if isinstance(r, Conflict)} == {version}
        assert {r.actual for r in losses if isinstance(r, Conflict)} == {wins[0].version}

    events, _ = await store.load(ref)
    assert len(events) == 1 + rounds
    # Gapless: each event was written on top of the one before it, and no other.
    previous = 0
    for event in events:
        assert int(event.headers["Nats-Expected-Last-Subject-Sequence"]) == previous
        previous = event.sequence


async def test_the_same_event_published_twice_is_stored_once(store: EventStore, county):
    ref = store.ref(county, "counter", "twice")
    first = await store.append(ref, [CounterOpened(label="x")], ANY, command_id="cmd-1")
    again = await store.append(ref, [CounterOpened(label="x")], ANY, command_id="cmd-1")
    assert not first.duplicate
    assert again.duplicate
    assert again.sequences == first.sequences
    events, _ = await store.load(ref)
    assert [e.id for e in events] == list(first.event_ids)


async def test_a_retried_append_at_its_expected_version_succeeds_as_duplicate(
    store: EventStore, county
):
    ref = store.ref(county, "counter", "retried")
    first = await store.append(ref, [CounterOpened(label="x")], NEW, command_id="c1")
    again = await store.append(ref, [CounterOpened(label="x")], NEW, command_id="c1")
    assert again.duplicate and again.sequences == first.sequences
    batch = [CounterBumped(by=1), CounterBumped(by=2), CounterBumped(by=3)]
    stored = await store.append(ref, batch, first.version, command_id="c2")
    resent = await store.append(ref, batch, first.version, command_id="c2")
    assert resent.duplicate and resent.sequences == stored.sequences
    events, _ = await store.load(ref)
    assert len(events) == 4


async def test_a_stale_batch_stores_nothing(store: EventStore, county):
    ref = store.ref(county, "counter", "atomic")
    opened = await store.append(ref, [CounterOpened(label="a")], NEW)
    await store.append(ref, [CounterBumped(by=1)], opened.version)
    with pytest.raises(Conflict) as caught:
        await store.append(ref, [CounterBumped(by=5), CounterBumped(by=6)], opened.version)
    assert caught.value.expected == opened.version
    events, _ = await store.load(ref)
    assert [type(e.event).__name__ for e in events] == ["CounterOpened", "CounterBumped"]


async def test_batch_events_are_contiguous_and_in_order(store: EventStore, county):
    ref = store.ref(county, "counter", "batch")
    result = await store.append(
        ref, [CounterOpened(label="b")] + [CounterBumped(by=i) for i in range(1, 11)], NEW
    )
    assert list(result.sequences) == list(range(result.sequences[0], result.sequences[0] + 11))
    events, version = await store.load(ref)
    assert version == result.version
    assert [getattr(e.event, "by", 0) for e in events] == list(range(0, 11))


async def test_load_reads_long_aggregates_in_pages_and_nothing_of_others(store: EventStore, county):
    ref = store.ref(county, "counter", "long")
    other = store.ref(county, "counter", "long2")  # shares a prefix, not the aggregate
    version = (await store.append(ref, [CounterOpened(label="l")], NEW)).version
    await store.append(other, [CounterOpened(label="o")], NEW)
    for start in range(0, 1200, 400):
        batch = [CounterBumped(by=i) for i in range(start, start + 400)]
        version = (await store.append(ref, batch, version)).version
    events, loaded_version = await store.load(ref)
    assert len(events) == 1201
    assert loaded_version == version
    assert {e.ref.id for e in events} == {"long"}
    empty, zero = await store.load(store.ref(county, "counter", "never"))
    assert (empty, zero) == ([], 0)


async def test_envelope_headers_are_cloudevents(store: EventStore, county):
    ref = store.ref(county, "counter", "env")
    await store.append(
        ref, [CounterOpened(label="e")], NEW, command_id="cmd-e", correlation_id="corr-e"
    )
    (event,), _ = await store.load(ref)
    envelope = event.envelope
    assert envelope.type == "system.TestCounterOpened.v1"
    assert envelope.source == f"/yanpei/{county}/system"
    assert envelope.subject == "counter/env"
    assert envelope.correlation_id == "corr-e"
    assert envelope.causation_id == "cmd-e"
    assert event.headers["Nats-Msg-Id"] == envelope.id
    assert json.loads(event.data) == {"label": "e"}


async def test_events_of_another_context_or_aggregate_are_refused(store: EventStore, county):
    with pytest.raises(ValueError, match="belongs to"):
        await store.append(store.ref(county, "school", "s1"), [CounterOpened(label="x")], NEW)
    with pytest.raises(ValueError, match="subject token"):
        store.ref(county, "counter", "has.dot")


async def test_append_many_settles_each_request_in_its_place(store: EventStore, county):
    from eventlog.store import AppendRequest

    stale = store.ref(county, "counter", "stale")
    opened = await store.append(stale, [CounterOpened(label="s")], NEW)
    await store.append(stale, [CounterBumped(by=1)], opened.version)
    requests = [
        AppendRequest(
            store.ref(county, "counter", f"m{i}"),
            [CounterOpened(label=f"m{i}")],
            NEW,
            command_id=f"many-{county}-{i}",
        )
        for i in range(300)
    ]
    requests.insert(7, AppendRequest(stale, [CounterBumped(by=9)], opened.version))
    requests.append(
        AppendRequest(
            store.ref(county, "counter", "multi"),
            [CounterOpened(label="b"), CounterBumped(by=2)],
            NEW,
        )
    )
    results = await store.append_many(requests)
    assert len(results) == len(requests)
    assert isinstance(results[7], Conflict) and results[7].expected == opened.version
    stored = [r for r in results if not isinstance(r, Exception)]
    assert len(stored) == 301
    assert len(results[-1].sequences) == 2
    again = await store.append_many(requests[:7])
    assert all(not isinstance(r, Exception) and r.duplicate for r in again)
    for request, result in zip(requests[:7], results[:7], strict=True):
        events, version = await store.load(request.ref)
        assert [e.id for e in events] == list(result.event_ids)
        assert version == result.version


async def test_one_command_id_on_two_aggregates_stores_both(store: EventStore, county):
    """Event ids derive from the aggregate too: the dedupe window never swallows an event."""
    first = await store.append(
        store.ref(county, "counter", "one"), [CounterOpened(label="1")], NEW, command_id="shared"
    )
    second = await store.append(
        store.ref(county, "counter", "two"), [CounterOpened(label="2")], NEW, command_id="shared"
    )
    assert not second.duplicate
    assert first.event_ids != second.event_ids
    events, _ = await store.load(store.ref(county, "counter", "two"))
    assert [e.id for e in events] == list(second.event_ids)
