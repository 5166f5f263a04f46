"""Reading a context's log fast, from a sequence, with a nats-py ordered consumer.

Push and ordered consumers keep delivering past the end, so a read stops itself at the
stream's last sequence as it was when the read began.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from eventlog.messages import StoredEvent, ack_pending, ack_sequence

__all__ = ["last_sequence", "read_batches"]

_END = object()


async def last_sequence(nc: Client, stream: str) -> int:
    """The stream's last sequence now (0 when empty)."""
    info = await nc.jetstream().stream_info(stream)
    return int(info.state.last_seq)


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
    ``end`` or when no matching event is left.
    """
    js = nc.jetstream()
    stop = await last_sequence(nc, stream) if end is None else end
    if stop < start:
        return
    queue: asyncio.Queue[list[StoredEvent] | object] = asyncio.Queue(maxsize=64)
    pending: list[StoredEvent] = []
    done = False

    async def on_message(msg: Msg) -> None:
        nonlocal pending, done
        if done:
            return
        seq = ack_sequence(msg.reply)
        if seq > stop:
            done = True
            await queue.put(pending)
            await queue.put(_END)
            return
        pending.append(
            StoredEvent(
                stream=stream, sequence=seq, subject=msg.subject, headers=msg.headers, data=msg.data
            )
        )
        last = seq >= stop or ack_pending(msg.reply) == 0
        if len(pending) >= batch_size or last:
            batch, pending = pending, []
            await queue.put(batch)
            if last:
                done = True
                await queue.put(_END)

    config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start)
    sub = await js.subscribe(
        subject_filter,
        stream=stream,
        cb=on_message,
        ordered_consumer=True,
        config=config,
        pending_msgs_limit=256 * 1024,
        pending_bytes_limit=512 * 1024 * 1024,
    )
    try:
        info = await sub.consumer_info()
        delivered = info.delivered.stream_seq if info.delivered else 0
        if info.num_pending == 0 and not delivered and queue.empty():
            return
        while True:
            item = await queue.get()
            if item is _END:
                return
            assert isinstance(item, list)
            if item:
                yield item
    finally:
        # A reader stopped early (cancelled, or its caller broke off) may leave the
        # callback blocked on a full queue: free it before unsubscribing, or that waits.
        done = True
        while not queue.empty():
            queue.get_nowait()
        await sub.unsubscribe()
