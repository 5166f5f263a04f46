"""The envelope: CloudEvents attributes in NATS headers, there and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import Envelope, HeaderError

WHEN = datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)


def full_envelope() -> Envelope:
    return Envelope(
        id="evt-1",
        source="/yanpei/330102/registry",
        type="registry.SchoolRegistered.v1",
        subject="school/3301020001",
        time=WHEN,
        correlation_id="corr-1",
        causation_id="cmd-1",
        command_id="cmd-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        tracestate="yanpei=1",
        extra={"Nats-Msg-Id": "evt-1"},
    )


def required_headers() -> dict[str, str]:
    return {
        "ce-id": "evt-1",
        "ce-source": "/yanpei/330102/registry",
        "ce-type": "registry.SchoolRegistered.v1",
        "ce-time": "2026-03-02T08:30:15Z",
    }


def test_headers_round_trip():
    envelope = full_envelope()
    assert Envelope.from_headers(envelope.to_headers()) == envelope


def test_headers_use_cloudevents_names():
    headers = full_envelope().to_headers()
    assert headers["ce-id"] == "evt-1"
    assert headers["ce-type"] == "registry.SchoolRegistered.v1"
    assert headers["ce-time"] == "2026-03-02T08:30:15.123456Z"
    assert headers["ce-specversion"] == "1.0"
    assert headers["Content-Type"] == "application/json"
    assert headers["traceparent"].startswith("00-")
    assert headers["Nats-Msg-Id"] == "evt-1"


@pytest.mark.parametrize("header", ["ce-id", "ce-source", "ce-type", "ce-time"])
def test_a_missing_required_header_is_named(header):
    headers = required_headers()
    del headers[header]
    with pytest.raises(HeaderError, match=f"missing CloudEvents header\\(s\\): {header}"):
        Envelope.from_headers(headers)


def test_no_headers_at_all_names_every_required_one():
    with pytest.raises(HeaderError, match="ce-id, ce-source, ce-type, ce-time"):
        Envelope.from_headers(None)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00Z", ""])
def test_a_bad_time_is_refused(bad):
    with pytest.raises(HeaderError, match="ce-time is not RFC 3339"):
        Envelope.from_headers({**required_headers(), "ce-time": bad})


def test_another_specversion_is_refused():
    with pytest.raises(HeaderError, match=r"unsupported ce-specversion '0\.3'"):
        Envelope.from_headers({**required_headers(), "ce-specversion": "0.3"})


def test_a_naive_time_is_taken_as_utc():
    envelope = Envelope(id="e", source="s", type="t", time=datetime(2026, 3, 2, 8, 30))
    assert envelope.time == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert Envelope.from_headers(envelope.to_headers()) == envelope


def test_a_line_break_in_a_header_value_is_refused():
    with pytest.raises(ValidationError, match="line breaks"):
        Envelope(id="e\r\nce-type: forged", source="s", type="t", time=WHEN)


def test_an_extra_header_never_overrides_an_attribute():
    envelope = Envelope(id="e", source="s", type="t", time=WHEN, extra={"ce-id": "forged"})
    assert envelope.to_headers()["ce-id"] == "e"


header_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1
)
offsets = st.timedeltas(min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23))
times = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.none() | st.timezones() | offsets.map(timezone),
)


@given(
    id=header_text,
    source=header_text,
    type=header_text,
    time=times,
    subject=st.none() | header_text,
    correlation_id=st.none() | header_text,
)
def test_any_envelope_survives_its_headers(id, source, type, time, subject, correlation_id):
    envelope = Envelope(
        id=id,
        source=source,
        type=type,
        time=time,
        subject=subject,
        correlation_id=correlation_id,
    )
    assert Envelope.from_headers(envelope.to_headers()) == envelope
