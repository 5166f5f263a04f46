"""Commands over NATS request-reply: ``cmd.<county>.<context>.<CommandName>``.

A service registers one handler per command on its faststream broker; the bus parses and
validates the command, runs the handler in a span that continues the caller's trace, and
turns the outcome into a :class:`~contracts.replies.CommandReply`. Clients (the CLI, other
programs) send with :class:`CommandClient`, which speaks plain nats-py.

A command carries its id in ``ce-id``; a retried command with the same id writes nothing
new: :func:`execute` finds the events it already wrote and replies with them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import nats.errors
from faststream.nats import NatsBroker, NatsMessage
from nats.aio.client import Client
from pydantic import ValidationError

from contracts import Command, Contract, Envelope, Event
from contracts.replies import (
    CommandError,
    CommandReply,
    DomainError,
    ErrorCode,
    FieldError,
    WrittenEvent,
)
from eventlog import telemetry
from eventlog.store import AppendFailed, AppendResult, Conflict, EventStore
from eventlog.subjects import AggregateRef, InvalidSubjectToken, command_subject, token

__all__ = [
    "CommandBus",
    "CommandClient",
    "CommandMeta",
    "Decider",
    "execute",
]

log = logging.getLogger(__name__)

S = TypeVar("S")
C = TypeVar("C", bound=Command)
Handler = Callable[[C, "CommandMeta"], Awaitable[AppendResult | Sequence[AppendResult]]]


@dataclass(frozen=True)
class CommandMeta:
    """Who sent a command, for which county, and under which ids."""

    county: str
    command_id: str
    correlation_id: str
    actor: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class Decider(Generic[S]):
    """How an aggregate's state is folded from its events (the pure half of the domain)."""

    initial: Callable[[], S]
    evolve: Callable[[S, Contract], S]

    def fold(self, events: Sequence[Contract]) -> S:
        """The state after ``events``."""
        state = self.initial()
        for event in events:
            state = self.evolve(state, event)
        return state


async def execute(
    store: EventStore,
    ref: AggregateRef,
    decider: Decider[S],
    decide: Callable[[S], Sequence[Event]],
    meta: CommandMeta,
    *,
    attempts: int = 3,
) -> AppendResult:
    """Load → decide → append, retried on a concurrent write; idempotent per command id."""
    for attempt in range(1, attempts + 1):
        stored, version = await store.load(ref)
        mine = [e for e in stored if e.command_id == meta.command_id]
        if mine:
            return AppendResult(
                ref,
                tuple(e.sequence for e in mine),
                tuple(e.id for e in mine),
                tuple(e.event for e in mine),
                duplicate=True,
            )
        state = decider.fold([e.event for e in stored])
        events = decide(state)
        try:
            return await store.append(
                ref,
                events,
                version,
                command_id=meta.command_id,
                correlation_id=meta.correlation_id,
                now=meta.received_at,
            )
        except Conflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


class CommandBus:
    """Registers command handlers of one context on a faststream broker."""

    def __init__(self, broker: NatsBroker, context: str) -> None:
        self.broker = broker
        self.context = context
        self.commands: dict[str, type[Command]] = {}

    def handler(self, command: type[C]) -> Callable[[Handler[C]], Handler[C]]:
        """Decorator: ``@bus.handler(RegisterSchool)`` over ``async def f(cmd, meta)``."""

        def register(fn: Handler[C]) -> Handler[C]:
            self.register(command, fn)
            return fn

        return register

    def register(self, command: type[C], fn: Handler[C]) -> None:
        """Answer ``cmd.*.<context>.<Command>`` with ``fn``."""
        if command.context != self.context:
            raise ValueError(f"{command.wire_type()} is not a {self.context} command")
        self.commands[command.wire_type()] = command
        subject = f"cmd.*.{self.context}.{command.name}"

        async def on_command(msg: NatsMessage) -> CommandReply:
            return await dispatch(command, fn, msg.raw_message.subject, msg.headers, msg.body)

        on_command.__name__ = f"handle_{command.name}"
        self.broker.subscriber(
            subject,
            queue=f"cmd-{self.context}",
            title=f"{subject}:{command.name}",
            description=(fn.__doc__ or command.__doc__ or "").strip(),
        )(on_command)


