"""Teachers' e-mail addresses from the registry's internal stream ``INT_REGISTRY`` (ADR 0005).

Read from notify's own position to the stream's end on every tick (an ordered consumer),
into ``notify_contacts``; an erasure deletes the row. Only the e-mail address is kept: it
is all notify sends to. The row remembers the stream sequence that wrote it, so reading
an event twice changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from nats.aio.client import Client
from nats.js.errors import NotFoundError
from sqlalchemy import Engine, delete, select

from contracts.registry.internal import TeacherContactErased, TeacherContactRecorded
from eventlog.database import writing
from eventlog.messages import StoredEvent
from eventlog.reader import last_sequence, read_batches
from services.notify.tables import contacts, positions, upsert

__all__ = ["CONTACT_STREAM", "sync_contacts"]

CONTACT_STREAM = "INT_REGISTRY"
CONTACT_SUBJECTS = "int.*.registry.contact.>"
_POSITION = f"contacts:{CONTACT_STREAM}"


def _position(engine: Engine) -> int:
    with engine.connect() as tx:
        query = select(positions.c.position).where(positions.c.name == _POSITION)
        return int(tx.execute(query).scalar() or 0)


def _apply(engine: Engine, batch: list[StoredEvent], counties: frozenset[str] | None) -> None:
    with writing(engine) as tx:
        for stored in batch:
            event = stored.event
            if counties is not None and getattr(event, "county_code", None) not in counties:
                continue
            if isinstance(event, TeacherContactRecorded):
                row = {
                    "teacher_id": event.teacher_id,
                    "county": event.county_code,
                    "email": event.email,
                    "sequence": stored.sequence,
                }
                upsert(tx, contacts, row, ["teacher_id"])
            elif isinstance(event, TeacherContactErased):
                tx.execute(delete(contacts).where(contacts.c.teacher_id == event.teacher_id))
        upsert(tx, positions, {"name": _POSITION, "position": batch[-1].sequence}, ["name"])


async def sync_contacts(nc: Client, engine: Engine, counties: Iterable[str] | None = None) -> int:
    """Apply the internal stream from notify's position to its end; returns events read."""
    chosen = frozenset(counties) if counties else None
    try:
        end = await last_sequence(nc, CONTACT_STREAM)
    except NotFoundError:
        return 0  # the registry has not declared it yet
    start = await asyncio.to_thread(_position, engine) + 1
    read = 0
    async for batch in read_batches(
        nc, CONTACT_STREAM, start=start, end=end, subject_filter=CONTACT_SUBJECTS
    ):
        await asyncio.to_thread(_apply, engine, batch, chosen)
        read += len(batch)
    return read
