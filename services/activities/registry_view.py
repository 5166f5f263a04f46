"""What activities knows of the registry, learnt only from its public events.

Schools (stage), teachers' assignments, stages, roles and availability (on leave, retired)
over time, communities (formed, dissolved) and the memberships of schools and teachers
with their effective dates, so an activity is judged by the registry as it stood on its
date. Tables: :mod:`services.activities.registry_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, MetaData, Table

from contracts.registry import v1 as reg
from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from services.activities.domain.rules import ACTIVE, ON_LEAVE, RETIRED
from services.activities.registry_tables import registry_tables
from services.activities.sql import upsert

__all__ = ["RegistryFacts"]

Tables = Mapping[str, Table]
Writer = Callable[[Connection, Tables, Any, int], None]


def _school(tx: Connection, t: Tables, e: reg.SchoolRegistered, seq: int) -> None:
    row = {"school_id": e.school_id, "county": e.county_code, "stage": str(e.stage)}
    upsert(tx, t["schools"], {**row, "school_name": e.school_name}, ["school_id"])


def _school_stage(tx: Connection, t: Tables, e: reg.SchoolAttributesChanged, seq: int) -> None:
    if e.stage is not None:
        table = t["schools"]
        tx.execute(
            table.update().where(table.c.school_id == e.school_id).values(stage=str(e.stage))
        )


def _timeline(tx: Connection, t: Tables, name: str, e: Any, seq: int, **values: Any) -> None:
    row = {"teacher_id": e.teacher_id, "seq": seq, "effective_on": e.effective_on}
    upsert(tx, t[name], {**row, **values}, ["teacher_id", "seq"])


def _role_row(tx: Connection, t: Tables, e: Any, role: str, granted: bool, seq: int) -> None:
    row = {"teacher_id": e.teacher_id, "seq": seq, "role": role, "effective_on": e.effective_on}
    upsert(tx, t["roles"], {**row, "granted": granted}, ["teacher_id", "seq", "role"])


def _arrived(
    tx: Connection, t: Tables, e: reg.TeacherRegistered | reg.TeacherTransferredIn, seq: int
) -> None:
    _timeline(tx, t, "assignments", e, seq, school_id=e.school_id, county=e.county_code)
    _timeline(tx, t, "stages", e, seq, stage=str(e.stage))
    _timeline(tx, t, "statuses", e, seq, status=ACTIVE, detail=None)
    for role in e.roles:
        _role_row(tx, t, e, str(role), True, seq)


def _transferred(tx: Connection, t: Tables, e: reg.TeacherTransferred, seq: int) -> None:
    _timeline(tx, t, "assignments", e, seq, school_id=e.to_school_id, county=e.to_county)
    for role in e.roles_ended:
        _role_row(tx, t, e, str(role), False, seq)


def _details(tx: Connection, t: Tables, e: reg.TeacherDetailsChanged, seq: int) -> None:
    if e.stage is not None:
        _timeline(tx, t, "stages", e, seq, stage=str(e.stage))


def _community_formed(tx: Connection, t: Tables, e: reg.CommunityFormed, seq: int) -> None:
    row = {"community_id": e.community_id, "county": e.county_code}
    values = {"community_name": e.community_name, "formed_on": e.effective_on}
    upsert(tx, t["communities"], {**row, **values}, ["community_id"])


def _community_dissolved(tx: Connection, t: Tables, e: reg.CommunityDissolved, seq: int) -> None:
    c = t["communities"]
    tx.execute(
        c.update().where(c.c.community_id == e.community_id).values(dissolved_on=e.effective_on)
    )


def _joined(tx: Connection, t: Tables, table: str, member: tuple[str, str], e: Any) -> None:
    key = {"community_id": e.community_id, member[0]: member[1], "joined_on": e.effective_on}
    row = {**key, "member_role": str(e.member_role), "left_on": None}
    upsert(tx, t[table], row, list(key))


def _left(tx: Connection, t: Tables, table: str, member: tuple[str, str], e: Any) -> None:
    m = t[table]
    tx.execute(
        m.update()
        .where(m.c.community_id == e.community_id, m.c[member[0]] == member[1])
        .where(m.c.left_on.is_(None), m.c.joined_on < e.effective_on)
        .values(left_on=e.effective_on)
    )


def _school_member(e: Any) -> tuple[str, str]:
    return "school_id", e.school.school_id


def _teacher_member(e: Any) -> tuple[str, str]:
    return "teacher_id", e.teacher_id


def _status(status: str) -> Writer:
    def write(tx: Connection, t: Tables, e: Any, seq: int) -> None:
        detail = str(e.leave_kind) if status == ON_LEAVE else None
        _timeline(tx, t, "statuses", e, seq, status=status, detail=detail)

    return write


_WRITERS: dict[type, Writer] = {
    reg.SchoolRegistered: _school,
    reg.SchoolAttributesChanged: _school_stage,
    reg.TeacherRegistered: _arrived,
    reg.TeacherTransferredIn: _arrived,
    reg.TeacherTransferred: _transferred,
    reg.TeacherDetailsChanged: _details,
    reg.TeacherLeaveStarted: _status(ON_LEAVE),
    reg.TeacherLeaveEnded: _status(ACTIVE),
    reg.TeacherRetired: _status(RETIRED),
    reg.TeacherRoleGranted: lambda tx, t, e, s: _role_row(tx, t, e, str(e.role), True, s),
    reg.TeacherRoleRevoked: lambda tx, t, e, s: _role_row(tx, t, e, str(e.role), False, s),
    reg.CommunityFormed: _community_formed,
    reg.CommunityDissolved: _community_dissolved,
    reg.SchoolJoinedCommunity: lambda tx, t, e, s: _joined(
        tx, t, "memberships", _school_member(e), e
    ),
    reg.SchoolLeftCommunity: lambda tx, t, e, s: _left(tx, t, "memberships", _school_member(e), e),
    reg.TeacherJoinedCommunity: lambda tx, t, e, s: _joined(
        tx, t, "teacher_memberships", _teacher_member(e), e
    ),
    reg.TeacherLeftCommunity: lambda tx, t, e, s: _left(
        tx, t, "teacher_memberships", _teacher_member(e), e
    ),
}


class RegistryFacts(Projection):
    """Schools, teachers over time, communities and memberships of schools and teachers."""

    name = "activities_registry_facts"
    contexts = ("registry",)

    def __init__(self, counties: Iterable[str] | None = None) -> None:
        super().__init__()
        self.counties = frozenset(counties) if counties else None

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return registry_tables(metadata, suffix)

    def apply(self, tx: Connection, tables: Tables, events: Sequence[StoredEvent]) -> None:
        for stored in events:
            if self.counties is not None and stored.ref.county not in self.counties:
                continue
            writer = _WRITERS.get(type(stored.event))
            if writer is not None:
                writer(tx, tables, stored.event, stored.sequence)
