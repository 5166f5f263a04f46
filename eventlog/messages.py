"""Stored events as read back from JetStream, decoded lazily.

Replays read hundreds of thousands of messages; most projections look only at the type and
the body, so the envelope and the contract are parsed on first use.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from contracts import Contract, Envelope, HeaderError, catalogue
from eventlog.subjects import AggregateRef, parse_event_subject

__all__ = ["StoredEvent", "ack_pending", "ack_sequence", "consumer_sequence"]


class StoredEvent:
    """One event in the log: its stream sequence, subject, headers and body."""

    __slots__ = ("__dict__", "data", "headers", "sequence", "stream", "subject")

    def __init__(
        self,
        *,
        stream: str,
        sequence: int,
        subject: str,
        headers: dict[str, str] | None,
        data: bytes,
    ) -> None:
        self.stream = stream
        self.sequence = sequence
        self.subject = subject
        self.headers = headers or {}
        self.data = data

    def __repr__(self) -> str:
        return f"StoredEvent({self.stream}#{self.sequence} {self.subject} {self.type})"

    @property
    def type(self) -> str:
        """The wire type (``ce-type`` header); empty when the header is missing."""
        return self.headers.get("ce-type", "")

    @property
    def id(self) -> str:
        """The event id (``ce-id``)."""
        return self.headers.get("ce-id", "")

    @property
    def command_id(self) -> str | None:
        """The command that wrote this event, if any."""
        return self.headers.get("ce-commandid")

    @cached_property
    def ref(self) -> AggregateRef:
        """The aggregate this event belongs to, from its subject."""
        return parse_event_subject(self.subject)[0]

    @cached_property
    def envelope(self) -> Envelope:
        """The CloudEvents envelope; HeaderError when the headers are incomplete."""
        return Envelope.from_headers(self.headers)

    @cached_property
    def event(self) -> Contract:
        """The contract, upcast to its newest version; DecodeError when it cannot be."""
        if not self.type:
            raise HeaderError("missing CloudEvents header(s): ce-type")
        return catalogue.decode(self.type, self.data)

    @property
    def time(self) -> datetime:
        """When the event was recorded."""
        return self.envelope.time


def ack_sequence(reply: str) -> int:
    """The stream sequence encoded in a JetStream ack subject, without building metadata.

    ``$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`` (v1) or the
    v2 form with domain and account hash in front.
    """
    tokens = reply.split(".")
    return int(tokens[5] if len(tokens) == 9 else tokens[7])


def ack_pending(reply: str) -> int:
    """The number of messages pending after this one, from a JetStream ack subject."""
    tokens = reply.split(".")
    return int(tokens[8] if len(tokens) == 9 else tokens[10])


def consumer_sequence(reply: str) -> int:
    """The consumer's delivery sequence in a JetStream ack subject (one more per delivery)."""
    tokens = reply.split(".")
    return int(tokens[6] if len(tokens) == 9 else tokens[8])
