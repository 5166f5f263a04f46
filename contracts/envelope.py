"""The envelope: CloudEvents 1.0 attributes carried in NATS headers.

The body of a message is the JSON of a contract; everything about the message (its id, its
type, where and when it came from, what caused it) travels in headers, in CloudEvents'
binary content mode (``ce-`` prefixed attributes, ``Content-Type`` for ``datacontenttype``),
plus the W3C ``traceparent`` so one trace crosses services.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["Envelope", "HeaderError", "event_headers", "format_time", "missing_headers"]

SPEC_VERSION = "1.0"
JSON = "application/json"

_ATTRS = {
    "id": "ce-id",
    "source": "ce-source",
    "type": "ce-type",
    "subject": "ce-subject",
    "time": "ce-time",
    "specversion": "ce-specversion",
    "datacontenttype": "Content-Type",
    "correlation_id": "ce-correlationid",
    "causation_id": "ce-causationid",
    "command_id": "ce-commandid",
    "traceparent": "traceparent",
    "tracestate": "tracestate",
}
_REQUIRED = ("id", "source", "type", "time")


class HeaderError(ValueError):
    """Headers lack a required CloudEvents attribute or carry a malformed one."""


class Envelope(BaseModel):
    """Metadata of one message.

    Attributes:
        id: unique id of the event; also its ``Nats-Msg-Id``.
        source: where it was produced, ``/yanpei/<county>/<context>``.
        type: the contract's wire type, e.g. ``registry.SchoolRegistered.v1``.
        subject: the aggregate it is about, ``<aggregate>/<id>``.
        time: when it was recorded (UTC).
        correlation_id: the id shared by everything one user action caused.
        causation_id: the id of the command or event that directly caused this one.
        command_id: the command that wrote it (for idempotent retries).
        traceparent: W3C trace context of the span that wrote it.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    type: str
    time: datetime
    subject: str | None = None
    specversion: str = SPEC_VERSION
    datacontenttype: str = JSON
    correlation_id: str | None = None
    causation_id: str | None = None
    command_id: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    extra: dict[str, str] = Field(default_factory=dict, exclude=True)

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # Naive means UTC, as in to_headers; an aware time is kept as the same instant.
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @field_validator("*", mode="after")
    @classmethod
    def _one_line(cls, value: object) -> object:
        # A line break in a header value would end the header and let a caller inject others.
        texts = [*value.keys(), *value.values()] if isinstance(value, dict) else [value]
        if any(isinstance(t, str) and ("\r" in t or "\n" in t) for t in texts):
            raise ValueError("header values may not contain line breaks")
        return value

    def to_headers(self) -> dict[str, str]:
        """The NATS headers that carry this envelope."""
        headers = dict(self.extra)  # first, so an extra header never overrides an attribute
        for attr, header in _ATTRS.items():
            value = getattr(self, attr)
            if value is None:
                continue
            headers[header] = _format_time(value) if attr == "time" else str(value)
        return headers

    @classmethod
    def from_headers(cls, headers: dict[str, str] | None) -> Self:
        """Read an envelope back from NATS headers; HeaderError names what is missing."""
        headers = headers or {}
        values: dict[str, object] = {}
        for attr, header in _ATTRS.items():
            if header in headers:
                values[attr] = headers[header]
        missing = [_ATTRS[a] for a in _REQUIRED if a not in values]
        if missing:
            raise HeaderError(f"missing CloudEvents header(s): {', '.join(missing)}")
        if values.get("specversion", SPEC_VERSION) != SPEC_VERSION:
            raise HeaderError(f"unsupported ce-specversion {values['specversion']!r}")
        try:
            values["time"] = datetime.fromisoformat(str(values["time"]).replace("Z", "+00:00"))
        except ValueError as exc:
            raise HeaderError(f"ce-time is not RFC 3339: {values['time']!r}") from exc
        known = set(_ATTRS.values())
        values["extra"] = {k: v for k, v in headers.items() if k not in known}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise HeaderError(f"malformed CloudEvents headers: {exc}") from exc


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as ``ce-time`` carries it (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _format_time(value: object) -> str:
    assert isinstance(value, datetime)
    return format_time(value)


def event_headers(
    *,
    id: str,
    source: str,
    type: str,
    subject: str,
    time: str,
    correlation_id: str,
    causation_id: str | None,
    command_id: str | None,
    trace: dict[str, str],
) -> dict[str, str]:
    """The same headers as :meth:`Envelope.to_headers`, built without validation.

    For the append path, which writes thousands of events a second from values it made
    itself; ids a caller supplied must have passed :func:`check_one_line` first.
    """
    headers = {
        "ce-id": id,
        "ce-source": source,
        "ce-type": type,
        "ce-subject": subject,
        "ce-time": time,
        "ce-specversion": SPEC_VERSION,
        "Content-Type": JSON,
        "ce-correlationid": correlation_id,
    }
    if causation_id is not None:
        headers["ce-causationid"] = causation_id
    if command_id is not None:
        headers["ce-commandid"] = command_id
    headers.update(trace)
    return headers


def check_one_line(*values: str | None) -> None:
    """Refuse a header value with a line break (it would let a caller inject headers)."""
    for value in values:
        if value is not None and ("\r" in value or "\n" in value):
            raise HeaderError(f"header values may not contain line breaks: {value!r}")


def missing_headers(headers: dict[str, str] | None) -> list[str]:
    """The required CloudEvents headers absent from ``headers`` (cheap; no parsing)."""
    present = headers or {}
    return [_ATTRS[a] for a in _REQUIRED if _ATTRS[a] not in present]
