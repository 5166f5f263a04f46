"""Projections: event handlers that keep SQLAlchemy tables, and the runner that feeds them.

The runner applies events in batches; the rows and the checkpoint (last stream sequence
applied) are written in one transaction, and the JetStream ack follows the commit. Anything
at or below the checkpoint is skipped, so redelivery is harmless and a crash mid-batch
loses nothing. An event that cannot be applied is tried a bounded number of times, then
filed in the dead-letter stream with the reason, and the runner moves on.

Catching up (start-up, rebuilds) reads with :func:`eventlog.reader.read_batches`, the fast
path; live work uses a durable pull consumer with acks. Live work never trusts a delivery
stream blindly: a consumer sequence that does not follow on (a delivery lost on the way, or
a consumer rolled back by a server restart) or a re-made connection ends the follow, and
the runner catches up from its checkpoint again with a new consumer. A rebuild fills a new
generation of the tables from sequence 1 beside the live one and switches when it has
caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Connection, Engine, MetaData, Table, func, select
from sqlalchemy.exc import InterfaceError, OperationalError

from contracts import DecodeError, HeaderError
from contracts.envelope import missing_headers
from eventlog import telemetry
from eventlog.checkpoints import bookkeeping
from eventlog.checkpoints import metadata as bookkeeping_metadata
from eventlog.database import lock_schema, writing
from eventlog.deadletters import DeadLetters
from eventlog.messages import StoredEvent
from eventlog.reader import ReadGap, ReadInterrupted, last_sequence, read_batches
from eventlog.scope import current_county
from eventlog.streams import stream_name
from eventlog.subjects import InvalidSubjectToken, context_filter

__all__ = ["Projection", "ProjectionRunner", "RebuildReport", "generation_suffix"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
_TRANSIENT_DB = (OperationalError, InterfaceError)
_TRANSIENT_NATS = (nats.errors.Error, nats.js.errors.Error, OSError, asyncio.TimeoutError)


def generation_suffix(generation: int) -> str:
    """What a generation's table names end with."""
    return f"_g{generation}"


class FollowInterrupted(Exception):
    """The live consumer can no longer be trusted to deliver everything in order."""


class Projection(ABC):
    """A read model: its tables, and how events change them.

    Subclasses set ``name`` and ``contexts`` (the streams they read), define their tables
    for a generation suffix, and apply a batch of events inside the runner's transaction.
    ``apply`` must be idempotent per event (upserts), a second line of defence behind the
    checkpoint.
    """

    name: ClassVar[str]
    contexts: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        self._tables: dict[int, dict[str, Table]] = {}

    @abstractmethod
    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        """Declare the tables, each named ``<name><suffix>``; return them by base name."""

    @abstractmethod
    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        """Write the effect of ``events`` (in stream order) to ``tables``."""

    def subject_filter(self, context: str) -> str:
        """Which subjects of a context's stream this projection reads."""
        return context_filter(context)

    def tables(self, generation: int) -> dict[str, Table]:
        """The tables of one generation."""
        if generation not in self._tables:
            self._tables[generation] = self.define(MetaData(), generation_suffix(generation))
        return self._tables[generation]

    def live_tables(self, tx: Connection) -> dict[str, Table]:
        """The tables that answer queries now."""
        generation = bookkeeping.live_generation(tx, self.name)
        if generation is None:
            raise LookupError(f"projection {self.name} has not been built yet")
        return self.tables(generation)


class GenerationChanged(Exception):
    """Another process switched the live generation; the runner restarts on the new one."""


@dataclass
class _Outcome:
    applied: int = 0
    poison: tuple[StoredEvent, str, int] | None = None


@dataclass
class RebuildReport:
    """What a rebuild did: the generation it built and row counts beside the old one."""

    projection: str
    generation: int
    previous: int | None
    events: int
    seconds: float
    rows: dict[str, tuple[int | None, int]] = field(default_factory=dict)


