"""The event store on JetStream: append with optimistic concurrency, load an aggregate.

One subject per aggregate instance; the aggregate's version is the stream sequence of its
last event (0 = no events yet). An append states the version it was decided on; the server
checks it with ``Nats-Expected-Last-Subject-Sequence`` over the aggregate's subject filter,
so writers of different aggregates never serialise each other.

Single events carry ``Nats-Msg-Id`` = the event id, so a re-sent publish is stored once.
Several events of one command go as one JetStream atomic batch (all or nothing); batches
cannot carry ``Nats-Msg-Id``, so a re-sent batch is recognised by the conflict it causes:
the store then looks at what follows the expected version and, finding its own event ids,
reports success. See docs/event-store.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

from contracts import Contract, Event
from contracts.envelope import check_one_line, event_headers, format_time
from eventlog import telemetry
from eventlog.messages import StoredEvent
from eventlog.streams import stream_name
from eventlog.subjects import AggregateRef

__all__ = [
    "ANY",
    "NEW",
    "AppendFailed",
    "AppendRequest",
    "AppendResult",
    "Conflict",
    "EventStore",
    "event_ids",
]

log = logging.getLogger(__name__)

NEW = 0
ANY = -1
MAX_BATCH = 1000
_WRONG_LAST_SEQUENCE = 10071
_EVENT_NS = uuid.UUID("0f3a54a8-6b7e-4c53-9a59-2f0c7f0e2b11")
_TRANSIENT = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    NoStreamResponseError,
    ServiceUnavailableError,
    nats.errors.ConnectionReconnectingError,
    asyncio.TimeoutError,
)


class Conflict(Exception):
    """The aggregate moved on since the caller read it; reload, decide again, retry."""

    def __init__(self, ref: AggregateRef, expected: int, actual: int | None) -> None:
        super().__init__(
            f"{ref.aggregate} {ref.id} in {ref.county} is at version {actual}, "
            f"not {expected} as expected"
        )
        self.ref = ref
        self.expected = expected
        self.actual = actual


class AppendFailed(Exception):
    """The events could not be stored (server unreachable past the deadline, or refused).

    Nothing is silently lost: the caller learns the append did not happen and may retry with
    the same command id, which can never store the events twice.
    """


@dataclass(frozen=True)
class AppendResult:
    """What an append stored: the events' stream sequences and the new version."""

    ref: AggregateRef
    sequences: tuple[int, ...]
    event_ids: tuple[str, ...]
    events: tuple[Contract, ...] = ()
    duplicate: bool = False

    @property
    def version(self) -> int:
        """The aggregate's version after the append."""
        return self.sequences[-1] if self.sequences else 0


@dataclass(frozen=True)
class AppendRequest:
    """One append of :meth:`EventStore.append_many`."""

    ref: AggregateRef
    events: Sequence[Event]
    expected_version: int
    command_id: str | None = None
    correlation_id: str | None = None


@dataclass
class _Outgoing:
    subject: str
    body: bytes
    event: Event
    headers: dict[str, str] = field(default_factory=dict)


def event_ids(command_id: str | None, count: int, ref: AggregateRef | None = None) -> list[str]:
    """Ids for the events of a command: derived from the command id and the aggregate, so a
    retry repeats them and the same command id on another aggregate never collides."""
    if command_id is None:
        return [str(uuid.uuid4()) for _ in range(count)]
    where = f"{ref.filter}/" if ref is not None else ""
    return [str(uuid.uuid5(_EVENT_NS, f"{where}{command_id}/{i}")) for i in range(count)]


