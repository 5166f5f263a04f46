"""Sending what the ledger holds: claim, send, record; retries with back-off.

Each due row is claimed in a transaction that marks it ``sending`` with a lease (the
intent, committed before anything goes on the wire), sent by a task of its own (at most
``concurrency`` at once, so a slow or failing channel never holds up the others), and its
outcome recorded after: ``sent``; ``pending`` again with ``next_attempt_at`` pushed back
exponentially; or ``failed`` with the reason once the attempts are spent or the failure is
permanent. A process that dies between sending and recording leaves the row ``sending``;
when the lease runs out it is sent again with the same Message-ID / Idempotency-Key
(at-least-once on the wire, duplicates recognisable by the receiver; ADR 0013).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from eventlog.database import writing
from services.notify.calendar import defer_past_quiet
from services.notify.channels import Channel, Outgoing, SendFailed
from services.notify.configuration import CountyConfig, MissingSecret
from services.notify.rendering import Message, Renderer
from services.notify.tables import contacts, deliveries

__all__ = ["AddressBook", "Dispatcher", "NoAddress", "RetryPolicy"]

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoAddress(LookupError):
    """The recipient has no address for the channel (yet)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed delivery is tried again."""

    max_attempts: int = 6
    base_seconds: float = 30.0
    factor: float = 2.0
    cap_seconds: float = 3600.0

    def delay(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th failure (1-based)."""
        seconds = self.base_seconds * self.factor ** max(0, attempt - 1)
        return timedelta(seconds=min(self.cap_seconds, seconds))


class AddressBook:
    """Where a recipient is reached on a channel, read when sending (erasure applies)."""

    def __init__(self, engine: Engine, config_for: Callable[[str], CountyConfig]) -> None:
        self.engine = engine
        self.config_for = config_for

    def address(
        self, county: str, recipient: str, channel: str, tx: Connection | None = None
    ) -> Any:
        config = self.config_for(county)
        if recipient.startswith("webhook:"):
            name = recipient.split(":", 1)[1]
            for sub in config.subscriptions:
                if sub.name == name:
                    return sub.webhook
            raise NoAddress(f"no subscription named {name!r} in county {county}")
        endpoint = config.recipients.get(recipient)
        found = getattr(endpoint, channel, None) if endpoint else None
        if found is None and channel == "email" and recipient.startswith("teacher:"):
            found = self._email(recipient.split(":", 1)[1], tx)
        if found is None:
            raise NoAddress(f"no {channel} address on record for {recipient}")
        return found

    def _email(self, teacher_id: str, tx: Connection | None) -> str | None:
        query = select(contacts.c.email).where(contacts.c.teacher_id == teacher_id)
        if tx is not None:
            return tx.execute(query).scalar()
        with self.engine.connect() as own:
            return own.execute(query).scalar()


