"""What notify knows of the registry and the activities, from their public events.

Current state only (not dated like the registry's own views): a notice goes to whoever is
at a school, leads a community or takes part in an activity when notify reads the event.
Written inside the planner's transaction, so planning sees every earlier event applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    MetaData,
    String,
    Table,
    Text,
    Time,
)

from contracts.activities import v1 as act
from contracts.registry import v1 as reg
from services.notify.tables import Tx, upsert

__all__ = ["ACTIVITY_ROW_EVENTS", "define_tables", "write"]

Tables = Mapping[str, Table]
Writer = Callable[[Tx, Tables, Any], None]


def define_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    """The directory's tables for one generation."""
    return {**_registry_tables(metadata, suffix), **_activity_tables(metadata, suffix)}


def _registry_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    s = String(64)
    # fmt: off
    return {
        "schools": Table(
            f"nt_schools{suffix}", metadata,
            Column("school_id", s, primary_key=True), Column("county", String(6), index=True),
            Column("school_name", String(200)), Column("stage", String(30)),
        ),
        "teachers": Table(
            f"nt_teachers{suffix}", metadata,
            Column("teacher_id", s, primary_key=True), Column("county", String(6), index=True),
            Column("teacher_name", String(60)), Column("school_id", s),
            Column("researcher", Boolean, nullable=False),
            Column("active", Boolean, nullable=False),
        ),
        "members": Table(
            f"nt_community_schools{suffix}", metadata,
            Column("community_id", s, primary_key=True), Column("school_id", s, primary_key=True),
            Column("member_role", String(20)),
        ),
    }
    # fmt: on


def _activity_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    s = String(64)
    # fmt: off
    return {
        "activities": Table(
            f"nt_activities{suffix}", metadata,
            Column("activity_id", s, primary_key=True), Column("county", String(6), index=True),
            Column("title", String(200)), Column("status", String(20)),
            Column("community_id", s), Column("school_id", s),
            Column("held_on", Date, index=True), Column("starts_at", Time),
            Column("ends_at", Time), Column("place", String(200)),
            Column("organiser_school_id", s), Column("target_school_ids", Text),
        ),
        "participants": Table(
            f"nt_participants{suffix}", metadata,
            Column("activity_id", s, primary_key=True), Column("teacher_id", s, primary_key=True),
            Column("school_id", s), Column("role", String(20)),
        ),
        "materials": Table(
            f"nt_materials{suffix}", metadata,
            Column("activity_id", s, primary_key=True), Column("teacher_id", s, primary_key=True),
            Column("material_kind", String(40), primary_key=True),
        ),
    }
    # fmt: on


def _school(tx: Tx, t: Tables, e: Any) -> None:
    row = {"school_id": e.school_id, "county": e.county_code, "school_name": e.school_name}
    upsert(tx, t["schools"], {**row, "stage": str(e.stage)}, ["school_id"])


def _update(table: str, key: str, **values: Callable[[Any], Any]) -> Writer:
    def write(tx: Tx, t: Tables, e: Any) -> None:
        tab = t[table]
        changes = {k: f(e) for k, f in values.items()}
        changes = {k: v for k, v in changes.items() if v is not None}
        if changes:
            tx.execute(tab.update().where(tab.c[key] == getattr(e, key)).values(**changes))

    return write


def _teacher(tx: Tx, t: Tables, e: Any) -> None:
    row = {
        "teacher_id": e.teacher_id,
        "county": e.county_code,
        "teacher_name": e.teacher_name,
        "school_id": e.school_id,
        "researcher": reg.TeacherRole.RESEARCHER in e.roles,
        "active": True,
    }
    upsert(tx, t["teachers"], row, ["teacher_id"])


def _transferred(tx: Tx, t: Tables, e: reg.TeacherTransferred) -> None:
    tab = t["teachers"]
    values: dict[str, Any] = {"school_id": e.to_school_id, "county": e.to_county}
    if reg.TeacherRole.RESEARCHER in e.roles_ended:
        values["researcher"] = False
    tx.execute(tab.update().where(tab.c.teacher_id == e.teacher_id).values(**values))


def _role(granted: bool) -> Writer:
    def write(tx: Tx, t: Tables, e: Any) -> None:
        if e.role == reg.TeacherRole.RESEARCHER:
            tab = t["teachers"]
            tx.execute(
                tab.update().where(tab.c.teacher_id == e.teacher_id).values(researcher=granted)
            )

    return write


