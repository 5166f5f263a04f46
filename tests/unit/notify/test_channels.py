"""Channel formats and signatures: e-mail, signed webhooks, DingTalk robots; retry policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import httpx
import pytest

from services.notify.channels import (
    DingTalkChannel,
    EmailChannel,
    Outgoing,
    SendFailed,
    SmtpSettings,
    WebhookChannel,
    dingtalk_sign,
    dingtalk_url,
    message_id,
    webhook_signature,
)
from services.notify.configuration import MissingSecret, WebhookTarget, load_county
from services.notify.dispatcher import AddressBook, Dispatcher, Outcome, RetryPolicy
from services.notify.rendering import Message

OUT = Outgoing(
    "abc123",
    "activity_scheduled",
    "510781",
    "teacher:T1",
    Message("【活动通知】教研", "正文\n"),
    {"title": "教研"},
)


def test_dingtalk_sign_is_their_documented_scheme():
    secret, stamp = "SEC000", 1700000000000
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest))
    assert dingtalk_sign(secret, stamp) == expected


@pytest.mark.parametrize(
    ("url", "joiner"),
    [("https://oapi.dingtalk.com/robot/send?access_token=T", "&"), ("https://r/x", "?")],
)
def test_the_robot_url_carries_timestamp_and_sign(url, joiner):
    signed = dingtalk_url(url, "S", 42)
    assert signed == f"{url}{joiner}timestamp=42&sign={dingtalk_sign('S', 42)}"
    assert dingtalk_url(url, None, 42) == url


def test_dingtalk_message_is_markdown_with_the_delivery_id():
    body = DingTalkChannel.payload(OUT)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【活动通知】教研"
    assert "abc123" in body["markdown"]["text"]


def test_webhook_signature_covers_timestamp_and_body():
    body = b'{"a": 1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhook_signature("k", "1700000000", body) == f"sha256={expected}"
    assert webhook_signature("k", "1700000001", body) != webhook_signature("k", "1700000000", body)


def test_webhook_payload_names_the_delivery():
    payload = json.loads(WebhookChannel(None).payload(OUT))  # type: ignore[arg-type]
    assert payload["delivery_id"] == "abc123" and payload["data"] == {"title": "教研"}


def test_email_has_a_stable_message_id_and_utf8_subject():
    wire = EmailChannel(SmtpSettings(sender="n@x.cn", domain="x.cn")).compose(OUT, "t@x.cn")
    mail = message_from_bytes(wire, policy=policy.default)  # as the recipient reads it
    assert mail["To"] == "t@x.cn" and mail["From"] == "n@x.cn"
    assert mail["Message-ID"] == message_id("abc123", "x.cn") == "<abc123@x.cn>"
    assert mail["Subject"] == "【活动通知】教研"
    assert mail.get_content().strip() == "正文"


def test_a_secret_named_by_an_unset_variable_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NOTIFY_TEST_SECRET", raising=False)
    target = WebhookTarget(url="https://x/h", secret_env="NOTIFY_TEST_SECRET")
    with pytest.raises(MissingSecret, match="NOTIFY_TEST_SECRET"):
        target.key()
    monkeypatch.setenv("NOTIFY_TEST_SECRET", "s3")
    assert target.key() == "s3"


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]
)
def test_back_off_doubles_up_to_a_cap(attempt, seconds):
    assert RetryPolicy().delay(attempt) == timedelta(seconds=seconds)


def _dispatcher(quiet: dict[str, str] | None) -> Dispatcher:
    config = load_county("999999", extra={"quiet_hours": quiet})
    return Dispatcher(None, {}, AddressBook(None, lambda _c: config))  # type: ignore[arg-type]


ROW = SimpleNamespace(county="999999")


@pytest.mark.parametrize(
    ("outcome", "attempts", "status"),
    [
        (Outcome(True), 1, "sent"),
        (Outcome(False, "HTTP 503"), 1, "pending"),
        (Outcome(False, "HTTP 503"), 6, "failed"),
        (Outcome(False, "HTTP 404", True), 1, "failed"),
    ],
)
def test_outcomes_become_statuses(outcome, attempts, status):
    now = datetime(2026, 3, 2, 4, tzinfo=UTC)
    assert _dispatcher(None).values(ROW, outcome, attempts, now)["status"] == status


def test_a_retry_due_in_quiet_hours_waits_for_their_end():
    now = datetime(2026, 3, 2, 13, 59, 50, tzinfo=UTC)  # 21:59:50 in Shanghai
    quiet = _dispatcher({"start": "22:00", "end": "07:30"})
    later = quiet.values(ROW, Outcome(False, "busy"), 1, now)["next_attempt_at"]
    assert later == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 07:30 the next morning
    loud = _dispatcher(None).values(ROW, Outcome(False, "busy"), 1, now)["next_attempt_at"]
    assert loud == now + timedelta(seconds=30)


def _client(status: int, body: dict[str, object] | None = None) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body or {})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(
    ("status", "body", "permanent"),
    [
        (200, {"errcode": 310000, "errmsg": "sign not match"}, False),
        (404, None, True),
        (429, None, False),
        (502, None, False),
    ],
)
async def test_dingtalk_and_webhook_failures_are_classified(status, body, permanent):
    target = WebhookTarget(url="https://robot.example/send?access_token=t", secret="S")
    channel = DingTalkChannel(_client(status, body)) if body else WebhookChannel(_client(status))
    with pytest.raises(SendFailed) as failure:
        await channel.send(OUT, target)
    assert failure.value.permanent is permanent


async def test_an_unreachable_smtp_server_is_a_retryable_failure():
    from tests.fixtures.notify.sinks import free_port

    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2))
    with pytest.raises(SendFailed) as failure:
        await channel.send(OUT, "t@x.cn")
    assert failure.value.permanent is False and channel.idle == []