class EventStore:
    """Appends to and loads from one context's event stream."""

    def __init__(
        self,
        nc: Client,
        context: str,
        *,
        retry_for: float = 30.0,
        request_timeout: float = 5.0,
    ) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream(timeout=request_timeout)
        self.context = context
        self.stream = stream_name(context)
        self.retry_for = retry_for
        self.request_timeout = request_timeout
        self._replies = _Replies(nc)

    def ref(self, county: str, aggregate: str, id_: str) -> AggregateRef:
        """An aggregate reference in this store's context."""
        return AggregateRef(county, self.context, aggregate, id_)

    # ------------------------------------------------------------------ append

    async def append(
        self,
        ref: AggregateRef,
        events: Sequence[Event],
        expected_version: int,
        *,
        command_id: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        now: datetime | None = None,
    ) -> AppendResult:
        """Store ``events`` of one aggregate, atomically, if it is still at ``expected_version``.

        Args:
            ref: the aggregate.
            events: one or more events of that aggregate (at most 1,000).
            expected_version: the version the events were decided on; ``NEW`` (0) for a new
                aggregate, ``ANY`` to skip the check.
            command_id: the command that produced them; event ids derive from it.
            correlation_id: shared by all a user action causes; defaults to the command id.
            causation_id: what directly caused them; defaults to the command id.
            now: the recording time (for tests); defaults to the clock.

        Raises:
            Conflict: the aggregate is at another version.
            AppendFailed: the server could not be reached in time, or refused the events.
        """
        if not events:
            return AppendResult(ref, (), ())
        if len(events) > MAX_BATCH:
            raise ValueError(f"a command may append at most {MAX_BATCH} events, not {len(events)}")
        if ref.context != self.context:
            raise ValueError(f"{ref} is not in context {self.context!r}")
        with telemetry.span(
            "eventlog.append",
            {"yanpei.aggregate": f"{ref.aggregate}/{ref.id}", "yanpei.events": len(events)},
        ):
            out = self._encode(ref, events, command_id, correlation_id, causation_id, now)
            return await self._with_retries(ref, out, expected_version)

    def _encode(
        self,
        ref: AggregateRef,
        events: Sequence[Event],
        command_id: str | None,
        correlation_id: str | None,
        causation_id: str | None,
        now: datetime | None,
    ) -> list[_Outgoing]:
        check_one_line(command_id, correlation_id, causation_id)
        when = format_time(now or datetime.now(UTC))
        ids = event_ids(command_id, len(events), ref)
        trace = telemetry.current_trace_headers()
        out = []
        for event_id, event in zip(ids, events, strict=True):
            if event.context != ref.context or (
                event.aggregate and event.aggregate != ref.aggregate
            ):
                raise ValueError(
                    f"{event.wire_type()} belongs to {event.context}/{event.aggregate}, "
                    f"not to {ref.context}/{ref.aggregate}"
                )
            headers = event_headers(
                id=event_id,
                source=ref.source,
                type=event.wire_type(),
                subject=ref.ce_subject,
                time=when,
                correlation_id=correlation_id or command_id or event_id,
                causation_id=causation_id or command_id,
                command_id=command_id,
                trace=trace,
            )
            out.append(
                _Outgoing(ref.subject(event.name), event.model_dump_json().encode(), event, headers)
            )
        return out

    async def _with_retries(
        self, ref: AggregateRef, out: list[_Outgoing], expected: int
    ) -> AppendResult:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_for
        delay = 0.05
        while True:
            try:
                if len(out) == 1:
                    return await self._publish_one(ref, out[0], expected)
                return await self._publish_batch(ref, out, expected)
            except _TRANSIENT as exc:
                if loop.time() + delay > deadline:
                    raise AppendFailed(
                        f"could not store {len(out)} event(s) of {ref.aggregate} {ref.id}: "
                        f"NATS did not answer within {self.retry_for:.0f}s ({type(exc).__name__})"
                    ) from exc
                log.warning("append to %s retried after %s", ref.filter, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def _publish_one(self, ref: AggregateRef, msg: _Outgoing, expected: int) -> AppendResult:
        headers = _single_headers(ref, msg, expected)
        data = await self._replies.request(msg.subject, msg.body, headers, self.request_timeout)
        return await self._settle(ref, [msg], expected, data)

    # ------------------------------------------------------------- append many

    async def append_many(
        self, requests: Sequence[AppendRequest], *, now: datetime | None = None
    ) -> list[AppendResult | Conflict | AppendFailed]:
        """Many independent appends at once, pipelined: for imports and bulk work.

        Each request is checked, stored and settled on its own, exactly as by :meth:`append`
        (a stale one comes back as its Conflict, in its place in the list); single-event
        requests are all published before any reply is awaited.
        """
        outs = [
            self._encode(r.ref, r.events, r.command_id, r.correlation_id, None, now)
            for r in requests
        ]
        in_flight: list[tuple[int, asyncio.Future[bytes]]] = []
        results: list[AppendResult | Conflict | AppendFailed | None] = [None] * len(requests)
        with telemetry.span("eventlog.append_many", {"yanpei.requests": len(requests)}):
            for i, (request, out) in enumerate(zip(requests, outs, strict=True)):
                if len(out) == 1:
                    headers = _single_headers(request.ref, out[0], request.expected_version)
                    future = await self._replies.send(out[0].subject, out[0].body, headers)
                    in_flight.append((i, future))
            if in_flight:
                await asyncio.wait([f for _, f in in_flight], timeout=self.request_timeout)
            futures = dict(in_flight)
            for i, request in enumerate(requests):
                results[i] = self._stored_fast(request, outs[i], futures.get(i))
                if results[i] is None:
                    results[i] = await self._finish(request, outs[i], futures.get(i))
        return [r for r in results if r is not None]

    def _stored_fast(
        self, request: AppendRequest, out: list[_Outgoing], future: asyncio.Future[bytes] | None
    ) -> AppendResult | None:
        """The common case without a coroutine: a reply came and it is a plain PubAck."""
        if future is None or not future.done() or future.exception() is not None:
            return None
        ack = json.loads(future.result())
        if "error" in ack:
            return None
        return self._stored(request.ref, out, int(ack["seq"]), bool(ack.get("duplicate")))

    async def _finish(
        self, request: AppendRequest, out: list[_Outgoing], future: asyncio.Future[bytes] | None
    ) -> AppendResult | Conflict | AppendFailed:
        try:
            if future is not None and future.done() and not future.exception():
                return await self._settle(
                    request.ref, out, request.expected_version, future.result()
                )
            if future is not None:
                future.cancel()
            # A batch, or no reply in time: the careful path (safe to re-send).
            return await self._with_retries(request.ref, out, request.expected_version)
        except (Conflict, AppendFailed) as exc:
            return exc

    async def _publish_batch(
        self, ref: AggregateRef, out: list[_Outgoing], expected: int
    ) -> AppendResult:
        batch_id = uuid.uuid4().hex
        last = len(out)
        reply_data = b""
        for i, msg in enumerate(out, start=1):
            headers = dict(msg.headers)
            headers["Nats-Batch-Id"] = batch_id
            headers["Nats-Batch-Sequence"] = str(i)
            if i == 1 and expected != ANY:
                headers["Nats-Expected-Last-Subject-Sequence"] = str(expected)
                headers["Nats-Expected-Last-Subject-Sequence-Subject"] = ref.filter
            if i == last:
                headers["Nats-Batch-Commit"] = "1"
            if i == 1 or i == last:
                # The first message is acknowledged (empty, or an error such as "batches
                # not enabled"); the last one gets the PubAck of the whole batch.
                reply = await self.nc.request(
                    msg.subject, msg.body, timeout=self.request_timeout, headers=headers
                )
                reply_data = reply.data
                if i == 1 and reply_data and i != last:
                    return await self._settle(ref, out, expected, reply_data)
            else:
                await self.nc.publish(msg.subject, msg.body, headers=headers)
        return await self._settle(ref, out, expected, reply_data)

    async def _settle(
        self, ref: AggregateRef, out: list[_Outgoing], expected: int, data: bytes
    ) -> AppendResult:
        ack = json.loads(data)
        error = ack.get("error")
        if error is None:
            return self._stored(ref, out, int(ack["seq"]), bool(ack.get("duplicate")))
        if error.get("err_code") == _WRONG_LAST_SEQUENCE:
            already = await self._already_stored(ref, expected, out)
            if already is not None:
                return already
            actual = _actual_version(error.get("description", ""))
            telemetry.count("yanpei.append.conflicts")
            raise Conflict(ref, expected, actual)
        if error.get("code") == 503:
            raise ServiceUnavailableError(**error)
        raise AppendFailed(
            f"NATS refused the events of {ref.aggregate} {ref.id}: "
            f"{error.get('description')} (err_code {error.get('err_code')})"
        )

    def _stored(
        self, ref: AggregateRef, out: list[_Outgoing], last_seq: int, duplicate: bool
    ) -> AppendResult:
        sequences = tuple(range(last_seq - len(out) + 1, last_seq + 1))
        ids = tuple(m.headers["ce-id"] for m in out)
        return AppendResult(ref, sequences, ids, tuple(m.event for m in out), duplicate)

    async def _already_stored(
        self, ref: AggregateRef, expected: int, out: list[_Outgoing]
    ) -> AppendResult | None:
        """A re-sent append whose first try was stored: find our own events after ``expected``."""
        ids = tuple(m.headers["ce-id"] for m in out)
        following = await self.load_from(ref, max(expected, 0) + 1, limit=len(ids))
        if tuple(e.id for e in following) != ids:
            return None
        sequences = tuple(e.sequence for e in following)
        return AppendResult(ref, sequences, ids, tuple(m.event for m in out), duplicate=True)

    # -------------------------------------------------------------------- load

    async def load(self, ref: AggregateRef) -> tuple[list[StoredEvent], int]:
        """All events of one aggregate, in order, and its version (0 when it has none)."""
        events = await self.load_from(ref, 1)
        return events, (events[-1].sequence if events else 0)

    async def load_from(
        self, ref: AggregateRef, start: int, *, limit: int | None = None
    ) -> list[StoredEvent]:
        """The aggregate's events from stream sequence ``start`` on (direct gets, in batches)."""
        events: list[StoredEvent] = []
        seq = max(start, 1)
        while limit is None or len(events) < limit:
            want = 500 if limit is None else min(500, limit - len(events))
            chunk, more = await self._direct_batch(ref.filter, seq, want)
            events.extend(chunk)
            if not more or not chunk:
                break
            seq = chunk[-1].sequence + 1
        return events

    async def _direct_batch(
        self, subject_filter: str, start: int, batch: int
    ) -> tuple[list[StoredEvent], bool]:
        request = {"seq": start, "next_by_subj": subject_filter, "batch": batch}
        replies = await self._replies.open_stream(
            f"$JS.API.DIRECT.GET.{self.stream}", json.dumps(request).encode()
        )
        try:
            found: list[StoredEvent] = []
            while True:
                async with asyncio.timeout(self.request_timeout):
                    msg = await replies.get()
                headers = msg.headers or {}
                status = headers.get("Status")
                if status == "404":
                    return found, False
                if status == "204":
                    return found, int(headers.get("Nats-Num-Pending", "0")) > 0
                if status is not None:
                    raise AppendFailed(f"direct get on {self.stream} answered {status}")
                found.append(
                    StoredEvent(
                        stream=self.stream,
                        sequence=int(headers["Nats-Sequence"]),
                        subject=headers["Nats-Subject"],
                        headers=headers,
                        data=msg.data,
                    )
                )
        finally:
            self._replies.close_stream(replies)


def _single_headers(ref: AggregateRef, msg: _Outgoing, expected: int) -> dict[str, str]:
    headers = dict(msg.headers)
    headers["Nats-Msg-Id"] = headers["ce-id"]
    if expected != ANY:
        headers["Nats-Expected-Last-Subject-Sequence"] = str(expected)
        headers["Nats-Expected-Last-Subject-Sequence-Subject"] = ref.filter
    return headers


class _Replies:
    """Request-reply over one wildcard inbox subscription, for the append hot path.

    ``nc.request`` starts a timer task per request; here a request is a future in a map and
    one ``asyncio.timeout``, which lets thousands of appends be in flight cheaply.
    """

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self._prefix = ""
        self._futures: dict[str, asyncio.Future[bytes]] = {}
        self._streams: dict[str, asyncio.Queue[Msg]] = {}
        self._tokens: dict[int, str] = {}
        self._ready: asyncio.Lock | None = None
        self._sub: Subscription | None = None

    async def send(
        self, subject: str, body: bytes, headers: dict[str, str]
    ) -> asyncio.Future[bytes]:
        """Publish with a reply inbox; the future gets the reply's body."""
        if self._sub is None:
            await self._subscribe()
        token = uuid.uuid4().hex
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._futures[token] = future
        future.add_done_callback(lambda _: self._futures.pop(token, None))
        await self.nc.publish(subject, body, reply=self._prefix + token, headers=headers)
        return future

    async def open_stream(self, subject: str, body: bytes) -> asyncio.Queue[Msg]:
        """Publish a request answered by several messages (a batched direct get)."""
        if self._sub is None:
            await self._subscribe()
        token = uuid.uuid4().hex
        queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._streams[token] = queue
        self._tokens[id(queue)] = token
        await self.nc.publish(subject, body, reply=self._prefix + token)
        return queue

    def close_stream(self, queue: asyncio.Queue[Msg]) -> None:
        """Stop collecting the replies of :meth:`open_stream`."""
        self._streams.pop(self._tokens.pop(id(queue), ""), None)

    async def request(
        self, subject: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> bytes:
        """Publish and wait for the reply's body; TimeoutError or NoRespondersError."""
        future = await self.send(subject, body, headers)
        async with asyncio.timeout(timeout):
            return await future

    async def _subscribe(self) -> None:
        if self._ready is None:
            self._ready = asyncio.Lock()
        async with self._ready:
            if self._sub is None:
                self._prefix = f"{self.nc.new_inbox()}."
                self._sub = await self.nc.subscribe(self._prefix + "*", cb=self._on_reply)

    async def _on_reply(self, msg: Msg) -> None:
        token = msg.subject[len(self._prefix) :]
        queue = self._streams.get(token)
        if queue is not None:
            queue.put_nowait(msg)
            return
        future = self._futures.get(token)
        if future is None or future.done():
            return
        if msg.headers and msg.headers.get("Status") == "503":
            future.set_exception(nats.errors.NoRespondersError())
        else:
            future.set_result(msg.data)


def _actual_version(description: str) -> int | None:
    tail = description.rsplit(":", 1)[-1].strip()
    return int(tail) if tail.isdigit() else None