def _joined(tx: Tx, t: Tables, e: reg.SchoolJoinedCommunity) -> None:
    row = {
        "community_id": e.community_id,
        "school_id": e.school.school_id,
        "member_role": str(e.member_role),
    }
    upsert(tx, t["members"], row, ["community_id", "school_id"])


def _left(tx: Tx, t: Tables, e: reg.SchoolLeftCommunity) -> None:
    tab = t["members"]
    tx.execute(
        tab.delete().where(
            tab.c.community_id == e.community_id, tab.c.school_id == e.school.school_id
        )
    )


def _requested(tx: Tx, t: Tables, e: act.ActivityRequested) -> None:
    row = {
        "activity_id": e.activity_id,
        "county": e.county_code,
        "title": e.title,
        "status": "requested",
        "community_id": e.community_id,
        "school_id": e.school_id,
        "held_on": e.proposed_on,
    }
    upsert(tx, t["activities"], row, ["activity_id"])


def _scheduled(tx: Tx, t: Tables, e: Any) -> None:
    tab = t["activities"]
    values = {
        "status": "scheduled",
        "held_on": e.held_on,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "place": e.place or e.online_link,
        "organiser_school_id": e.organiser_school_id,
        "target_school_ids": json.dumps(e.target_school_ids),
    }
    tx.execute(tab.update().where(tab.c.activity_id == e.activity_id).values(**values))


def _status(status: str) -> Writer:
    def write(tx: Tx, t: Tables, e: Any) -> None:
        tab = t["activities"]
        tx.execute(tab.update().where(tab.c.activity_id == e.activity_id).values(status=status))

    return write


def _participant(tx: Tx, t: Tables, e: act.ParticipantRegistered) -> None:
    row = {
        "activity_id": e.activity_id,
        "teacher_id": e.teacher_id,
        "school_id": e.school_id,
        "role": str(e.role),
    }
    upsert(tx, t["participants"], row, ["activity_id", "teacher_id"])


def _material(tx: Tx, t: Tables, e: act.MaterialSubmitted) -> None:
    row = {
        "activity_id": e.activity_id,
        "teacher_id": e.teacher_id or "",
        "material_kind": e.material_kind,
    }
    upsert(tx, t["materials"], row, ["activity_id", "teacher_id", "material_kind"])


WRITERS: dict[type, Writer] = {
    reg.SchoolRegistered: _school,
    reg.SchoolRenamed: _update("schools", "school_id", school_name=lambda e: e.school_name),
    reg.SchoolAttributesChanged: _update(
        "schools", "school_id", stage=lambda e: e.stage and str(e.stage)
    ),
    reg.TeacherRegistered: _teacher,
    reg.TeacherTransferredIn: _teacher,
    reg.TeacherDetailsChanged: _update(
        "teachers", "teacher_id", teacher_name=lambda e: e.teacher_name
    ),
    reg.TeacherTransferred: _transferred,
    reg.TeacherRoleGranted: _role(True),
    reg.TeacherRoleRevoked: _role(False),
    reg.TeacherRetired: _update("teachers", "teacher_id", active=lambda e: False),
    reg.SchoolJoinedCommunity: _joined,
    reg.SchoolLeftCommunity: _left,
    act.ActivityRequested: _requested,
    act.ActivityPlanReviewed: _update("activities", "activity_id", status=lambda e: str(e.outcome)),
    act.ActivityPlanResubmitted: _update("activities", "activity_id", status=lambda e: "requested"),
    act.ActivityScheduled: _scheduled,
    act.ActivityRescheduled: _scheduled,
    act.ActivityCancelled: _status("cancelled"),
    act.ActivityHeld: _status("held"),
    act.ActivityClosed: _status("closed"),
    act.ParticipantRegistered: _participant,
    act.MaterialSubmitted: _material,
}


ACTIVITY_ROW_EVENTS = frozenset(
    {
        act.ActivityRequested,
        act.ActivityPlanReviewed,
        act.ActivityPlanResubmitted,
        act.ActivityScheduled,
        act.ActivityRescheduled,
        act.ActivityCancelled,
        act.ActivityHeld,
        act.ActivityClosed,
    }
)
"""The events whose writers change an activity's row."""


def write(tx: Tx, tables: Tables, event: Any) -> None:
    """Apply one registry or activities event to the directory (others are ignored)."""
    writer = WRITERS.get(type(event))
    if writer is not None:
        writer(tx, tables, event)
