"""Credits replay benchmark: a shadow ledger from ``--n`` participations against a raw read.

In one run, against one nats-server:

1. append ``--n`` activities ``ParticipationRecorded`` events (``--teachers`` teachers,
   synthetic but realistic: lectures, lessons, observations, school-based training,
   certified courses, every role) through ``EventStore.append_many``;
2. (a) read them with a raw nats-py ordered push consumer (a callback that counts), in a
   child process; (b) replay them into a shadow ledger (``services.credits.replay.Replay``:
   rule engine per record, executemany upserts, then every teacher's totals) in another
   child process, on a fresh SQLite file (or ``--database-url``). Target: (b)/(a) >= 0.5.
   Child (b) samples its resident memory per batch: the peak up to ``--rss-at`` events
   and the peak over the whole replay (target: within 1.2x, i.e. streaming).

Progress goes to stderr; the last line of stdout is one JSON object.

    .venv/bin/python bench/credits_replay.py --n 200000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.activities import v1 as act
from eventlog import EventStore, connect
from eventlog.database import make_engine
from eventlog.reader import last_sequence
from eventlog.store import NEW, AppendRequest
from eventlog.streams import declare_streams
from services.credits.replay import Replay
from services.credits.rules import PROPOSED_DIR, RuleBook
from yanpei.natsserver import EmbeddedNatsServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the synthetic county-years
from tests.fixtures.credits.synthetic import records

STREAM = "EVT_ACTIVITIES"
RATIO_TARGET = 0.5
RSS_TARGET = 1.2
CHUNK = 2000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def append(url: str, county: str, n: int, teachers: int) -> dict[str, float]:
    """Phase 1: ``n`` participations through ``EventStore.append_many``."""
    nc = await connect(url, "bench-credits-append")
    await declare_streams(nc.jetstream())
    store = EventStore(nc, "activities")
    started, batch, done = time.perf_counter(), [], 0
    for record in records(county, teachers, max(1, n // teachers)):
        event = act.ParticipationRecorded(
            activity_id=record.activity_id, county_code=county, record=record
        )
        batch.append(AppendRequest(store.ref(county, "activity", record.activity_id), [event], NEW))
        if len(batch) == CHUNK:
            done += await _send(store, batch)
            batch = []
            if done % 50_000 < CHUNK:
                say(f"append: {done:,} ({done / (time.perf_counter() - started):,.0f}/s)")
    done += await _send(store, batch)
    seconds = time.perf_counter() - started
    await nc.close()
    return {
        "appended": done,
        "append_seconds": round(seconds, 1),
        "append_eps": round(done / seconds),
    }


async def _send(store: EventStore, batch: list[AppendRequest]) -> int:
    if not batch:
        return 0
    results = await store.append_many(batch)
    failed = [r for r in results if isinstance(r, Exception)]
    if failed:
        raise SystemExit(f"append failed: {failed[0]!r}")
    return len(batch)


async def raw_read(url: str, county: str) -> dict[str, Any]:
    """Child (a): count the county's events with a raw ordered consumer."""
    nc = await connect(url, "bench-credits-raw")
    js = nc.jetstream()
    end = await last_sequence(nc, STREAM)
    finished, count = asyncio.Event(), 0

    async def on_message(msg: Msg) -> None:
        nonlocal count
        count += 1
        if msg.metadata.sequence.stream >= end:
            finished.set()

    started = time.perf_counter()
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    sub = await js.subscribe(
        f"evt.{county}.activities.>",
        stream=STREAM,
        cb=on_message,
        ordered_consumer=True,
        config=config,
        pending_msgs_limit=256 * 1024,
        pending_bytes_limit=1024 * 1024 * 1024,
    )
    await finished.wait()
    seconds = time.perf_counter() - started
    await sub.unsubscribe()
    await nc.close()
    return {
        "raw_events": count,
        "raw_seconds": round(seconds, 1),
        "raw_eps": round(count / seconds),
    }


