"""What activities knows of the registry, learnt only from its public events.

Schools (stage), teachers' assignments and roles over time, and community memberships with
their effective dates, so an activity is judged by the registry as it stood on its date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite

from contracts.registry import v1 as reg
from eventlog.messages import StoredEvent
from eventlog.projection import Projection

__all__ = ["RegistryFacts"]

Writer = Callable[[Connection, Mapping[str, Table], Any, int], None]


def upsert(tx: Connection, table: Table, row: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert ``row`` or update it in place (idempotent)."""
    insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(**row)
    changes = {k: v for k, v in row.items() if k not in keys}
    if changes:
        tx.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))
    else:
        tx.execute(stmt.on_conflict_do_nothing())


def _school(tx: Connection, t: Mapping[str, Table], e: Any, seq: int) -> None:
    row = {"school_id": e.school_id, "county": e.county_code, "stage": str(e.stage)}
    upsert(tx, t["schools"], {**row, "school_name": e.school_name}, ["school_id"])


def _stage(
    tx: Connection, t: Mapping[str, Table], e: reg.SchoolAttributesChanged, seq: int
) -> None:
    if e.stage is not None:
        table = t["schools"]
        tx.execute(
            table.update().where(table.c.school_id == e.school_id).values(stage=str(e.stage))
        )


def _assigned(tx: Connection, t: Mapping[str, Table], e: Any, seq: int) -> None:
    row = {"teacher_id": e.teacher_id, "seq": seq, "effective_on": e.effective_on}
    upsert(
        tx,
        t["assignments"],
        {**row, "school_id": e.school_id, "county": e.county_code},
        ["teacher_id", "seq"],
    )
    for role in e.roles:
        _role_row(tx, t, e.teacher_id, str(role), e.effective_on, True, seq)


def _transferred(
    tx: Connection, t: Mapping[str, Table], e: reg.TeacherTransferred, seq: int
) -> None:
    row = {"teacher_id": e.teacher_id, "seq": seq, "effective_on": e.effective_on}
    upsert(
        tx,
        t["assignments"],
        {**row, "school_id": e.to_school_id, "county": e.to_county},
        ["teacher_id", "seq"],
    )


def _retired(tx: Connection, t: Mapping[str, Table], e: reg.TeacherRetired, seq: int) -> None:
    # From the first day of retirement the teacher is at no school: an assignment to none.
    row = {"teacher_id": e.teacher_id, "seq": seq, "effective_on": e.effective_on}
    upsert(
        tx,
        t["assignments"],
        {**row, "school_id": None, "county": e.county_code},
        ["teacher_id", "seq"],
    )


def _role_row(
    tx: Connection,
    t: Mapping[str, Table],
    teacher: str,
    role: str,
    on: Any,
    granted: bool,
    seq: int,
) -> None:
    row = {"teacher_id": teacher, "seq": seq, "role": role, "effective_on": on, "granted": granted}
    upsert(tx, t["roles"], row, ["teacher_id", "seq", "role"])


def _joined(tx: Connection, t: Mapping[str, Table], e: reg.SchoolJoinedCommunity, seq: int) -> None:
    row = {
        "community_id": e.community_id,
        "school_id": e.school.school_id,
        "joined_on": e.effective_on,
    }
    upsert(
        tx, t["memberships"], {**row, "member_role": str(e.member_role), "left_on": None}, list(row)
    )


def _left(tx: Connection, t: Mapping[str, Table], e: reg.SchoolLeftCommunity, seq: int) -> None:
    m = t["memberships"]
    tx.execute(
        m.update()
        .where(m.c.community_id == e.community_id, m.c.school_id == e.school.school_id)
        .where(m.c.left_on.is_(None), m.c.joined_on < e.effective_on)
        .values(left_on=e.effective_on)
    )


def _formed(tx: Connection, t: Mapping[str, Table], e: reg.CommunityFormed, seq: int) -> None:
    row = {
        "community_id": e.community_id,
        "county": e.county_code,
        "community_name": e.community_name,
    }
    upsert(tx, t["communities"], row, ["community_id"])


_WRITERS: dict[type, Writer] = {
    reg.SchoolRegistered: _school,
    reg.SchoolAttributesChanged: _stage,
    reg.TeacherRegistered: _assigned,
    reg.TeacherTransferredIn: _assigned,
    reg.TeacherTransferred: _transferred,
    reg.TeacherRetired: _retired,
    reg.TeacherRoleGranted: lambda tx, t, e, s: _role_row(
        tx, t, e.teacher_id, str(e.role), e.effective_on, True, s
    ),
    reg.TeacherRoleRevoked: lambda tx, t, e, s: _role_row(
        tx, t, e.teacher_id, str(e.role), e.effective_on, False, s
    ),
    reg.CommunityFormed: _formed,
    reg.SchoolJoinedCommunity: _joined,
    reg.SchoolLeftCommunity: _left,
}


class RegistryFacts(Projection):
    """Schools, teacher assignments and roles, communities and memberships, over time."""

    name = "activities_registry_facts"
    contexts = ("registry",)

    def __init__(self, counties: Iterable[str] | None = None) -> None:
        super().__init__()
        self.counties = frozenset(counties) if counties else None

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        def table(name: str, *columns: Column[Any]) -> Table:
            return Table(f"act_reg_{name}{suffix}", metadata, *columns)

        s = String(64)
        return {
            "schools": table(
                "schools",
                Column("school_id", s, primary_key=True),
                Column("county", String(6)),
                Column("school_name", String(200)),
                Column("stage", String(30)),
            ),
            "assignments": table(
                "assignments",
                Column("teacher_id", s, primary_key=True),
                Column("seq", Integer, primary_key=True),
                Column("effective_on", Date),
                Column("school_id", s),
                Column("county", String(6)),
            ),
            "roles": table(
                "roles",
                Column("teacher_id", s, primary_key=True),
                Column("seq", Integer, primary_key=True),
                Column("role", String(40), primary_key=True),
                Column("effective_on", Date),
                Column("granted", Boolean),
            ),
            "communities": table(
                "communities",
                Column("community_id", s, primary_key=True),
                Column("county", String(6)),
                Column("community_name", String(200)),
            ),
            "memberships": table(
                "memberships",
                Column("community_id", s, primary_key=True),
                Column("school_id", s, primary_key=True),
                Column("joined_on", Date, primary_key=True),
                Column("left_on", Date, nullable=True),
                Column("member_role", String(20)),
            ),
        }

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        for stored in events:
            if self.counties is not None and stored.ref.county not in self.counties:
                continue
            writer = _WRITERS.get(type(stored.event))
            if writer is not None:
                writer(tx, tables, stored.event, stored.sequence)
