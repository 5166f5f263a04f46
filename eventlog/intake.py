"""Command intake with plain nats-py: many commands in flight at once.

:class:`~eventlog.commandbus.CommandBus` answers through faststream, one command at a time
per subscriber; a bulk import or a semester's activities send hundreds at once, and
faststream's per-message work costs more than the command itself (registry import ~170
commands/s, activities ~23/s through it). :class:`CommandIntake` subscribes with nats-py (a
queue group per context, as the bus does), hands each message to
:func:`eventlog.commandbus.dispatch` (the same validation, span, errors and replies) in a task
of its own, ``workers`` at a time. Commands on one aggregate stay safe: every append is
checked against the aggregate's version (ADR 0006).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts import Command
from eventlog.commandbus import dispatch
from eventlog.scope import current_county

__all__ = ["CommandIntake"]

log = logging.getLogger(__name__)


class CommandIntake:
    """The command subscriptions of one context."""

    def __init__(self, context: str, workers: int) -> None:
        self.context = context
        self.workers = workers
        self.routes: list[tuple[type[Command], Callable[..., Any]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None

    def add(self, command: type[Command], fn: Callable[..., Any]) -> None:
        """Answer ``cmd.<county>.<context>.<Command>`` with ``fn(command, meta)``.

        Every county's commands, or only the scoped county's (:mod:`eventlog.scope`).
        """
        self.routes.append((command, fn))

    async def start(self, nc: Client) -> None:
        """Subscribe every route on ``nc``."""
        self._slots = asyncio.Semaphore(self.workers)
        county = current_county()
        queue = f"cmd-{self.context}" + (f"-{county}" if county else "")
        for command, fn in self.routes:
            await nc.subscribe(
                f"cmd.{county or '*'}.{self.context}.{command.name}",
                queue=queue,
                cb=self._receiver(command, fn),
                pending_msgs_limit=100_000,
            )
        await nc.flush()

    def _receiver(self, command: type[Command], fn: Callable[..., Any]) -> Callable[[Msg], Any]:
        async def receive(msg: Msg) -> None:
            task = asyncio.create_task(self._handle(command, fn, msg))
            self._tasks.add(task)
            task.add_done_callback(self._done)

        return receive

    async def _handle(self, command: type[Command], fn: Callable[..., Any], msg: Msg) -> None:
        assert self._slots is not None
        async with self._slots:
            reply = await dispatch(command, fn, msg.subject, msg.headers, msg.data)
        if msg.reply:
            await msg.respond(reply.model_dump_json().encode())

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The reply could not be sent (the connection is closing): the caller times out
            # and may send the command again with the same id, which is safe.
            log.warning("a command reply was lost: %r", task.exception())