async def dispatch(
    command: type[C],
    fn: Handler[C],
    subject: str,
    headers: dict[str, Any] | None,
    body: bytes,
) -> CommandReply:
    """Validate one command message, run its handler, and build the reply."""
    headers = dict(headers or {})
    command_id = headers.get("ce-id") or ""
    meta_or_error = _meta(command, subject, headers, command_id)
    if isinstance(meta_or_error, CommandError):
        return CommandReply(ok=False, command_id=command_id, error=meta_or_error)
    meta = meta_or_error
    with telemetry.span(
        f"command {command.wire_type()}",
        {"yanpei.command_id": command_id, "yanpei.county": meta.county},
        parent=headers,
    ):
        try:
            cmd = command.model_validate_json(body)
            result = await fn(cmd, meta)
        except ValidationError as exc:
            return _reply_error(command_id, ErrorCode.VALIDATION, _field_errors(exc))
        except DomainError as exc:
            return CommandReply(ok=False, command_id=command_id, error=exc.to_error())
        except Conflict as exc:
            return _reply_error(command_id, ErrorCode.CONFLICT, [], f"{exc}; try again")
        except AppendFailed as exc:
            return _reply_error(
                command_id, ErrorCode.UNAVAILABLE, [], f"{exc}; nothing was written"
            )
        except Exception:
            log.exception("command %s %s failed", command.wire_type(), command_id)
            return _reply_error(
                command_id, ErrorCode.INTERNAL, [], "internal error; nothing was written"
            )
    return _reply_ok(command_id, result)


def _meta(
    command: type[Command], subject: str, headers: dict[str, Any], command_id: str
) -> CommandMeta | CommandError:
    if not command_id:
        return CommandError(
            code=ErrorCode.VALIDATION,
            message="a command needs an id in the ce-id header",
            fields=[FieldError(loc="headers.ce-id", message="missing", type="missing")],
        )
    sent_type = headers.get("ce-type")
    if sent_type and sent_type != command.wire_type():
        return CommandError(
            code=ErrorCode.VALIDATION,
            message=f"this subject takes {command.wire_type()}, not {sent_type}",
            fields=[FieldError(loc="headers.ce-type", message="wrong type", type="type")],
        )
    try:
        county = token(subject.split(".")[1], "county")
    except (IndexError, InvalidSubjectToken) as exc:
        return CommandError(code=ErrorCode.VALIDATION, message=str(exc))
    return CommandMeta(
        county=county,
        command_id=command_id,
        correlation_id=headers.get("ce-correlationid") or command_id,
        actor=headers.get("yanpei-actor"),
        received_at=datetime.now(UTC),
    )


def _reply_ok(command_id: str, result: AppendResult | Sequence[AppendResult]) -> CommandReply:
    results = [result] if isinstance(result, AppendResult) else list(result)
    written = [
        WrittenEvent(
            id=event_id,
            type=event.wire_type(),
            subject=r.ref.subject(event.name),
            sequence=seq,
            data=event.model_dump(mode="json"),
        )
        for r in results
        for event_id, event, seq in zip(r.event_ids, r.events, r.sequences, strict=True)
    ]
    return CommandReply(
        ok=True,
        command_id=command_id,
        events=written,
        version=results[-1].version if results else None,
        duplicate=bool(results) and all(r.duplicate for r in results),
    )


def _reply_error(
    command_id: str, code: ErrorCode, fields: list[FieldError], message: str | None = None
) -> CommandReply:
    if message is None:
        message = "; ".join(f"{f.loc}: {f.message}" for f in fields) or code.value
    return CommandReply(
        ok=False,
        command_id=command_id,
        error=CommandError(code=code, message=message, fields=fields),
    )


def _field_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(
            loc=".".join(str(p) for p in err["loc"]) or "(body)",
            message=err["msg"],
            type=err["type"],
        )
        for err in exc.errors(include_url=False)
    ]


class CommandClient:
    """Sends commands and waits for their replies (plain nats-py)."""

    def __init__(self, nc: Client, *, timeout: float = 10.0, actor: str | None = None) -> None:
        self.nc = nc
        self.timeout = timeout
        self.actor = actor

    async def send(
        self,
        county: str,
        command: Command,
        *,
        command_id: str | None = None,
        correlation_id: str | None = None,
        timeout: float | None = None,
    ) -> CommandReply:
        """Send ``command`` for ``county``; the reply says what was written or why not.

        Re-sending with the same ``command_id`` is always safe.
        """
        command_id = command_id or str(uuid.uuid4())
        subject = command_subject(county, command.context, command.name)
        envelope = Envelope(
            id=command_id,
            source=f"/yanpei/{county}/clients",
            type=command.wire_type(),
            time=datetime.now(UTC),
            correlation_id=correlation_id or command_id,
        )
        headers = envelope.to_headers()
        headers.update(telemetry.current_trace_headers())
        if self.actor:
            headers["yanpei-actor"] = self.actor
        try:
            msg = await self.nc.request(
                subject,
                command.model_dump_json().encode(),
                timeout=timeout or self.timeout,
                headers=headers,
            )
        except nats.errors.NoRespondersError:
            return _reply_error(
                command_id, ErrorCode.UNAVAILABLE, [], f"no service answers {subject}"
            )
        except nats.errors.TimeoutError:
            return _reply_error(
                command_id,
                ErrorCode.UNAVAILABLE,
                [],
                f"no reply on {subject} in time; it may or may not have been handled: "
                "send it again with the same command id",
            )
        return CommandReply.model_validate_json(msg.data)
