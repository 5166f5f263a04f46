"""Notify planning benchmark: notifications planned per second from a backlog of events.

1. Start a nats-server (the embedded one, in a temporary folder) unless ``--nats-url``.
2. Append a county's registry (``--schools`` schools, 20 teachers each) and activities up to
   ``--events`` events in all: each activity is requested, approved, gets 20 participants,
   is scheduled (a notice to 20 teachers and the target school), moved once (another 21),
   held, gets 20 materials and is closed, so about 46 events plan 42 notifications.
3. Catch the notify planner (the projection that keeps notify's directory and writes the
   delivery ledger) up from sequence 1 into a fresh database, as on a first start with a
   backlog, and report events/s and notifications planned/s.

Progress goes to stderr; the figures to stdout, the last line one JSON object.

    python bench/notify_plan.py --events 100000
    python bench/notify_plan.py --events 100000 --database-url postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from contracts import Event
from contracts.activities import v1 as act
from contracts.registry import v1 as reg
from eventlog import AggregateRef, EventStore, connect
from eventlog.database import lock_schema, make_engine, writing
from eventlog.projection import ProjectionRunner
from eventlog.store import AppendRequest
from eventlog.streams import declare_streams
from services.notify.configuration import load_county
from services.notify.planner import NotifyPlanner
from services.notify.routing import Router
from services.notify.tables import deliveries, metadata

COUNTY = "510781"
PER_SCHOOL = 20
OPENED = date(2020, 9, 1)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def registry(schools: int) -> list[AppendRequest]:
    """Schools and their teachers, one request per aggregate."""
    requests = []
    for s in range(schools):
        sid = f"s{s:04d}"
        school = reg.SchoolRegistered(
            county_code=COUNTY,
            school_id=sid,
            school_name=f"学校{s}",
            stage=reg.SchoolStage.PRIMARY,
            location=reg.SchoolLocation.RURAL,
            governance=reg.SchoolGovernance.COUNTY_RUN,
            ownership=reg.SchoolOwnership.PUBLIC,
            effective_on=OPENED,
        )
        requests.append(AppendRequest(AggregateRef(COUNTY, "registry", "school", sid), [school], 0))
        for t in range(PER_SCHOOL):
            tid = f"t{s:04d}-{t:02d}"
            teacher = reg.TeacherRegistered(
                county_code=COUNTY,
                teacher_id=tid,
                teacher_name=f"教师{tid}",
                school_id=sid,
                stage=reg.SchoolStage.PRIMARY,
                subjects=["语文"],
                title=reg.TeacherTitle.FIRST_GRADE,
                hire_date=OPENED,
                roles=[],
                effective_on=OPENED,
            )
            ref = AggregateRef(COUNTY, "registry", "teacher", tid)
            requests.append(AppendRequest(ref, [teacher], 0))
    return requests


def activity(n: int, schools: int) -> list[Event]:
    """One activity's life: about 46 events."""
    aid, s = f"a{n:06d}", n % schools
    sid, day = f"s{s:04d}", date(2026, 3, 1 + n % 28)
    base: dict[str, Any] = {"activity_id": aid, "county_code": COUNTY}
    where = {
        "starts_at": clock_time(9),
        "ends_at": clock_time(11),
        "place": "会议室",
        "host": "教研室",
        "scheduled_minutes": 120,
        "target_school_ids": [sid],
    }
    people = [f"t{s:04d}-{t:02d}" for t in range(PER_SCHOOL)]
    events: list[Event] = [
        act.ActivityRequested(
            **base,
            activity_kind="lesson_delivery",
            activity_level="county",
            category_hints=[],
            assessed=False,
            title=f"活动{n}",
            school_id=sid,
            proposed_on=day,
            requested_by="教导处",
        ),
        act.ActivityPlanReviewed(**base, outcome="approved", reviewer="教研室"),
    ]
    events += [
        act.ParticipantRegistered(
            **base, teacher_id=t, teacher_county=COUNTY, school_id=sid, role="attendee"
        )
        for t in people
    ]
    events.append(act.ActivityScheduled(**base, held_on=day, **where))
    events.append(act.ActivityRescheduled(**base, held_on=day, reason="调整", **where))
    events.append(act.ActivityHeld(**base, held_on=day))
    digest = hashlib.sha256(aid.encode()).hexdigest()
    events += [
        act.MaterialSubmitted(
            **base,
            material_kind="reflection",
            title="反思",
            file_ref=f"f/{aid}/{t}",
            sha256=digest,
            size_bytes=1,
            submitted_by=t,
            teacher_id=t,
            reflection_chars=1000,
            submitted_at=datetime.now(UTC),
        )
        for t in people
    ]
    events.append(act.ActivityClosed(**base, participants=PER_SCHOOL))
    return events


