"""Sending an import's commands: many at once, one aggregate's commands in order.

Rows become commands grouped by the aggregate they change; groups run concurrently
(``concurrency`` in flight), each group's commands one after the other, sheet after sheet
(counties before schools before teachers...). Command ids derive from the county, the
command type and its content, so sending the same file again is answered ``duplicate``
and writes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from contracts.replies import CommandReply, ErrorCode
from eventlog.commandbus import CommandClient
from services.registry.importing.planning import Planned
from services.registry.importing.reading import RowError

__all__ = ["Outcome", "command_id", "send_all"]

Progress = Callable[[int, int], None]
_IMPORT_NS = uuid.UUID("3b0f6a52-8d4e-4c1b-a7a2-5e9d0c6b1f84")
_RETRIES = 3


def command_id(planned: Planned) -> str:
    """The same row in the same county always gets the same command id."""
    command = planned.command
    key = f"{planned.county}/{command.wire_type()}/{command.model_dump_json()}"
    return str(uuid.uuid5(_IMPORT_NS, key))


@dataclass
class Outcome:
    """What sending did: commands accepted (``events`` public events written), commands
    already handled before (``unchanged``: a re-import), and refusals."""

    written: int = 0
    unchanged: int = 0
    events: int = 0
    refused: list[RowError] = field(default_factory=list)


async def _send(client: CommandClient, planned: Planned) -> CommandReply:
    reply = await client.send(planned.county, planned.command, command_id=command_id(planned))
    for _ in range(_RETRIES):  # a timed-out command may be sent again: same id, same effect
        if reply.ok or reply.error is None or reply.error.code != ErrorCode.UNAVAILABLE:
            break
        reply = await client.send(planned.county, planned.command, command_id=command_id(planned))
    return reply


def _record(outcome: Outcome, planned: Planned, reply: CommandReply) -> bool:
    if reply.ok:
        if reply.duplicate:
            outcome.unchanged += 1
        else:
            outcome.written += 1
            outcome.events += len(reply.events)
        return True
    error = reply.error
    assert error is not None
    loc = error.fields[0].loc.split(".")[0] if error.fields else "-"
    column = planned.columns.get(loc, loc)
    outcome.refused.append(RowError(planned.sheet, planned.row, column, error.message))
    return False


async def _run_group(
    client: CommandClient, group: list[Planned], outcome: Outcome, tick: Callable[[], None]
) -> None:
    failed_rows: set[int] = set()
    for planned in group:
        if planned.row not in failed_rows and not _record(
            outcome, planned, await _send(client, planned)
        ):
            failed_rows.add(planned.row)
        tick()


async def _run_phase(
    client: CommandClient,
    planned: list[Planned],
    concurrency: int,
    outcome: Outcome,
    tick: Callable[[], None],
) -> None:
    groups: dict[str, list[Planned]] = {}
    for p in planned:
        groups.setdefault(p.group, []).append(p)
    queue: asyncio.Queue[list[Planned]] = asyncio.Queue()
    for group in groups.values():
        queue.put_nowait(group)

    async def worker() -> None:
        while not queue.empty():
            await _run_group(client, queue.get_nowait(), outcome, tick)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(groups)))))


async def send_all(
    client: CommandClient,
    planned: list[Planned],
    *,
    concurrency: int = 200,
    progress: Progress | None = None,
) -> Outcome:
    """Send every planned command; sheets in order, aggregates concurrently."""
    outcome = Outcome()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(planned))

    for _, phase in groupby(planned, key=lambda p: p.sheet):
        await _run_phase(client, list(phase), concurrency, outcome, tick)
    return outcome
