"""Registry look-ups at a date, from the activities' own copy of the registry's events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import Connection, Engine, Table, and_, or_, select

from services.activities.domain.rules import TeacherFact
from services.activities.registry_view import RegistryFacts

__all__ = ["Registry"]


class Registry:
    """Answers 'who was where on that day' from the :class:`RegistryFacts` projection."""

    def __init__(self, engine: Engine, view: RegistryFacts) -> None:
        self.engine = engine
        self.view = view

    def _tables(self, tx: Connection) -> Mapping[str, Table]:
        return self.view.live_tables(tx)

    def teacher_on(self, teacher_id: str, day: date) -> TeacherFact | None:
        """The teacher's school and county on ``day``; None if not in the registry then
        (not yet registered, or retired)."""
        return self.teachers_on([teacher_id], day).get(teacher_id)

    def teachers_on(self, teacher_ids: Iterable[str], day: date) -> dict[str, TeacherFact]:
        """Several teachers at once, keyed by id."""
        ids = sorted(set(teacher_ids))
        with self.engine.connect() as tx:
            t = self._tables(tx)
            a = t["assignments"]
            rows = tx.execute(
                select(a.c.teacher_id, a.c.school_id, a.c.county)
                .where(a.c.teacher_id.in_(ids), a.c.effective_on <= day)
                .order_by(a.c.teacher_id, a.c.effective_on, a.c.seq)
            ).all()
            researchers = self._researchers(tx, t["roles"], ids, day)
        found = {r.teacher_id: r for r in rows}  # the last assignment on or before the day
        return {
            tid: TeacherFact(tid, r.county, r.school_id, tid in researchers)
            for tid, r in found.items()
            if r.school_id is not None  # retired by then
        }

    @staticmethod
    def _researchers(tx: Connection, roles: Table, ids: list[str] | None, day: date) -> set[str]:
        query = select(roles.c.teacher_id, roles.c.granted).where(
            roles.c.role == "researcher", roles.c.effective_on <= day
        )
        if ids is not None:
            query = query.where(roles.c.teacher_id.in_(ids))
        state: dict[str, bool] = {}
        for row in tx.execute(query.order_by(roles.c.effective_on, roles.c.seq)):
            state[row.teacher_id] = row.granted
        return {tid for tid, granted in state.items() if granted}

    def researchers(self, day: date) -> set[str]:
        """Teachers holding the researcher role (教研员) on ``day``."""
        with self.engine.connect() as tx:
            return self._researchers(tx, self._tables(tx)["roles"], None, day)

    def community_of_school(self, school_id: str, day: date) -> str | None:
        """The community the school belonged to on ``day`` (the first by id if several)."""
        with self.engine.connect() as tx:
            m = self._tables(tx)["memberships"]
            return tx.execute(
                select(m.c.community_id)
                .where(m.c.school_id == school_id, m.c.joined_on <= day)
                .where(or_(m.c.left_on.is_(None), m.c.left_on > day))
                .order_by(m.c.community_id)
                .limit(1)
            ).scalar()

    def communities(self, county: str) -> list[str]:
        """The county's communities."""
        with self.engine.connect() as tx:
            c = self._tables(tx)["communities"]
            return list(tx.execute(select(c.c.community_id).where(c.c.county == county)).scalars())

    def school_stages(self, county: str) -> dict[str, str]:
        """The county's schools and their stages."""
        with self.engine.connect() as tx:
            s = self._tables(tx)["schools"]
            rows = tx.execute(select(s.c.school_id, s.c.stage).where(s.c.county == county))
            return {r.school_id: r.stage for r in rows}

    def partner_schools(self, county: str, day: date) -> list[str]:
        """Partner (协作) schools of the county's communities on ``day``."""
        with self.engine.connect() as tx:
            t = self._tables(tx)
            m, c = t["memberships"], t["communities"]
            rows = tx.execute(
                select(m.c.school_id)
                .join(c, c.c.community_id == m.c.community_id)
                .where(c.c.county == county, m.c.member_role == "partner")
                .where(and_(m.c.joined_on <= day, or_(m.c.left_on.is_(None), m.c.left_on > day)))
                .distinct()
            )
            return sorted(rows.scalars())
