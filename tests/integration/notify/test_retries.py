"""Failing webhooks: retried with back-off until they answer, or failed with the reason,
never holding up the other deliveries."""

from __future__ import annotations

import itertools
import json
import threading
import time

from sqlalchemy import select
from werkzeug import Request, Response

from contracts.credits import v1 as cr
from eventlog.store import EventStore
from services.notify.contacts import sync_contacts
from services.notify.dispatcher import RetryPolicy
from services.notify.tables import deliveries
from tests.fixtures.notify.semester import Term, publish_contacts, publish_registry
from tests.integration.notify.conftest import caught_up, count, fast_settings
from tests.support.waiting import eventually

TEACHERS = 12  # every teacher of the four schools


class Endpoint:
    """An HTTP endpoint that fails its first ``failures`` requests (all, when None)."""

    def __init__(self, failures: int | None, delay: float = 0.0) -> None:
        self.failures = failures
        self.delay = delay
        self.calls: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        time.sleep(self.delay)  # a slow receiver (in the server's thread)
        with self.lock:
            self.calls.append((time.monotonic(), request.headers["Idempotency-Key"]))
            failing = self.failures is None or len(self.calls) <= self.failures
        return Response("busy", status=503) if failing else Response("ok", status=200)


def settings_for(base_url: str) -> dict[str, object]:
    hooks = [("flaky", "quota_unreachable"), ("dead", "hours_shortfall")]
    return {
        "quiet_hours": None,
        "reminders": [],
        "activity_reminders": [],
        "materials_deadlines": [],
        "subscriptions": [
            {
                "name": name,
                "kinds": [kind],
                "webhook": {"url": f"{base_url}/hooks/{name}", "secret": "s"},
            }
            for name, kind in hooks
        ],
    }


async def publish_alerts(nc, term: Term) -> None:
    """A quota missed (→ flaky hook) and a shortfall (→ dead hook), then corrections (mail)."""
    from contracts.activities import v1 as act

    activities = EventStore(nc, "activities")
    missed = act.QuotaUnreachable(
        county_code=term.code,
        quota_id="q",
        period="2026",
        subject_id=term.community,
        done=0,
        required=3,
    )
    await activities.append(activities.ref(term.code, "quota", "q1"), [missed], 0)
    credits = EventStore(nc, "credits")
    teachers = [tid for tid, _ in term.teachers()][:TEACHERS]
    short = cr.ShortfallDetected(
        county_code=term.code,
        teacher_id=teachers[0],
        school_id=term.school("L"),
        period="2026",
        period_kind="year",
        hours="1",
        target="36",
        shortfall="35",
        as_of="2026-11-01",
    )
    await credits.append(credits.ref(term.code, "teacher_hours", "short"), [short], 0)
    for n, tid in enumerate(teachers):
        fixed = cr.HoursCorrected(
            county_code=term.code,
            teacher_id=tid,
            school_id=term.school("L"),
            period="2026",
            period_kind="year",
            previous_hours="1",
            hours="2",
            difference="1",
            rule_set_id="r",
            rule_set_version="2",
            reason="规则",
            replay_id="x",
        )
        await credits.append(credits.ref(term.code, "teacher_hours", f"fix{n}"), [fixed], 0)


def row(notify, recipient: str):
    with notify.engine.connect() as tx:
        query = select(deliveries).where(deliveries.c.recipient == recipient)
        return tx.execute(query).one()


async def test_a_failing_webhook_is_retried_and_a_dead_one_fails_without_delaying_others(
    nc, contact_stream, notify_factory, code, sink, clock, httpserver
):
    term = Term(code)
    flaky, dead = Endpoint(failures=3), Endpoint(failures=None, delay=1.0)
    httpserver.expect_request("/hooks/flaky").respond_with_handler(flaky)
    httpserver.expect_request("/hooks/dead").respond_with_handler(dead)
    await publish_contacts(nc, term, [tid for tid, _ in term.teachers()])
    notify = await notify_factory(
        code,
        settings_for(httpserver.url_for("").rstrip("/")),
        fast_settings(sink, retry_max_attempts=5),
        clock,
    )
    await sync_contacts(nc, notify.engine, [code])
    await publish_registry(nc, term)
    await eventually(lambda: caught_up(notify), what="the planner to read the registry")
    await publish_alerts(nc, term)
    await eventually(lambda: caught_up(notify), what="the planner to read the alerts")

    await eventually(
        lambda: count(notify, "pending", "sending") == 0, timeout=60, what="every delivery settled"
    )
    hook = row(notify, "webhook:flaky")
    assert (hook.status, hook.attempts, hook.last_error) == ("sent", 4, None)
    assert len(flaky.calls) == 4 and {key for _, key in flaky.calls} == {hook.delivery_id}
    failed = row(notify, "webhook:dead")
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert failed.last_error.startswith("HTTP 503")
    assert len(dead.calls) == 5
    mails = sink.mails()
    assert len(mails) == TEACHERS + 1, "every correction and the shortfall's teacher"
    assert max(m.at for m in mails) < dead.calls[2][0], "mail went out while the hook failed"
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(flaky.calls)]
    policy = RetryPolicy(max_attempts=5, base_seconds=0.05)
    assert all(gap >= policy.delay(n).total_seconds() for n, gap in enumerate(gaps, 1)), gaps
    assert json.loads(notify_log_line(notify))["status"] == "failed"


def notify_log_line(notify) -> str:
    from services.notify.deliverylog import LogFilter, read_log

    rows = read_log(notify.engine, LogFilter(recipient="webhook:dead"))
    return json.dumps({"status": rows[0]["status"], "error": rows[0]["last_error"]})
