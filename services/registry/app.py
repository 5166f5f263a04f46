"""The registry service's composition root: its broker, command handlers and projections."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from contracts import Command
from contracts.registry import v1
from contracts.registry.internal import EraseTeacherContact, RecordTeacherContact
from contracts.replies import DomainError, ErrorCode
from eventlog.commandbus import CommandMeta
from eventlog.intake import CommandIntake
from eventlog.reader import last_sequence
from eventlog.service import Service
from eventlog.store import AppendResult, EventStore
from eventlog.streams import stream_name
from services.registry.contacts.book import ContactBook
from services.registry.contacts.stream import declare_contact_stream
from services.registry.handlers import communities, organisation, teachers
from services.registry.queries import RegistryReader
from services.registry.query_api import register_queries
from services.registry.views.projections import CommunityView, registry_views

NAME = "registry"
VIEW_WAIT_SECONDS = 10.0
COMMAND_WORKERS = 256
"""Commands an instance handles at once (see services.registry.intake)."""


class StepPending(DomainError):
    """A later step of a multi-aggregate command could not run yet; sending the same
    command again (same id) completes it without repeating the steps already done."""

    code = ErrorCode.UNAVAILABLE

    def __init__(self, why: str) -> None:
        super().__init__(f"{why}; the first steps are recorded: send the same command again")


class _Parts:
    """What the handlers need once the service has connected."""

    def __init__(self, service: Service, counties: Iterable[str] | None) -> None:
        self.service = service
        self.views = registry_views(counties)
        self.reader: RegistryReader | None = None
        self.contacts: ContactBook | None = None
        self.intake = CommandIntake(NAME, COMMAND_WORKERS)

    @property
    def store(self) -> EventStore:
        assert self.service.store is not None, "the service has not started"
        return self.service.store

    async def start(self, service: Service) -> None:
        assert service.nc is not None and service.engine is not None
        await declare_contact_stream(service.nc.jetstream(), service.stream_settings)
        self.reader = RegistryReader(service.engine, self.views)
        self.contacts = ContactBook(service.nc, self.store, service.engine)
        await asyncio.to_thread(self.contacts.setup)
        await self.intake.start(service.nc)

    def register(self, command: type[Command], fn: Callable[..., Any]) -> None:
        """Handle ``command`` with ``fn`` (listed in the service's health as the bus's are)."""
        self.service.bus.commands[command.wire_type()] = command
        self.intake.add(command, fn)

    def get_reader(self) -> RegistryReader:
        assert self.reader is not None, "the service has not started"
        return self.reader

    async def teacher_communities(self, teacher_id: str, county: str, day: date) -> list[str]:
        """The county's communities the teacher is in, read once the view has caught up."""
        await self._community_view_caught_up()
        return await asyncio.to_thread(
            self.get_reader().teacher_communities, teacher_id, county, day
        )

    async def _community_view_caught_up(self) -> None:
        assert self.service.nc is not None
        end = await last_sequence(self.service.nc, stream_name(NAME))
        runners = [r for r in self.service.runners if isinstance(r.projection, CommunityView)]
        if not runners:
            raise StepPending("this registry instance keeps no community view")
        runner = runners[0]
        deadline = time.monotonic() + VIEW_WAIT_SECONDS
        while time.monotonic() < deadline:
            generation = await asyncio.to_thread(runner.live_generation)
            if generation and await asyncio.to_thread(runner.position, generation, NAME) >= end:
                return
            await asyncio.sleep(0.02)
        raise StepPending("the community view did not catch up in time")


def _bind(parts: _Parts, fn: Callable[..., Any]) -> Callable[[Any, CommandMeta], Any]:
    async def handle(cmd: Any, meta: CommandMeta) -> AppendResult | list[AppendResult]:
        result: AppendResult | list[AppendResult] = await fn(parts.store, cmd, meta)
        return result

    handle.__doc__ = fn.__doc__
    return handle


def _register_commands(service: Service, parts: _Parts) -> None:
    for table in (organisation.HANDLERS, teachers.HANDLERS, communities.HANDLERS):
        for command, fn in table.items():
            parts.register(command, _bind(parts, fn))

    async def transfer(cmd: v1.TransferTeacher, meta: CommandMeta) -> list[AppendResult]:
        return await teachers.transfer_teacher(parts.store, cmd, meta, parts.teacher_communities)

    async def record_contact(cmd: RecordTeacherContact, meta: CommandMeta) -> AppendResult:
        assert parts.contacts is not None
        return await parts.contacts.record(cmd, meta)

    async def erase_contact(cmd: EraseTeacherContact, meta: CommandMeta) -> AppendResult:
        assert parts.contacts is not None
        return await parts.contacts.erase(cmd, meta)

    parts.register(v1.TransferTeacher, transfer)
    parts.register(RecordTeacherContact, record_contact)
    parts.register(EraseTeacherContact, erase_contact)


def build(*, nats_url: str, database_url: str, counties: Iterable[str] | None = None) -> Service:
    """The registry service, wired for the given NATS server and database.

    Args:
        nats_url: the NATS server.
        database_url: the projection database.
        counties: serve only these counties' views (default: every county on the stream).
    """
    service = Service(NAME, NAME, nats_url=nats_url, database_url=database_url)
    parts = _Parts(service, counties)
    service.projections.extend(parts.views)
    _register_commands(service, parts)
    register_queries(service.broker, parts.get_reader)
    service.on_start(parts.start)
    return service
