"""Recording and erasing contact data: the internal stream first, then the protected table.

Events go to ``int.<county>.registry.contact.<teacher>.<Event>`` with ``Nats-Msg-Id``
derived from the command id. A record equal to what is on file writes nothing, so
re-importing a roster never adds events. Replies never echo the data.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from contracts import Envelope, Event
from contracts.registry.internal import (
    EraseTeacherContact,
    RecordTeacherContact,
    TeacherContactErased,
    TeacherContactRecorded,
)
from eventlog.commandbus import CommandMeta
from eventlog.database import writing
from eventlog.messages import StoredEvent
from eventlog.reader import read_batches
from eventlog.store import AppendResult, EventStore, event_ids
from eventlog.subjects import AggregateRef
from services.registry.contacts import table
from services.registry.contacts.stream import CONTACT_STREAM, SUBJECTS, contact_subject
from services.registry.contacts.writer import GroupWriter
from services.registry.domain.rules import check, must_exist
from services.registry.domain.teacher_rules import TeacherIsHere
from services.registry.handlers.common import TEACHER, load_state

__all__ = ["ContactBook"]

_FIELDS = ("phone", "email", "national_id")


class ContactBook:
    """Keeps teachers' contact data on the internal stream and in the protected table."""

    def __init__(self, nc: Client, store: EventStore, engine: Engine) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.store = store
        self.engine = engine
        self.writer = GroupWriter(engine)

    def setup(self) -> None:
        """Create the protected table if needed."""
        table.metadata.create_all(self.engine)

    async def record(self, cmd: RecordTeacherContact, meta: CommandMeta) -> AppendResult:
        """Record a teacher's contact data, unless it is already on file."""
        values = cmd.model_dump(include=set(_FIELDS))
        if await self._on_record(meta.county, cmd.teacher_id) == values:
            ref = AggregateRef(meta.county, "registry", "contact", cmd.teacher_id)
            return AppendResult(ref, (), (), (), duplicate=True)
        ref = await self._teacher(cmd.teacher_id, meta)
        event = TeacherContactRecorded(county_code=meta.county, **cmd.model_dump())
        seq, duplicate = await self._publish(event, cmd.teacher_id, meta)
        row = table.row_of(cmd.teacher_id, meta.county, values, seq, datetime.now(UTC))
        await self.writer.write(row)
        return AppendResult(ref, (), (), (), duplicate=duplicate)

    async def _on_record(self, county: str, teacher_id: str) -> dict[str, Any] | None:
        """The contact data on the internal stream now (its last record; erasure purges)."""
        subject = contact_subject(county, teacher_id, TeacherContactRecorded.name)
        try:
            last = await self.js.get_last_msg(CONTACT_STREAM, subject, direct=True)
        except NotFoundError:
            return None
        data = json.loads(last.data or b"{}")
        return {f: data.get(f) for f in _FIELDS}

    async def erase(self, cmd: EraseTeacherContact, meta: CommandMeta) -> AppendResult:
        """Erase a teacher's contact data from the stream and the table."""
        ref = await self._teacher(cmd.teacher_id, meta, must_be_here=False)
        event = TeacherContactErased(county_code=meta.county, teacher_id=cmd.teacher_id)
        _, duplicate = await self._publish(event, cmd.teacher_id, meta)
        subject = contact_subject(meta.county, cmd.teacher_id, TeacherContactRecorded.name)
        await self.js.purge_stream(CONTACT_STREAM, subject=subject)
        await asyncio.to_thread(self._erase, cmd.teacher_id)
        return AppendResult(ref, (), (), (), duplicate=duplicate)

    async def rebuild(self) -> int:
        """Refill the protected table from the internal stream; return events applied."""
        await asyncio.to_thread(self.setup)
        applied = 0
        async for batch in read_batches(self.nc, CONTACT_STREAM, subject_filter=SUBJECTS):
            await asyncio.to_thread(self._apply_batch, batch)
            applied += len(batch)
        return applied

    async def _teacher(
        self, teacher_id: str, meta: CommandMeta, must_be_here: bool = True
    ) -> AggregateRef:
        state = await load_state(self.store, meta.county, TEACHER, teacher_id)
        must_exist(state.registered, f"teacher {teacher_id}", "teacher_id")
        if must_be_here:
            check(TeacherIsHere(state))
        return AggregateRef(meta.county, "registry", "contact", teacher_id)

    async def _publish(self, event: Event, teacher_id: str, meta: CommandMeta) -> tuple[int, bool]:
        (event_id,) = event_ids(meta.command_id, 1)
        envelope = Envelope(
            id=event_id,
            source=f"/yanpei/{meta.county}/registry",
            type=event.wire_type(),
            subject=f"contact/{teacher_id}",
            time=datetime.now(UTC),
            correlation_id=meta.correlation_id,
            causation_id=meta.command_id,
            command_id=meta.command_id,
        )
        headers = envelope.to_headers() | {"Nats-Msg-Id": event_id}
        subject = contact_subject(meta.county, teacher_id, event.name)
        ack = await self.js.publish(subject, event.model_dump_json().encode(), headers=headers)
        return ack.seq, bool(ack.duplicate)

    def _erase(self, teacher_id: str) -> None:
        with writing(self.engine) as tx:
            table.erase_row(tx, teacher_id)

    def _apply_batch(self, batch: list[StoredEvent]) -> None:
        with writing(self.engine) as tx:
            for stored in batch:
                data = json.loads(stored.data)
                county = stored.subject.split(".")[1]
                if isinstance(stored.event, TeacherContactErased):
                    table.erase_row(tx, data["teacher_id"])
                elif isinstance(stored.event, TeacherContactRecorded):
                    row = table.row_of(
                        data["teacher_id"], county, data, stored.sequence, stored.time
                    )
                    table.upsert_contacts(tx, [row])
