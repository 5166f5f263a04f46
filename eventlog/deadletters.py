"""The dead-letter stream: events a projection could not apply, with the reason.

A dead letter keeps the original body and headers and adds ``Yanpei-Dead-*`` headers that
say which projection gave up, on which stream sequence, after how many tries and why. Its
``Nats-Msg-Id`` is derived from the projection and sequence, so a projector that restarts
after publishing but before committing does not file the same letter twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from eventlog import telemetry
from eventlog.messages import StoredEvent
from eventlog.reader import read_batches
from eventlog.streams import DEAD_LETTER_STREAM

__all__ = ["DeadLetter", "DeadLetters"]

_H = "Yanpei-Dead-"


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered event as an operator sees it."""

    projection: str
    stream: str
    sequence: int
    subject: str
    type: str
    reason: str
    attempts: int
    event: StoredEvent


class DeadLetters:
    """Files and lists dead letters."""

    def __init__(self, nc: Client, timeout: float = 5.0) -> None:
        self.nc = nc
        self.js = nc.jetstream(timeout=timeout)

    async def send(self, projection: str, event: StoredEvent, reason: str, attempts: int) -> None:
        """File ``event`` as dead for ``projection``; idempotent per projection and sequence."""
        headers = {k: v for k, v in event.headers.items() if not k.startswith("Nats-")}
        headers.update(
            {
                f"{_H}Projection": projection,
                f"{_H}Stream": event.stream,
                f"{_H}Sequence": str(event.sequence),
                f"{_H}Subject": event.subject,
                f"{_H}Reason": reason[:2000].replace("\r", " ").replace("\n", " "),
                f"{_H}Attempts": str(attempts),
                "Nats-Msg-Id": f"dead:{projection}:{event.stream}:{event.sequence}",
            }
        )
        await self.js.publish(
            f"dlq.{projection}.{event.stream}",
            event.data,
            headers=headers,
            stream=DEAD_LETTER_STREAM,
        )
        telemetry.count("yanpei.projection.dead_letters", 1, {"projection": projection})

    async def list(self, projection: str | None = None) -> list[DeadLetter]:
        """Every dead letter, or those of one projection."""
        try:
            await self.js.stream_info(DEAD_LETTER_STREAM)
        except NotFoundError:
            return []
        subject = f"dlq.{projection}.>" if projection else "dlq.>"
        letters: list[DeadLetter] = []
        async for batch in read_batches(self.nc, DEAD_LETTER_STREAM, subject_filter=subject):
            letters.extend(_letter(m) for m in batch)
        return letters


def _letter(msg: StoredEvent) -> DeadLetter:
    h = msg.headers
    original = StoredEvent(
        stream=h.get(f"{_H}Stream", ""),
        sequence=int(h.get(f"{_H}Sequence", "0")),
        subject=h.get(f"{_H}Subject", ""),
        headers={k: v for k, v in h.items() if not k.startswith(_H)},
        data=msg.data,
    )
    return DeadLetter(
        projection=h.get(f"{_H}Projection", ""),
        stream=original.stream,
        sequence=original.sequence,
        subject=original.subject,
        type=original.type,
        reason=h.get(f"{_H}Reason", ""),
        attempts=int(h.get(f"{_H}Attempts", "0")),
        event=original,
    )
