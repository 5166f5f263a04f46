"""The activities' read model: activities, participants, materials (one projection)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Date, Integer, MetaData, String, Table, Text, Time

from contracts.activities import v1
from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from services.activities.sql import upsert

__all__ = ["ActivityViews"]

Writer = Callable[[Connection, Mapping[str, Table], Any, StoredEvent], None]
_SCHEDULE = (
    "held_on",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "organiser_school_id",
    "scheduled_minutes",
)


def _activity(
    tx: Connection, t: Mapping[str, Table], e: Any, s: StoredEvent, **values: Any
) -> None:
    a = t["activities"]
    tx.execute(a.update().where(a.c.activity_id == e.activity_id).values(**values))


def _requested(
    tx: Connection, t: Mapping[str, Table], e: v1.ActivityRequested, s: StoredEvent
) -> None:
    row = {
        "activity_id": e.activity_id,
        "county": e.county_code,
        "kind": e.activity_kind,
        "level": str(e.activity_level),
        "title": e.title,
        "status": "requested",
        "community_id": e.community_id,
        "school_id": e.school_id,
        "stage": e.stage,
        "held_on": e.proposed_on,
        "source": "activity",
    }
    upsert(tx, t["activities"], row, ["activity_id"])


def _scheduled(tx: Connection, t: Mapping[str, Table], e: Any, s: StoredEvent) -> None:
    values = {k: getattr(e, k) for k in _SCHEDULE}
    _activity(
        tx,
        t,
        e,
        s,
        status="scheduled",
        community_id=e.community_id,
        target_school_ids=json.dumps(e.target_school_ids),
        **values,
    )


def _participant(
    tx: Connection, t: Mapping[str, Table], e: Any, s: StoredEvent, **values: Any
) -> None:
    p = t["participants"]
    tx.execute(
        p.update()
        .where(p.c.activity_id == e.activity_id, p.c.teacher_id == e.teacher_id)
        .values(**values)
    )


def _registered(
    tx: Connection, t: Mapping[str, Table], e: v1.ParticipantRegistered, s: StoredEvent
) -> None:
    row = {
        "activity_id": e.activity_id,
        "teacher_id": e.teacher_id,
        "county": e.county_code,
        "role": str(e.role),
        "school_id": e.school_id,
        "teacher_county": e.teacher_county,
        "attendance": None,
        "attended_minutes": 0,
        "result": None,
        "revision": 0,
    }
    upsert(tx, t["participants"], row, ["activity_id", "teacher_id"])


def _material(
    tx: Connection, t: Mapping[str, Table], e: v1.MaterialSubmitted, s: StoredEvent
) -> None:
    row = {
        "event_id": s.id,
        "activity_id": e.activity_id,
        "material_kind": e.material_kind,
        "title": e.title,
        "file_ref": e.file_ref,
        "sha256": e.sha256,
        "size_bytes": e.size_bytes,
        "teacher_id": e.teacher_id,
        "reflection_chars": e.reflection_chars,
        "submitted_by": e.submitted_by,
        "submitted_at": e.submitted_at.isoformat(),
    }
    upsert(tx, t["materials"], row, ["event_id"])


def _external(
    tx: Connection, t: Mapping[str, Table], r: v1.ParticipationRecord, s: StoredEvent
) -> None:
    row = {
        "activity_id": r.activity_id,
        "county": r.activity_county,
        "kind": r.activity_kind,
        "level": str(r.activity_level),
        "title": r.title,
        "status": "closed",
        "held_on": r.activity_date,
        "scheduled_minutes": r.scheduled_minutes,
        "source": "external",
    }
    upsert(tx, t["activities"], row, ["activity_id"])
    fields = {"teacher_id", "teacher_county", "school_id", "role"}
    registered = v1.ParticipantRegistered(
        activity_id=r.activity_id, county_code=r.activity_county, **r.model_dump(include=fields)
    )
    _registered(tx, t, registered, s)


def _recorded(
    tx: Connection, t: Mapping[str, Table], e: v1.ParticipationRecorded, s: StoredEvent
) -> None:
    r = e.record
    if r.source is v1.ParticipationSource.EXTERNAL:
        _external(tx, t, r, s)
    _participant(
        tx,
        t,
        r,
        s,
        school_id=r.school_id,
        teacher_county=r.teacher_county,
        attendance=str(r.attendance),
        attended_minutes=r.attended_minutes,
        result=r.result and str(r.result),
        revision=r.revision,
        record=r.model_dump_json(),
    )


_WRITERS: dict[type, Writer] = {
    v1.ActivityRequested: _requested,
    v1.ActivityPlanReviewed: lambda tx, t, e, s: _activity(
        tx,
        t,
        e,
        s,
        status={"approved": "approved", "returned": "returned"}.get(e.outcome, "rejected"),
    ),
    v1.ActivityPlanResubmitted: lambda tx, t, e, s: _activity(
        tx, t, e, s, status="requested", title=e.title
    ),
    v1.ActivityScheduled: _scheduled,
    v1.ActivityRescheduled: _scheduled,
    v1.ActivityCancelled: lambda tx, t, e, s: _activity(tx, t, e, s, status="cancelled"),
    v1.ActivityHeld: lambda tx, t, e, s: _activity(tx, t, e, s, status="held", held_on=e.held_on),
    v1.ActivityClosed: lambda tx, t, e, s: _activity(tx, t, e, s, status="closed"),
    v1.ParticipantRegistered: _registered,
    v1.AttendanceRecorded: lambda tx, t, e, s: _participant(
        tx, t, e, s, attendance=str(e.status), attended_minutes=e.attended_minutes
    ),
    v1.ParticipantAssessed: lambda tx, t, e, s: _participant(tx, t, e, s, result=str(e.result)),
    v1.MaterialSubmitted: _material,
    v1.ParticipationRecorded: _recorded,
}


def _activities(metadata: MetaData, suffix: str) -> Table:
    s = String(64)
    return Table(
        f"act_activities{suffix}",
        metadata,
        Column("activity_id", s, primary_key=True),
        Column("county", String(6), index=True),
        Column("kind", String(40)),
        Column("level", String(20)),
        Column("title", String(200)),
        Column("status", String(20)),
        Column("community_id", s, index=True),
        Column("school_id", s),
        Column("stage", String(30)),
        Column("held_on", Date, index=True),
        Column("starts_at", Time),
        Column("ends_at", Time),
        Column("place", String(200)),
        Column("online_link", String(200)),
        Column("organiser_school_id", s),
        Column("target_school_ids", Text),
        Column("scheduled_minutes", Integer),
        Column("source", String(10)),
    )


def _participants(metadata: MetaData, suffix: str) -> Table:
    s = String(64)
    return Table(
        f"act_participants{suffix}",
        metadata,
        Column("activity_id", s, primary_key=True),
        Column("teacher_id", s, primary_key=True, index=True),
        Column("county", String(6)),
        Column("role", String(20)),
        Column("school_id", s),
        Column("teacher_county", String(6)),
        Column("attendance", String(30)),
        Column("attended_minutes", Integer),
        Column("result", String(20)),
        Column("revision", Integer),
        Column("record", Text),
    )


def _materials(metadata: MetaData, suffix: str) -> Table:
    s = String(64)
    return Table(
        f"act_materials{suffix}",
        metadata,
        Column("event_id", s, primary_key=True),
        Column("activity_id", s, index=True),
        Column("material_kind", String(40)),
        Column("title", String(200)),
        Column("file_ref", String(200)),
        Column("sha256", String(64)),
        Column("size_bytes", Integer),
        Column("teacher_id", s),
        Column("reflection_chars", Integer),
        Column("submitted_by", String(200)),
        Column("submitted_at", String(40)),
    )


class ActivityViews(Projection):
    """Activities with their schedule and status, participants with attendance and results."""

    name = "activities_views"
    contexts = ("activities",)

    def __init__(self, counties: Iterable[str] | None = None) -> None:
        super().__init__()
        self.counties = frozenset(counties) if counties else None

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return {
            "activities": _activities(metadata, suffix),
            "participants": _participants(metadata, suffix),
            "materials": _materials(metadata, suffix),
        }

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        for stored in events:
            if self.counties is not None and stored.ref.county not in self.counties:
                continue
            writer = _WRITERS.get(type(stored.event))
            if writer is not None:
                writer(tx, tables, stored.event, stored)