class ProjectionRunner:
    """Feeds one projection from its streams, live or in a rebuild."""

    def __init__(
        self,
        nc: Client,
        engine: Engine,
        projection: Projection,
        *,
        batch_size: int = 1000,
        max_attempts: int = 3,
        fetch_timeout: float = 1.0,
        keep_generations: int = 1,
    ) -> None:
        self.nc = nc
        self.engine = engine
        self.projection = projection
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.fetch_timeout = fetch_timeout
        self.keep_generations = keep_generations
        self.dead_letters = DeadLetters(nc)
        self.applied = 0

    @property
    def name(self) -> str:
        return self.projection.name

    # ------------------------------------------------------------------ setup

    def setup(self) -> int:
        """Create the bookkeeping and the first generation if needed; return the live one."""
        with writing(self.engine) as tx:
            lock_schema(tx)
            bookkeeping_metadata.create_all(tx)
            live = bookkeeping.live_generation(tx, self.name)
            if live is None:
                live = bookkeeping.newest_generation(tx, self.name) + 1
                bookkeeping.add_generation(tx, self.name, live, "live")
        self._create_tables(live)
        return live

    def _create_tables(self, generation: int) -> None:
        tables = self.projection.tables(generation)
        with writing(self.engine) as tx:
            lock_schema(tx)
            next(iter(tables.values())).metadata.create_all(tx)
            for context in self.projection.contexts:
                bookkeeping.ensure(tx, self.name, generation, stream_name(context))

    def live_generation(self) -> int | None:
        with self.engine.connect() as tx:
            return bookkeeping.live_generation(tx, self.name)

    def position(self, generation: int, context: str) -> int:
        """The checkpoint of one stream in one generation."""
        with self.engine.connect() as tx:
            return bookkeeping.position(tx, self.name, generation, stream_name(context))

    async def lag(self, position: int, context: str) -> int:
        """How far behind the stream a checkpoint at ``position`` is: 0 when no event the
        projection reads is left.

        A projection reading some subjects of a stream never advances its checkpoint over
        newer events it does not read, so ``last - position`` alone would never reach 0; a
        direct get of the next matching event after the checkpoint tells. Otherwise the
        answer is that distance (an upper bound of the events still to read).
        """
        stream = stream_name(context)
        last = await last_sequence(self.nc, stream)
        if last <= position:
            return 0
        try:
            await self.nc.jetstream().get_msg(
                stream, seq=position + 1, subject=self.projection.subject_filter(context),
                next=True, direct=True,
            )  # fmt: skip
        except NotFoundError:
            return 0
        return last - position

    # -------------------------------------------------------------------- run

    async def run(self) -> None:
        """Catch up, then follow the streams live until cancelled.

        A lost NATS connection or a switched generation restarts the cycle: catch up from
        the checkpoint again, then follow with a new consumer.
        """
        delay = 0.1
        self._run_task = asyncio.current_task()
        while True:
            generation = await asyncio.to_thread(self.setup)
            try:
                for context in self.projection.contexts:
                    await self.catch_up(generation, context, live=True)
                delay = 0.1
                await _all_or_none(self._follow(generation, c) for c in self.projection.contexts)
            except GenerationChanged:
                log.info("%s: live generation changed, restarting", self.name)
            except (FollowInterrupted, ReadGap, ReadInterrupted) as exc:
                log.warning("%s: %s; catching up from the checkpoint", self.name, exc)
                await asyncio.sleep(delay)  # never a hot loop, should the cause persist
                delay = min(delay * 2, 5.0)
            except _TRANSIENT_NATS as exc:
                log.warning("%s: NATS unavailable (%r); restarting in %.1fs", self.name, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def catch_up(
        self,
        generation: int,
        context: str,
        *,
        live: bool = False,
        progress: Progress | None = None,
    ) -> int:
        """Apply everything from the checkpoint to the stream's end (:func:`read_batches`)."""
        stream = stream_name(context)
        start = await asyncio.to_thread(self.position, generation, context) + 1
        end = await last_sequence(self.nc, stream)
        applied = 0
        async for batch in read_batches(
            self.nc,
            stream,
            start=start,
            end=end,
            subject_filter=self.projection.subject_filter(context),
            batch_size=self.batch_size,
        ):
            applied += await self._process(generation, stream, batch, live=live)
            if progress:
                progress(stream, batch[-1].sequence, end)
        # Every matching event up to ``end`` is applied: the rest were not ours to read.
        await asyncio.to_thread(self._skip_sync, generation, stream, end)
        if progress:
            progress(stream, end, end)
        return applied

    async def _follow(self, generation: int, context: str) -> None:
        stream = stream_name(context)
        start = await asyncio.to_thread(self.position, generation, context) + 1
        county = current_county()
        durable = f"proj_{self.name}_g{generation}_{context}" + (f"_{county}" if county else "")
        js = self.nc.jetstream()
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
        config = ConsumerConfig(
            durable_name=durable,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            ack_policy=AckPolicy.ALL,
            ack_wait=60,
            max_ack_pending=self.batch_size * 20,
            filter_subject=self.projection.subject_filter(context),
        )
        sub = await js.pull_subscribe(
            config.filter_subject or ">", durable=durable, stream=stream, config=config
        )
        last_check = time.monotonic()
        reconnects = self.nc.stats["reconnects"]
        delivered = 0  # the consumer sequence of the last delivery taken
        try:
            while True:
                self._raise_if_cancelled()
                if self.nc.stats["reconnects"] != reconnects:
                    # A pull consumer may stay silent after a reconnect (nats.py #504).
                    raise FollowInterrupted(f"{stream}: the connection to NATS was re-made")
                try:
                    msgs = await sub.fetch(self.batch_size, timeout=self.fetch_timeout)
                except TimeoutError:  # nothing new (nats-py raises either kind)
                    if time.monotonic() - last_check > self.fetch_timeout:
                        last_check = time.monotonic()
                        if await asyncio.to_thread(self.live_generation) != generation:
                            raise GenerationChanged() from None
                    continue
                if not msgs:  # a pull request can end with a status and no message
                    continue
                delivered = _follows_on(stream, delivered, msgs)
                events = [
                    StoredEvent(
                        stream=stream,
                        sequence=m.metadata.sequence.stream,
                        subject=m.subject,
                        headers=m.headers,
                        data=m.data,
                    )
                    for m in msgs
                ]
                await self._process(generation, stream, events, live=True)
                await msgs[-1].ack()
        except GenerationChanged:
            await js.delete_consumer(stream, durable)
            raise
        finally:
            with contextlib.suppress(Exception):  # the connection may be gone on shutdown
                await sub.unsubscribe()

    def _raise_if_cancelled(self) -> None:
        """Re-raise a cancellation of this loop or of ``run()`` that got lost on the way.

        On Python 3.11 a cancellation that arrives just as nats-py's ``fetch`` completes
        (its ``asyncio.wait_for`` returns the message instead) or just as it times out can
        vanish, and a follow loop would run on forever while ``run()`` waits for it. Both
        tasks still count the request (``cancelling()``), so the loop honours it here,
        at most one fetch timeout late.
        """
        for task in (asyncio.current_task(), getattr(self, "_run_task", None)):
            if task is not None and task.cancelling():
                raise asyncio.CancelledError

    # ------------------------------------------------------------ the batches

    async def _process(
        self, generation: int, stream: str, events: list[StoredEvent], *, live: bool
    ) -> int:
        applied = 0
        remaining = events
        delay = 0.1
        attrs = {"yanpei.projection": self.name, "yanpei.stream": stream}
        while remaining:
            links = [link for e in remaining[1:32] if (link := telemetry.link_from(e.headers))]
            with telemetry.span(
                "projection.apply",
                {
                    **attrs,
                    "yanpei.events": len(remaining),
                    "yanpei.first_sequence": remaining[0].sequence,
                },
                parent=remaining[0].headers,
                links=links,
            ):
                try:
                    outcome = await _finish_on_cancel(
                        asyncio.to_thread(self._apply_sync, generation, stream, remaining, live)
                    )
                except _TRANSIENT_DB as exc:
                    log.warning("%s: database unavailable (%s); retrying", self.name, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
            applied += outcome.applied
            if outcome.poison is None:
                break
            event, reason, attempts = outcome.poison
            log.error("%s: dead-lettering %s: %s", self.name, event, reason)
            await self.dead_letters.send(self.name, event, reason, attempts)
            await asyncio.to_thread(self._skip_sync, generation, stream, event.sequence)
            remaining = [e for e in remaining if e.sequence > event.sequence]
        self.applied += applied
        telemetry.count("yanpei.projection.events", applied, {"projection": self.name})
        return applied

    def _apply_sync(
        self, generation: int, stream: str, events: list[StoredEvent], live: bool
    ) -> _Outcome:
        tables = self.projection.tables(generation)
        with writing(self.engine) as tx:
            if live and bookkeeping.live_generation(tx, self.name) != generation:
                raise GenerationChanged()
            position = bookkeeping.position(tx, self.name, generation, stream)
            fresh = [e for e in events if e.sequence > position]
            good, bad = _decodable(fresh)
            outcome = _Outcome()
            if good:
                try:
                    with tx.begin_nested():
                        self.projection.apply(tx, tables, good)
                    outcome.applied = len(good)
                except _TRANSIENT_DB:
                    raise
                except Exception:
                    outcome = self._apply_one_by_one(tx, tables, good)
                done = good[: outcome.applied]
                if done:
                    bookkeeping.advance(tx, self.name, generation, stream, done[-1].sequence)
            if outcome.poison is None and bad is not None:
                outcome.poison = bad
            return outcome

    def _apply_one_by_one(
        self, tx: Connection, tables: Mapping[str, Table], events: list[StoredEvent]
    ) -> _Outcome:
        outcome = _Outcome()
        for event in events:
            error: Exception | None = None
            for _ in range(self.max_attempts):
                try:
                    with tx.begin_nested():
                        self.projection.apply(tx, tables, [event])
                    error = None
                    break
                except _TRANSIENT_DB:
                    raise
                except Exception as exc:
                    error = exc
            if error is not None:
                reason = f"{type(error).__name__}: {error}"
                outcome.poison = (event, reason, self.max_attempts)
                return outcome
            outcome.applied += 1
        return outcome

    def _skip_sync(self, generation: int, stream: str, sequence: int) -> None:
        with writing(self.engine) as tx:
            if bookkeeping.position(tx, self.name, generation, stream) < sequence:
                bookkeeping.advance(tx, self.name, generation, stream, sequence)

    # ---------------------------------------------------------------- rebuild

    async def rebuild(self, progress: Progress | None = None) -> RebuildReport:
        """Build a new generation from sequence 1 beside the live one; switch when caught up.

        A rebuild interrupted (crash, SIGKILL) resumes from its own checkpoint next time.
        """
        started = time.perf_counter()
        await asyncio.to_thread(self.setup)
        generation = await asyncio.to_thread(self._start_generation)
        events = 0
        while True:
            for context in self.projection.contexts:
                events += await self.catch_up(generation, context, progress=progress)
            if await self._caught_up(generation):
                break
        previous = await asyncio.to_thread(self._switch, generation)
        report = RebuildReport(
            self.name, generation, previous, events, time.perf_counter() - started
        )
        report.rows = await asyncio.to_thread(self._compare, previous, generation)
        await asyncio.to_thread(self._drop_old, generation)
        return report

    def _start_generation(self) -> int:
        with writing(self.engine) as tx:
            generation = bookkeeping.building_generation(tx, self.name)
            if generation is None:
                generation = bookkeeping.newest_generation(tx, self.name) + 1
                bookkeeping.add_generation(tx, self.name, generation, "building")
        self._create_tables(generation)
        return generation

    async def _caught_up(self, generation: int) -> bool:
        for context in self.projection.contexts:
            end = await last_sequence(self.nc, stream_name(context))
            if await asyncio.to_thread(self.position, generation, context) < end:
                return False
        return True

    def _switch(self, generation: int) -> int | None:
        with writing(self.engine) as tx:
            return bookkeeping.switch(tx, self.name, generation)

    def _compare(self, previous: int | None, generation: int) -> dict[str, tuple[int | None, int]]:
        rows: dict[str, tuple[int | None, int]] = {}
        with self.engine.connect() as tx:
            for base, table in self.projection.tables(generation).items():
                new = int(tx.execute(select(func.count()).select_from(table)).scalar() or 0)
                old = None
                if previous is not None:
                    old_table = self.projection.tables(previous)[base]
                    old = int(tx.execute(select(func.count()).select_from(old_table)).scalar() or 0)
                rows[base] = (old, new)
        return rows

    def _drop_old(self, generation: int) -> None:
        oldest_kept = generation - self.keep_generations
        for old in range(1, oldest_kept):
            tables = self.projection.tables(old)
            with writing(self.engine) as tx:
                next(iter(tables.values())).metadata.drop_all(tx, checkfirst=True)


async def _all_or_none(work: Iterable[Awaitable[object]]) -> None:
    """Run the follow loops together; when one ends, the others are stopped with it."""
    tasks = [asyncio.ensure_future(w) for w in work]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _follows_on(stream: str, delivered: int, msgs: Sequence[Msg]) -> int:
    """The batch's last consumer sequence, if every delivery follows on from ``delivered``.

    With acknowledgement policy *all*, acking past a delivery that never arrived would
    drop its event for good; so any break in the consumer sequence ends the follow before
    anything of the batch is applied or acked.
    """
    for msg in msgs:
        sequence = msg.metadata.sequence.consumer
        if sequence != delivered + 1:
            raise FollowInterrupted(
                f"{stream}: delivery {sequence} came after {delivered} "
                f"(event #{msg.metadata.sequence.stream})"
            )
        delivered = sequence
    return delivered


async def _finish_on_cancel(work: Awaitable[T]) -> T:
    """Await ``work`` in a thread; on cancellation let the transaction finish, then stop.

    A thread cannot be interrupted; waiting for it makes a stop graceful and keeps a stopped
    runner from racing its successor on the same checkpoint.
    """
    future = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


def _decodable(
    events: list[StoredEvent],
) -> tuple[list[StoredEvent], tuple[StoredEvent, str, int] | None]:
    """Split at the first event that cannot be decoded (bad JSON, unknown type or version)."""
    for i, event in enumerate(events):
        try:
            missing = missing_headers(event.headers)
            if missing:
                raise HeaderError(f"missing CloudEvents header(s): {', '.join(missing)}")
            _ = event.ref
            _ = event.event
        except (DecodeError, HeaderError, InvalidSubjectToken) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            return events[:i], (event, reason, 1)
        except ValueError as exc:
            return events[:i], (event, f"malformed message: {exc}", 1)
    return events, None
