"""Reading a context's log fast, from a sequence, with flat memory.

A read uses an ephemeral push consumer (a callback per message, the fast path in nats-py)
whose acknowledgement policy is *all* with a bounded ``max_ack_pending``: the server never
has more than one window of messages in flight, and the reader acknowledges the last
message of a batch only once its caller has taken the batch. So a slow caller holds at most
a window in memory, however long the stream. (An ordered consumer, by contrast, is throttled
only by flow control, which nats-py answers as messages arrive rather than as they are
processed, so a slow caller buffered the whole stream.)

Push consumers keep delivering past the end, so a read stops itself at the stream's last
sequence as it was when the read began. A redelivered message (after a very slow caller
outlived ``ack_wait``) is skipped by its sequence; a message lost on the way (a consumer
sequence gap) ends the read with :class:`ReadGap` rather than skipping it. A read that
goes quiet across a reconnect, or whose consumer is gone (a server restart drops the
in-memory consumer), ends with :class:`ReadInterrupted` rather than waiting forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from eventlog.messages import StoredEvent, ack_pending, ack_sequence, consumer_sequence

__all__ = ["ReadGap", "ReadInterrupted", "last_sequence", "read_batches"]

WINDOW = 20_000
"""Messages the server may have in flight to one reader (its ``max_ack_pending``)."""

ACK_WAIT_SECONDS = 600.0
"""How long a caller may sit on one window before the server redelivers it."""

IDLE_CHECK_SECONDS = 2.0
"""How long a read waits for its next batch before it checks that its consumer is alive."""

_END = object()


class ReadGap(RuntimeError):
    """A message of the read went missing on the way (a consumer sequence gap)."""


class ReadInterrupted(RuntimeError):
    """The read's consumer stopped delivering: the connection was re-made or the consumer
    is gone. Reading again from the last event taken resumes it."""


async def last_sequence(nc: Client, stream: str) -> int:
    """The stream's last sequence now (0 when empty)."""
    info = await nc.jetstream().stream_info(stream)
    return int(info.state.last_seq)


@dataclass
class _Batcher:
    """The consumer's callback: cuts messages into batches and queues them, never blocking."""

    stream: str
    stop: int
    batch_size: int
    queue: asyncio.Queue[tuple[list[StoredEvent], str] | object] = field(
        default_factory=asyncio.Queue
    )
    pending: list[StoredEvent] = field(default_factory=list)
    last_seen: int = 0
    last_consumer_seq: int = 0
    done: bool = False

    async def on_message(self, msg: Msg) -> None:
        if self.done:
            return
        reply = msg.reply
        seq, consumer_seq = ack_sequence(reply), consumer_sequence(reply)
        if consumer_seq != self.last_consumer_seq + 1 and seq > self.last_seen:
            self._finish(reply, ReadGap(f"{self.stream}: a message before #{seq} was lost"))
            return
        self.last_consumer_seq = consumer_seq
        if seq <= self.last_seen:
            return  # a redelivery of what was already read
        if seq > self.stop:
            self._finish(reply, _END)
            return
        self.last_seen = seq
        self.pending.append(
            StoredEvent(
                stream=self.stream,
                sequence=seq,
                subject=msg.subject,
                headers=msg.headers,
                data=msg.data,
            )
        )
        if seq >= self.stop or ack_pending(reply) == 0:
            self._finish(reply, _END)
        elif len(self.pending) >= self.batch_size:
            self._cut(reply)

    def _cut(self, reply: str) -> None:
        batch, self.pending = self.pending, []
        self.queue.put_nowait((batch, reply))

    def _finish(self, reply: str, end: object) -> None:
        self.done = True
        self._cut(reply)
        self.queue.put_nowait(end)


async def read_batches(
    nc: Client,
    stream: str,
    *,
    start: int = 1,
    end: int | None = None,
    subject_filter: str = ">",
    batch_size: int = 1000,
) -> AsyncIterator[list[StoredEvent]]:
    """Yield the stream's events from ``start`` to ``end`` (default: the last one now).

    Events come in order, in lists of at most ``batch_size``. The iteration ends after
    ``end`` or when no matching event is left; :class:`ReadGap` if one went missing.
    """
    stop = await last_sequence(nc, stream) if end is None else end
    if stop < start:
        return
    batcher = _Batcher(stream, stop, batch_size)
    js = nc.jetstream()
    sub = await js.subscribe(
        subject_filter,
        stream=stream,
        cb=batcher.on_message,
        manual_ack=True,
        config=_window_config(start),
        pending_msgs_limit=4 * WINDOW,
        pending_bytes_limit=1024 * 1024 * 1024,
    )
    reconnects = nc.stats["reconnects"]
    try:
        info = await sub.consumer_info()
        # Nothing pending and nothing ever delivered: no event matches (a new consumer's
        # stream position is ``start - 1``, so only its consumer sequence tells).
        delivered = info.delivered.consumer_seq if info.delivered else 0
        if info.num_pending == 0 and delivered == 0:
            return
        async for batch in _batches(nc, batcher, sub, reconnects):
            yield batch
    finally:
        batcher.done = True
        await sub.unsubscribe()
        with contextlib.suppress(NotFoundError, asyncio.TimeoutError, AttributeError):
            await js.delete_consumer(stream, sub._consumer)


async def _batches(
    nc: Client, batcher: _Batcher, sub: JetStreamContext.PushSubscription, reconnects: int
) -> AsyncIterator[list[StoredEvent]]:
    """The batches as they come; each acknowledged (freeing the window) once taken."""
    while True:
        try:
            item = await asyncio.wait_for(batcher.queue.get(), IDLE_CHECK_SECONDS)
        except TimeoutError:
            await _check_alive(nc, batcher, sub, reconnects)
            continue
        if isinstance(item, ReadGap):
            raise item
        if item is _END:
            return
        assert isinstance(item, tuple)
        batch, reply = item
        if batch:
            yield batch
        if not batcher.done:
            await nc.publish(reply, b"+ACK")


async def _check_alive(
    nc: Client, batcher: _Batcher, sub: JetStreamContext.PushSubscription, reconnects: int
) -> None:
    """Raise :class:`ReadInterrupted` when a quiet read's consumer can deliver no more.

    After a reconnect the server may have restarted and lost the (in-memory) consumer, or
    deliveries may have been dropped on the way; either way the rest will never come.
    """
    where = f"{batcher.stream} after #{batcher.last_seen}"
    if nc.stats["reconnects"] != reconnects:
        raise ReadInterrupted(f"{where}: the connection to NATS was re-made")
    try:
        await sub.consumer_info()
    except NotFoundError:
        raise ReadInterrupted(f"{where}: the read's consumer is gone") from None


def _window_config(start: int) -> ConsumerConfig:
    return ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=start,
        ack_policy=AckPolicy.ALL,
        max_ack_pending=WINDOW,
        ack_wait=ACK_WAIT_SECONDS,
        mem_storage=True,
        num_replicas=1,
        inactive_threshold=60.0,
    )
