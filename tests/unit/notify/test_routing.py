"""From plans to ledger rows: channels, digest, quiet hours, subscriptions, idempotency keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from services.notify.configuration import load_county
from services.notify.planning import Plan
from services.notify.routing import Router
from services.notify.tables import delivery_id

NOON = datetime(2026, 3, 2, 4, tzinfo=UTC)  # 12:00 in Shanghai
NIGHT = datetime(2026, 3, 2, 15, tzinfo=UTC)  # 23:00 in Shanghai


def router(**extra: Any) -> Router:
    config = load_county("999999", extra={"subscriptions": [], **extra})
    return Router(lambda _county: config)


def plan(recipient: str, kind: str = "activity_scheduled", cause: str = "e1") -> Plan:
    return Plan(kind, cause, "999999", recipient, {"title": "活动"})


def test_a_teacher_is_reached_by_email_by_default():
    (row,) = router().rows([plan("teacher:T1")], NOON)
    assert (row["channel"], row["status"], row["language"]) == ("email", "pending", "zh")
    assert row["delivery_id"] == delivery_id("e1", "teacher:T1", "email")
    assert json.loads(row["context"]) == {"title": "活动"}


def test_a_school_without_a_channel_is_logged_as_skipped():
    (row,) = router().rows([plan("school:S1")], NOON)
    assert (row["channel"], row["status"]) == ("none", "skipped")
    assert "no channel configured for school:S1" in row["last_error"]


def test_every_configured_channel_gets_a_row_and_the_language_is_the_recipients():
    recipients = {
        "school:S1": {"email": "a@b.cn", "dingtalk": {"url": "https://x/r"}, "language": "en"}
    }
    rows = router(recipients=recipients).rows([plan("school:S1")], NOON)
    assert [(r["channel"], r["language"]) for r in rows] == [("email", "en"), ("dingtalk", "en")]
    assert len({r["delivery_id"] for r in rows}) == 2


def test_a_digest_recipient_is_held_but_never_the_digest_itself():
    r = router(recipients={"teacher:T1": {"digest": True}})
    (held,) = r.rows([plan("teacher:T1")], NOON)
    (digest,) = r.rows([plan("teacher:T1", kind="digest")], NOON)
    assert (held["status"], digest["status"]) == ("held", "pending")


@pytest.mark.parametrize(("now", "due_local_hour"), [(NOON, 12), (NIGHT, 7)])
def test_quiet_hours_move_the_due_time(now, due_local_hour):
    (row,) = router().rows([plan("teacher:T1")], now)
    assert row["planned_at"] == now
    assert row["due_at"].astimezone(load_county("999999").zone).hour == due_local_hour


def test_a_reminder_is_planned_at_the_moment_it_fell_due():
    due = datetime(2026, 3, 2, 1, tzinfo=UTC)
    (row,) = router().rows([Plan("deadline_reminder", "r", "999999", "teacher:T", {}, due)], NOON)
    assert row["planned_at"] == due == row["due_at"]


def test_a_subscription_gets_one_row_per_cause_and_only_its_kinds():
    subs = [
        {
            "name": "bureau",
            "kinds": ["quota_unreachable"],
            "webhook": {"url": "https://bureau.example/h"},
        }
    ]
    config = load_county("999999", extra={"subscriptions": subs})
    rows = Router(lambda _c: config).rows(
        [
            plan("school:S1", "quota_unreachable"),
            plan("school:S2", "quota_unreachable"),
            plan("teacher:T1", "hours_shortfall", cause="e2"),
        ],
        NOON,
    )
    hooks = [r for r in rows if r["recipient"] == "webhook:bureau"]
    assert len(hooks) == 1 and hooks[0]["channel"] == "webhook"


def test_kinds_switched_off_plan_nothing():
    assert router(kinds_off=["activity_scheduled"]).rows([plan("teacher:T1")], NOON) == []


def test_the_same_plan_gives_the_same_key():
    first = router().rows([plan("teacher:T1")], NOON)
    again = router().rows([plan("teacher:T1")], NIGHT)
    assert first[0]["delivery_id"] == again[0]["delivery_id"]
