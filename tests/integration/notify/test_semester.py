"""A term of events produces exactly the expected messages, on every channel."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug import Request

from services.notify.channels import dingtalk_sign, webhook_signature
from services.notify.contacts import sync_contacts
from services.notify.tables import deliveries
from tests.fixtures.notify.semester import Term, publish_contacts, publish_registry, publish_term
from tests.integration.notify.conftest import caught_up, count, fast_settings
from tests.support.waiting import eventually

HOOK_SECRET = "hook-secret"
ROBOT_SECRET = "SECrobot"


def term_settings(term: Term, today: Any, base_url: str) -> dict[str, Any]:
    """The county's notify settings: addresses, a digest, one rule of each sort."""
    tomorrow = today + timedelta(days=1)
    hook = {"url": f"{base_url}/hooks/L", "secret": HOOK_SECRET}
    return {
        "quiet_hours": None,
        "reminders": [
            {
                "id": "r1",
                "title": {"zh": "材料", "en": "Materials"},
                "deadline": {"on": str(tomorrow)},
                "days_before": [0],
                "at": "09:00",
                "audience": {"community": term.community},
            }
        ],
        "activity_reminders": [{"id": "day-before", "days": 1}],
        "materials_deadlines": [
            {
                "id": "m1",
                "title": {"zh": "反思", "en": "Reflections"},
                "deadline": {"on": str(tomorrow)},
                "days_before": [0],
                "at": "10:00",
                "materials": ["reflection"],
                "held_within_days": 30,
            }
        ],
        "recipients": {
            f"school:{term.school('L')}": {"email": term.email(term.school("L")), "webhook": hook},
            f"school:{term.school('P1')}": {
                "dingtalk": {"url": f"{base_url}/robot/P1?access_token=t", "secret": ROBOT_SECRET},
                "language": "en",
            },
            f"school:{term.school('P2')}": {"email": term.email(term.school("P2"))},
            f"school:{term.school('P3')}": {"email": term.email(term.school("P3")), "digest": True},
            f"teacher:{term.teacher('P1', 2)}": {"digest": True},
        },
        "subscriptions": [
            {
                "name": "bureau",
                "kinds": ["quota_unreachable", "hours_shortfall"],
                "webhook": {"url": f"{base_url}/hooks/bureau", "secret": HOOK_SECRET},
            }
        ],
    }


def expected_mail(term: Term) -> Counter[str]:
    t, s = term.teacher, term.school
    return Counter(
        {
            term.email(t("P1", 0)): 2,  # A1 registered, moved
            term.email(t("P1", 1)): 4,  # A1 registered, moved, hours corrected, reflection missing
            term.email(t("P1", 2)): 1,  # one digest of 3
            term.email(t("P2", 0)): 3,  # A3 scheduled, cancelled; hours shortfall
            term.email(t("P2", 1)): 4,  # A3 scheduled, cancelled; A4 registered, A4 tomorrow
            term.email(s("L")): 5,  # A1 scheduled, moved; A2 rejected; quota missed; reminder
            term.email(s("P2")): 5,  # A3 scheduled, cancelled; quota met; shortfall; reminder
            term.email(s("P3")): 1,  # one digest of the reminder
        }
    )


def _check_hook(request: Request) -> None:
    stamp = request.headers["X-Yanpei-Timestamp"]
    assert request.headers["X-Yanpei-Signature"] == webhook_signature(
        HOOK_SECRET, stamp, request.get_data()
    )
    assert request.headers["Idempotency-Key"] == json.loads(request.get_data())["delivery_id"]


def _check_robot(request: Request) -> None:
    query = parse_qs(urlparse(request.url).query)
    stamp = int(query["timestamp"][0])
    assert query["sign"][0] == parse_qs(f"s={dingtalk_sign(ROBOT_SECRET, stamp)}")["s"][0]
    assert json.loads(request.get_data())["msgtype"] == "markdown"


def receivers(httpserver) -> str:
    """The school's webhook, the bureau's and P1's robot; returns the base URL."""
    for path in ("/hooks/L", "/hooks/bureau"):
        httpserver.expect_request(path, method="POST").respond_with_data("ok")
    httpserver.expect_request("/robot/P1", method="POST").respond_with_json({"errcode": 0})
    return str(httpserver.url_for("")).rstrip("/")


async def play_the_term(nc, notify, term: Term, today, clock) -> None:
    """The registry, then the term's events, then the ticker two days on."""
    await sync_contacts(nc, notify.engine, [term.code])
    notify.ticker.run(clock())  # the first tick sets the county's mark
    # The planner reads each stream on its own: the registry comes first, as in life.
    await publish_registry(nc, term)
    await eventually(lambda: caught_up(notify), what="the planner to read the registry")
    await publish_term(nc, term, today)
    await eventually(lambda: caught_up(notify), what="the planner to read the term")
    await eventually(
        lambda: count(notify, "pending", "sending") == 0,
        timeout=60,
        what="the notices of the term sent",
    )
    clock.offset = timedelta(days=2)  # the day after tomorrow: reminders and digests due
    notify.ticker.run(clock())
    await eventually(
        lambda: count(notify, "pending", "sending", "held") == 0,
        timeout=60,
        what="every delivery settled",
    )


async def test_a_term_of_events_sends_exactly_the_expected_messages(
    nc, contact_stream, notify_factory, code, sink, clock, httpserver
):
    term = Term(code)
    today = clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
    extra = term_settings(term, today, receivers(httpserver))
    await publish_contacts(nc, term, [tid for tid, _ in term.teachers()])
    notify = await notify_factory(code, extra, fast_settings(sink), clock)
    await play_the_term(nc, notify, term, today, clock)

    assert count(notify, "failed", "skipped") == 0
    assert sink.by_recipient() == expected_mail(term)
    assert sink.count() == sum(expected_mail(term).values()), "no message twice"
    paths = Counter(urlparse(request.url).path for request, _ in httpserver.log)
    assert paths == {"/hooks/L": 5, "/hooks/bureau": 2, "/robot/P1": 5}
    for request, _ in httpserver.log:
        (_check_robot if "robot" in request.url else _check_hook)(request)
    digest = [m for m in sink.mails() if m.to == (term.email(term.teacher("P1", 2)),)]
    assert "3" in digest[0].subject and "活动01" in digest[0].body
    with notify.engine.connect() as tx:
        kinds = Counter(tx.execute(select(deliveries.c.kind)).scalars())
    assert kinds["digest"] == 2 and kinds["materials_missing_school"] == 1
    assert kinds["activity_reminder"] == 1 and kinds["deadline_reminder"] == 5
