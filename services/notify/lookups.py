"""Look-ups over notify's directory, inside the planner's or the ticker's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, select

from services.notify.directory import ACTIVITY_ROW_EVENTS
from services.notify.tables import Tx

__all__ = ["Directory"]

Tables = Mapping[str, Table]


@cache
def _by(table: Table, column: str, order: str | None = None) -> Any:
    """``SELECT * FROM table WHERE column = :key`` (built once per table)."""
    query = select(table).where(table.c[column] == bindparam("key"))
    return query.order_by(table.c[order]) if order else query


class Directory:
    """Look-ups over the directory inside one transaction."""

    def __init__(self, tx: Tx, tables: Tables) -> None:
        self.tx = tx
        self.t = tables
        self.known: dict[str, Any] = {}

    def activity(self, activity_id: str) -> Any | None:
        """The activity's row, remembered until an event changes it (see ``forget``)."""
        if activity_id not in self.known:
            query = _by(self.t["activities"], "activity_id")
            self.known[activity_id] = self.tx.execute(query, {"key": activity_id}).first()
        return self.known[activity_id]

    def forget(self, event: Any) -> None:
        """Drop a remembered activity row that ``event`` changes."""
        if type(event) in ACTIVITY_ROW_EVENTS:
            self.known.pop(event.activity_id, None)

    def participants(self, activity_id: str) -> list[Any]:
        query = _by(self.t["participants"], "activity_id", "teacher_id")
        return list(self.tx.execute(query, {"key": activity_id}))

    def lead_school(self, community_id: str) -> str | None:
        tab = self.t["members"]
        query = select(tab.c.school_id).where(
            tab.c.community_id == community_id, tab.c.member_role == "lead"
        )
        return self.tx.execute(query).scalar()

    def is_school(self, school_id: str) -> bool:
        tab = self.t["schools"]
        return (
            self.tx.execute(select(tab.c.school_id).where(tab.c.school_id == school_id)).first()
            is not None
        )

    def is_teacher(self, teacher_id: str) -> bool:
        tab = self.t["teachers"]
        return (
            self.tx.execute(select(tab.c.teacher_id).where(tab.c.teacher_id == teacher_id)).first()
            is not None
        )

    def school_name(self, school_id: str) -> str:
        tab = self.t["schools"]
        name = self.tx.execute(
            select(tab.c.school_name).where(tab.c.school_id == school_id)
        ).scalar()
        return str(name or school_id)

    def teacher_name(self, teacher_id: str) -> str:
        tab = self.t["teachers"]
        name = self.tx.execute(
            select(tab.c.teacher_name).where(tab.c.teacher_id == teacher_id)
        ).scalar()
        return str(name or teacher_id)

    def schools(self, county: str, stage: str | None = None) -> list[str]:
        tab = self.t["schools"]
        query = select(tab.c.school_id).where(tab.c.county == county)
        if stage is not None:
            query = query.where(tab.c.stage == stage)
        return list(self.tx.execute(query.order_by(tab.c.school_id)).scalars())

    def community_schools(self, community_id: str) -> list[str]:
        tab = self.t["members"]
        query = select(tab.c.school_id).where(tab.c.community_id == community_id)
        return list(self.tx.execute(query.order_by(tab.c.school_id)).scalars())

    def researchers(self, county: str) -> list[str]:
        tab = self.t["teachers"]
        query = select(tab.c.teacher_id).where(
            tab.c.county == county, tab.c.researcher.is_(True), tab.c.active.is_(True)
        )
        return list(self.tx.execute(query.order_by(tab.c.teacher_id)).scalars())

    def submitted(self, activity_id: str, teacher_id: str) -> set[str]:
        tab = self.t["materials"]
        query = select(tab.c.material_kind).where(
            tab.c.activity_id == activity_id, tab.c.teacher_id == teacher_id
        )
        return set(self.tx.execute(query).scalars())

    def activities(
        self, county: str, statuses: tuple[str, ...], first: Any, last: Any
    ) -> list[Any]:
        tab = self.t["activities"]
        query = select(tab).where(
            tab.c.county == county,
            tab.c.status.in_(statuses),
            tab.c.held_on >= first,
            tab.c.held_on <= last,
        )
        return list(self.tx.execute(query.order_by(tab.c.held_on, tab.c.activity_id)))

    def counties(self) -> list[str]:
        found = set(self.tx.execute(select(self.t["schools"].c.county)).scalars())
        found |= set(self.tx.execute(select(self.t["activities"].c.county)).scalars())
        return sorted(found)
