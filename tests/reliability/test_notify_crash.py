"""Notify SIGKILLed while delivering 1,000 e-mails, then restarted: every recipient gets
every message exactly once, counted at the SMTP server by Message-ID."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from contracts.credits import v1 as cr
from eventlog import AggregateRef, EventStore, connect
from eventlog.database import make_engine
from eventlog.store import AppendRequest
from eventlog.streams import declare_streams
from services.notify.tables import deliveries
from services.registry.contacts.stream import declare_contact_stream
from tests.fixtures.notify.semester import Term, publish_contacts
from tests.fixtures.notify.sinks import smtp_sink
from tests.support.waiting import eventually

TEACHERS = 500
CORRECTIONS = 2  # per teacher: 1,000 messages
ROOT = Path(__file__).resolve().parents[2]


def start(nats_url: str, database_url: str, county: str, smtp_port: int) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "tests.fixtures.notify.notify_main",
        nats_url,
        database_url,
        county,
        str(smtp_port),
    ]
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def corrections(term: Term) -> list[AppendRequest]:
    requests = []
    for t in range(TEACHERS):
        tid = f"t{term.code}-{t:04d}"
        for n in range(CORRECTIONS):
            event = cr.HoursCorrected(
                county_code=term.code,
                teacher_id=tid,
                school_id="s1",
                period=f"{2024 + n}",
                period_kind="year",
                previous_hours="30",
                hours="31",
                difference="1",
                rule_set_id="r",
                rule_set_version="2",
                reason="规则调整",
                replay_id="x",
            )
            ref = AggregateRef(term.code, "credits", "teacher_hours", f"{tid}_{n}")
            requests.append(AppendRequest(ref, [event], 0))
    return requests


def sent(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as tx:
            d = deliveries
            query = select(func.count()).select_from(d).where(d.c.status == "sent")
            return int(tx.execute(query).scalar() or 0)
    finally:
        engine.dispose()


async def test_notify_killed_while_delivering_sends_every_message_exactly_once(
    nats_server, database_url
):
    term = Term(f"{random.randrange(900000, 999999):06d}")
    nc = await connect(nats_server.url, "notify-crash-test")
    await declare_streams(nc.jetstream())
    await declare_contact_stream(nc.jetstream())
    teachers = [f"t{term.code}-{t:04d}" for t in range(TEACHERS)]
    await publish_contacts(nc, term, teachers)
    results = await EventStore(nc, "credits").append_many(corrections(term))
    assert all(not isinstance(r, Exception) for r in results)
    with smtp_sink(delay=0.01) as sink:
        first = start(nats_server.url, database_url, term.code, sink.port)
        try:
            await eventually(lambda: sink.count() >= 300, timeout=120, what="deliveries under way")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            at_kill = sink.count()
            assert at_kill < TEACHERS * CORRECTIONS, "killed in the middle of the work"
            second = start(nats_server.url, database_url, term.code, sink.port)
            try:
                await eventually(
                    lambda: len({m.message_id for m in sink.mails()}) >= 1000,
                    timeout=180,
                    what="every message after the restart",
                )
                await eventually(
                    lambda: sent(database_url) == 1000,
                    timeout=60,
                    what="every delivery recorded sent",
                )
            finally:
                second.terminate()
                second.wait(20)
        finally:
            if first.poll() is None:
                first.kill()
    by_recipient = sink.by_recipient()
    assert set(by_recipient) == {term.email(t) for t in teachers}
    assert set(by_recipient.values()) == {CORRECTIONS}, "each recipient: each message once"
    copies = sink.count() - 1000
    assert 0 <= copies <= 2 * 16, "only sends in flight or not yet recorded went out again"
    await nc.close()