async def append(store: EventStore, requests: list[AppendRequest], what: str) -> float:
    started = time.perf_counter()
    for start in range(0, len(requests), 500):
        results = await store.append_many(requests[start : start + 500])
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            raise SystemExit(f"appending {what} failed: {failed[0]!r}")
    return time.perf_counter() - started


async def fill(nc: Any, events: int, schools: int) -> int:
    """Append the registry and activities; returns the events appended."""
    reg_requests = registry(schools)
    seconds = await append(EventStore(nc, "registry"), reg_requests, "the registry")
    say(f"registry: {len(reg_requests):,} events in {seconds:.1f}s")
    total, n, requests = len(reg_requests), 0, []
    while total < events:
        batch = activity(n, schools)
        requests.append(
            AppendRequest(AggregateRef(COUNTY, "activities", "activity", f"a{n:06d}"), batch, 0)
        )
        total += len(batch)
        n += 1
    seconds = await append(EventStore(nc, "activities"), requests, "activities")
    say(f"activities: {n:,} activities, {total - len(reg_requests):,} events in {seconds:.1f}s")
    return total


def planned_rows(engine: Any) -> int:
    with engine.connect() as tx:
        return int(tx.execute(select(func.count()).select_from(deliveries)).scalar() or 0)


async def plan(nc: Any, database_url: str) -> tuple[float, int, int]:
    """Catch the planner up from sequence 1; returns seconds, events applied, rows planned."""
    config = load_county(COUNTY, extra={"quiet_hours": None, "subscriptions": []})
    planner = NotifyPlanner(Router(lambda _c: config), counties=[COUNTY])
    engine = make_engine(database_url)
    with writing(engine) as tx:
        lock_schema(tx)
        metadata.create_all(tx)
    runner = ProjectionRunner(nc, engine, planner, batch_size=1000)
    generation = await asyncio.to_thread(runner.setup)
    started = time.perf_counter()
    applied = 0
    for context in planner.contexts:
        applied += await runner.catch_up(generation, context)
    seconds = time.perf_counter() - started
    rows = planned_rows(engine)
    engine.dispose()
    return seconds, applied, rows


async def main(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        url = args.nats_url
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="notify-bench-")))
        if url is None:
            from yanpei.natsserver import EmbeddedNatsServer

            server = await stack.enter_async_context(EmbeddedNatsServer(workdir / "nats"))
            url = server.url
        nc = await connect(url, "notify-bench")
        stack.push_async_callback(nc.close)
        await declare_streams(nc.jetstream())
        total = await fill(nc, args.events, args.schools)
        database_url = args.database_url or f"sqlite:///{workdir / 'notify.db'}"
        seconds, applied, rows = await plan(nc, database_url)
        figures = {
            "events": total,
            "applied": applied,
            "planned": rows,
            "seconds": round(seconds, 2),
            "events_per_second": round(applied / seconds),
            "planned_per_second": round(rows / seconds),
            "database": database_url.split(":")[0],
        }
        print(
            f"planner caught up on {applied:,} events in {seconds:.1f}s: "
            f"{applied / seconds:,.0f} events/s, {rows:,} notifications planned "
            f"({rows / seconds:,.0f}/s)"
        )
        print(json.dumps(figures))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--nats-url")
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
