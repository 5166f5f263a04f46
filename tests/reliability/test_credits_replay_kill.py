"""A credits replay SIGKILLed mid-way and started again ends equal to an uninterrupted one."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from nats.aio.client import Client
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from contracts.activities import v1 as act
from eventlog import EventStore, connect
from eventlog.checkpoints import bookkeeping
from eventlog.database import make_engine
from eventlog.reader import last_sequence
from eventlog.store import NEW, AppendRequest
from eventlog.streams import declare_streams
from services.credits.ledgers import Ledgers, LedgerVersion
from services.credits.replay import Replay, replay_id
from services.credits.rules import CONFIG_DIR, PROPOSED_DIR, RuleBook
from tests.fixtures.credits.synthetic import records
from tests.support.waiting import eventually

TEACHERS, PER_TEACHER = 60, 20
ROOT = Path(__file__).resolve().parents[2]


def rule_files(county: str, folder: Path) -> tuple[Path, Path]:
    """The base rules (default + 510781 v1 moved to ``county``) and the v2 file to replay."""
    base = folder / "rules"
    base.mkdir()
    (base / "default.yaml").write_text((CONFIG_DIR / "default.yaml").read_text("utf-8"), "utf-8")
    for source, target in (
        (CONFIG_DIR / "510781-v1.yaml", base / "v1.yaml"),
        (PROPOSED_DIR / "510781-v2.yaml", folder / "v2.yaml"),
    ):
        document = {**yaml.safe_load(source.read_text("utf-8")), "county_code": county}
        target.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    return base, folder / "v2.yaml"


async def publish(nc: Client, county: str) -> None:
    store = EventStore(nc, "activities")
    requests = [
        AppendRequest(
            store.ref(county, "activity", r.activity_id),
            [act.ParticipationRecorded(activity_id=r.activity_id, county_code=county, record=r)],
            NEW,
        )
        for r in records(county, TEACHERS, PER_TEACHER)
    ]
    for start in range(0, len(requests), 400):
        await store.append_many(requests[start : start + 400])


def rows(engine: Engine, replay: Replay, ledger: LedgerVersion, county: str) -> dict[str, list]:
    tables = replay.tables(ledger)
    found = {}
    with engine.connect() as tx:
        for name, key in (("entries", "activity_id"), ("totals", "period")):
            t = tables[name]
            query = select(t).where(t.c.county_code == county).order_by(t.c.teacher_id, t.c[key])
            found[name] = [tuple(r) for r in tx.execute(query)]
    return found


def position(engine: Engine, ledger_id: str) -> int:
    """The replay's checkpoint on the activities stream (0 before its tables exist)."""
    try:
        with engine.connect() as tx:
            return bookkeeping.position(tx, f"credits_ledger_{ledger_id}", 1, "EVT_ACTIVITIES")
    except DBAPIError:
        return 0


def start_replay(nats_url: str, database_url: str, base: Path, v2: Path, county: str, slow: int):
    args = [nats_url, database_url, str(base), str(v2), county, str(slow)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.credits.replay_main", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def test_a_replay_killed_mid_way_resumes_and_ends_equal(
    fresh_nats_server, database_url: str, tmp_path: Path
) -> None:
    # A server of its own: the replay reads every county's participations, and the
    # session's server holds every semester the other tests played.
    nats_server = fresh_nats_server
    county = f"{random.randrange(990000, 999999):06d}"  # a county of its own
    nc = await connect(nats_server.url, "credits-kill-test")
    await declare_streams(nc.jetstream())
    await publish(nc, county)
    end = await last_sequence(nc, "EVT_ACTIVITIES")
    base, v2 = rule_files(county, tmp_path)
    engine = make_engine(database_url)
    ledger_id = replay_id(v2.read_text("utf-8"), county)

    victim = start_replay(nats_server.url, database_url, base, v2, county, slow=40)
    await eventually(lambda: position(engine, ledger_id) > 0, timeout=60, what="some batches")
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(10) == -signal.SIGKILL
    stopped_at = position(engine, ledger_id)
    assert 0 < stopped_at < end, "killed mid-way"
    assert Ledgers(engine).get(ledger_id).status == "building"  # type: ignore[union-attr]

    again = start_replay(nats_server.url, database_url, base, v2, county, slow=0)
    assert await asyncio.to_thread(again.wait, 120) == 0
    resumed = Ledgers(engine).get(ledger_id)
    assert resumed is not None and resumed.status == "ready"

    replay = Replay(nc, engine, RuleBook.load(base))
    twin = tmp_path / "twin.yaml"
    twin.write_text(v2.read_text("utf-8") + "\n# the same rules, an uninterrupted replay\n")
    whole = replay.register(twin, county)
    await replay.build(whole)
    assert rows(engine, replay, resumed, county) == rows(engine, replay, whole, county)
    assert len(rows(engine, replay, whole, county)["entries"]) == TEACHERS * PER_TEACHER
    engine.dispose()
    await nc.close()