def as_utc(value: datetime) -> datetime:
    """Aware UTC, whatever the database returned (SQLite drops the zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Outcome:
    sent: bool
    reason: str = ""
    permanent: bool = False


class Dispatcher:
    """Claims due deliveries and sends each in its own task, with bounded concurrency."""

    def __init__(
        self,
        engine: Engine,
        channels: dict[str, Channel],
        addresses: AddressBook,
        *,
        renderer: Renderer | None = None,
        policy: RetryPolicy = RetryPolicy(),
        concurrency: int = 32,
        lease_seconds: float = 120.0,
        send_timeout: float = 60.0,
        idle_seconds: float = 0.5,
        counties: Iterable[str] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.addresses = addresses
        self.renderer = renderer or Renderer()
        self.policy = policy
        self.concurrency = concurrency
        self.lease = timedelta(seconds=lease_seconds)
        self.send_timeout = send_timeout
        self.idle = idle_seconds
        self.counties = sorted(counties) if counties else None
        self.clock = clock
        self.inflight: set[asyncio.Task[None]] = set()
        self.finished: list[tuple[Any, Outcome]] = []

    async def run(self, _service: object = None) -> None:
        """Claim and send until cancelled; in-flight sends are cancelled with it."""
        try:
            while True:
                await self.pump()
        finally:
            for task in self.inflight:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*self.inflight, return_exceptions=True)
            with contextlib.suppress(Exception):  # what was sent, recorded if we still can
                self.record_all(self.finished)

    async def pump(self) -> int:
        """Record finished sends, start sends for what is due; wait a little when idle."""
        await self.flush()
        free = self.concurrency - len(self.inflight)
        rows: list[Any] = []
        if free > 0:
            try:
                rows = await asyncio.to_thread(self.claim, free)
                prepared = await asyncio.to_thread(self.prepare_all, rows)
            except Exception:
                log.exception("notify: claiming deliveries failed; trying again")
                rows = []
        for row in rows:
            work = self.deliver(row, prepared[row.delivery_id])
            task = asyncio.create_task(work, name=f"deliver {row.delivery_id}")
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)
        if not rows or len(rows) == free:
            if self.inflight and len(rows) == free:
                await asyncio.wait(
                    set(self.inflight), timeout=self.idle, return_when="FIRST_COMPLETED"
                )
            else:
                await asyncio.sleep(self.idle)
        return len(rows)

    async def flush(self) -> None:
        """Record the outcomes of finished sends, all in one transaction."""
        if not self.finished:
            return
        batch, self.finished = self.finished, []
        try:
            await asyncio.to_thread(self.record_all, batch)
        except Exception:
            log.exception(
                "notify: recording %d outcomes failed; their leases retry them", len(batch)
            )

    def claim(self, limit: int) -> list[Any]:
        """Mark up to ``limit`` due rows ``sending`` (the intent), committed; return them."""
        d = deliveries
        now = self.clock()
        due = or_(
            and_(d.c.status == "pending", d.c.next_attempt_at <= now),
            and_(d.c.status == "sending", d.c.lease_until < now),
        )
        query = select(d).where(due).order_by(d.c.next_attempt_at).limit(limit)
        if self.counties is not None:
            query = query.where(d.c.county.in_(self.counties))
        with writing(self.engine) as tx:
            if tx.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(tx.execute(query))
            if rows:
                ids = [r.delivery_id for r in rows]
                tx.execute(
                    update(d)
                    .where(d.c.delivery_id.in_(ids))
                    .values(
                        status="sending", attempts=d.c.attempts + 1, lease_until=now + self.lease
                    )
                )
        return rows

    async def deliver(self, row: Any, prepared: tuple[Outgoing, Any] | Exception) -> None:
        """Send one delivery and keep its outcome for the next flush; never raises."""
        try:
            if isinstance(prepared, Exception):
                raise prepared
            channel = self.channels.get(row.channel)
            if channel is None:
                raise SendFailed(f"no channel {row.channel!r} in this service", permanent=True)
            await asyncio.wait_for(channel.send(*prepared), self.send_timeout)
            outcome = Outcome(True)
        except SendFailed as exc:
            outcome = Outcome(False, str(exc), exc.permanent)
        except MissingSecret as exc:
            outcome = Outcome(False, str(exc), permanent=True)
        except (NoAddress, TimeoutError) as exc:
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a template error, a bug: recorded, never raised
            log.exception("notify: delivery %s failed", row.delivery_id)
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}")
        self.finished.append((row, outcome))

    def prepare_all(self, rows: list[Any]) -> dict[str, tuple[Outgoing, Any] | Exception]:
        """Each row's message and address (or why there is none), over one connection."""
        prepared: dict[str, tuple[Outgoing, Any] | Exception] = {}
        with self.engine.connect() as tx:
            for row in rows:
                try:
                    prepared[row.delivery_id] = self.prepare(row, tx)
                except Exception as exc:
                    prepared[row.delivery_id] = exc
        return prepared

    def prepare(self, row: Any, tx: Connection | None = None) -> tuple[Outgoing, Any]:
        """The rendered message and the address, resolved now."""
        context = json.loads(row.context)
        address = self.addresses.address(row.county, row.recipient, row.channel, tx)
        message = self.render(row.kind, row.language, context)
        outgoing = Outgoing(row.delivery_id, row.kind, row.county, row.recipient, message, context)
        return outgoing, address

    def render(self, kind: str, language: str, context: dict[str, Any]) -> Message:
        if kind == "digest":
            return self.renderer.render_digest(language, context["day"], context["items"])
        return self.renderer.render(kind, language, context)

    def record_all(self, batch: list[tuple[Any, Outcome]]) -> None:
        """Outcomes of attempts, each unless its row was taken over meanwhile."""
        if not batch:
            return
        now = self.clock()
        d = deliveries
        with writing(self.engine) as tx:
            for row, outcome in batch:
                attempts = row.attempts + 1
                tx.execute(
                    update(d)
                    .where(
                        d.c.delivery_id == row.delivery_id,
                        d.c.status == "sending",
                        d.c.attempts == attempts,
                    )
                    .values(lease_until=None, **self.values(row, outcome, attempts, now))
                )

    def values(self, row: Any, outcome: Outcome, attempts: int, now: datetime) -> dict[str, Any]:
        """What an attempt's outcome changes in its row (a retry waits out quiet hours)."""
        if outcome.sent:
            return {"status": "sent", "sent_at": now, "last_error": None}
        reason = outcome.reason[:500]
        if outcome.permanent or attempts >= self.policy.max_attempts:
            return {"status": "failed", "last_error": reason}
        config = self.addresses.config_for(row.county)
        later = defer_past_quiet(now + self.policy.delay(attempts), config.quiet, config.zone)
        return {"status": "pending", "last_error": reason, "next_attempt_at": later}