def _v2_rules(county: str, folder: Path) -> Path:
    document = yaml.safe_load((PROPOSED_DIR / "510781-v2.yaml").read_text("utf-8"))
    path = folder / "v2.yaml"
    path.write_text(
        yaml.safe_dump({**document, "county_code": county}, allow_unicode=True), "utf-8"
    )
    return path


async def replay(url: str, county: str, database_url: str, rss_at: int) -> dict[str, Any]:
    """Child (b): the shadow ledger of the whole log, with its memory sampled per batch."""
    nc = await connect(url, "bench-credits-replay")
    engine = make_engine(database_url)
    replayer = Replay(nc, engine, RuleBook.default(), batch_size=2000)
    shadow = replayer.register(_v2_rules(county, Path(tempfile.mkdtemp())), county)
    peak = {"events": 0, "at": 0.0, "all": rss_mb(), "start": rss_mb()}
    marks = {"events_done": 0.0}
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        peak["all"] = max(peak["all"], rss_mb())
        if phase == STREAM:
            peak["events"] = done
            if done <= rss_at:
                peak["at"] = peak["all"]
            if done == total:
                marks["events_done"] = time.perf_counter() - started
            if done % 100_000 < 2000:
                rate = done / (time.perf_counter() - started)
                say(f"replay: {done:,} of {total:,} ({rate:,.0f}/s)")

    applied = await replayer.build(shadow, progress)
    seconds = time.perf_counter() - started
    await nc.close()
    return {
        "replay_events": applied,
        "replay_seconds": round(seconds, 1),
        "replay_eps": round(applied / seconds),
        "replay_events_phase_seconds": round(marks["events_done"], 1),
        "rss_start_mb": round(peak["start"], 1),
        "rss_peak_at_mb": round(peak["at"], 1),
        "rss_peak_end_mb": round(peak["all"], 1),
    }


def child(kind: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a process of its own (its memory is its own); its JSON."""
    command = [sys.executable, __file__, "--child", kind, *args]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def summary(n: int, results: dict[str, Any], rss_at: int) -> dict[str, Any]:
    ratio = results["replay_eps"] / results["raw_eps"]
    growth = results["rss_peak_end_mb"] / max(results["rss_peak_at_mb"], 1.0)
    return {
        **results,
        "n": n,
        "rss_at_events": rss_at,
        "ratio": round(ratio, 2),
        "ratio_target_met": ratio >= RATIO_TARGET,
        "rss_growth": round(growth, 2),
        "rss_target_met": growth <= RSS_TARGET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--teachers", type=int, default=5000)
    parser.add_argument("--rss-at", type=int, default=100_000)
    parser.add_argument("--nats-url")
    parser.add_argument("--database-url")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, url, county, *rest = args.child
        work = (
            raw_read(url, county) if kind == "raw" else replay(url, county, rest[0], int(rest[1]))
        )
        print(json.dumps(asyncio.run(work)))
        return
    with tempfile.TemporaryDirectory() as folder:
        run(args, Path(folder))


def run(args: argparse.Namespace, folder: Path) -> None:
    county = f"{random.randrange(990000, 999999):06d}"
    database_url = args.database_url or f"sqlite:///{folder / 'credits.db'}"
    server = None if args.nats_url else EmbeddedNatsServer(folder / "nats")
    if server is not None:
        server.start()
    url = args.nats_url or server.url  # type: ignore[union-attr]
    try:
        results: dict[str, Any] = dict(asyncio.run(append(url, county, args.n, args.teachers)))
        say(f"appended {results['appended']:,} at {results['append_eps']:,}/s; raw read…")
        results |= child("raw", url, county)
        say(f"raw read at {results['raw_eps']:,}/s; replay…")
        results |= child("replay", url, county, database_url, str(args.rss_at))
    finally:
        if server is not None:
            server.stop()
    result = summary(results["appended"], results, args.rss_at)
    raw, replayed = result["raw_eps"], result["replay_eps"]
    print(f"raw read {raw:,} ev/s, replay {replayed:,} ev/s: ratio {result['ratio']}")
    at, end = result["rss_peak_at_mb"], result["rss_peak_end_mb"]
    print(f"peak RSS {at} MB up to {args.rss_at:,} events, {end} MB over the whole replay")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
