"""Registry look-ups at a date, from the activities' own copy of the registry's events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, or_, select

from eventlog.checkpoints import bookkeeping
from services.activities.domain.rules import ACTIVE, CommunityFact, TeacherFact
from services.activities.registry_view import RegistryFacts

__all__ = ["Registry"]


def _last_on(tx: Connection, table: Table, ids: list[str], day: date) -> dict[str, Any]:
    """Per teacher, the last row of a timeline on or before ``day``."""
    rows = tx.execute(
        select(table)
        .where(table.c.teacher_id.in_(ids), table.c.effective_on <= day)
        .order_by(table.c.teacher_id, table.c.effective_on, table.c.seq)
    ).all()
    return {r.teacher_id: r for r in rows}


def _member_on(table: Table, day: date) -> Any:
    return and_(table.c.joined_on <= day, or_(table.c.left_on.is_(None), table.c.left_on > day))


class Registry:
    """Answers 'who was where on that day' from the :class:`RegistryFacts` projection."""

    kept_answers = 50_000
    """At most about this many (teacher, day) answers are kept; then they start afresh."""

    def __init__(self, engine: Engine, view: RegistryFacts) -> None:
        self.engine = engine
        self.view = view
        self._version: tuple[tuple[int, str, int], ...] = ()
        self._known: dict[tuple[Any, str, date], TeacherFact | None] = {}

    def _tables(self, tx: Connection) -> Mapping[str, Table]:
        return self.view.live_tables(tx)

    def _checkpoints(self, tx: Connection) -> tuple[tuple[int, str, int], ...]:
        """Where the projection stands: the answers may change only when this does."""
        return bookkeeping.version(tx, self.view.name)

    def teacher_on(self, teacher_id: str, day: date) -> TeacherFact | None:
        """The teacher on ``day`` (school, county, stage, availability); None if the
        registry did not know the teacher yet."""
        return self.teachers_on([teacher_id], day).get(teacher_id)

    def teachers_on(self, teacher_ids: Iterable[str], day: date) -> dict[str, TeacherFact]:
        """Several teachers at once, keyed by id (retired or on leave ones included).

        Every command asks this (about five queries), and the answers change only when
        the registry facts projection applies registry events; so answers are kept per
        teacher and day under the projection's checkpoints, read in the same transaction,
        and a new checkpoint simply starts new keys.
        """
        ids = sorted(set(teacher_ids))
        with self.engine.connect() as tx:
            version = self._checkpoints(tx)
            if version != self._version or len(self._known) > self.kept_answers:
                self._known, self._version = {}, version  # older keys can never match
            missing = [tid for tid in ids if (version, tid, day) not in self._known]
            if missing:
                loaded = self._load(tx, missing, day)
                for tid in missing:
                    self._known[(version, tid, day)] = loaded.get(tid)
            known = self._known
        found = {tid: known.get((version, tid, day)) for tid in ids}
        return {tid: fact for tid, fact in found.items() if fact is not None}

    def _load(self, tx: Connection, ids: list[str], day: date) -> dict[str, TeacherFact]:
        t = self._tables(tx)
        assigned = _last_on(tx, t["assignments"], ids, day)
        stages = _last_on(tx, t["stages"], ids, day)
        statuses = _last_on(tx, t["statuses"], ids, day)
        researchers = self._researchers(tx, t["roles"], ids, day)
        schools = {r.school_id for r in assigned.values()}
        communities = self._communities_of(tx, t, ids, schools, day)
        return {
            tid: TeacherFact(
                tid,
                row.county,
                row.school_id,
                tid in researchers,
                stage=stages[tid].stage if tid in stages else None,
                status=statuses[tid].status if tid in statuses else ACTIVE,
                since=statuses[tid].effective_on if tid in statuses else None,
                detail=statuses[tid].detail if tid in statuses else None,
                communities=frozenset(
                    communities.get(tid, set()) | communities.get(row.school_id, set())
                ),
            )
            for tid, row in assigned.items()
        }

    @staticmethod
    def _communities_of(
        tx: Connection, t: Mapping[str, Table], teachers: list[str], schools: set[str], day: date
    ) -> dict[str, set[str]]:
        """Communities by member id (teacher or school) on ``day``."""
        found: dict[str, set[str]] = {}
        for table, column, ids in (
            (t["teacher_memberships"], "teacher_id", teachers),
            (t["memberships"], "school_id", sorted(schools)),
        ):
            rows = tx.execute(
                select(table.c[column], table.c.community_id).where(
                    table.c[column].in_(ids), _member_on(table, day)
                )
            )
            for member, community in rows:
                found.setdefault(member, set()).add(community)
        return found

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

    def researchers(self, day: date) -> dict[str, str | None]:
        """Teachers holding the researcher role (教研员) on ``day``, with their stage."""
        with self.engine.connect() as tx:
            t = self._tables(tx)
            ids = sorted(self._researchers(tx, t["roles"], None, day))
            stages = _last_on(tx, t["stages"], ids, day)
        return {tid: stages[tid].stage if tid in stages else None for tid in ids}

    def community(self, community_id: str) -> CommunityFact | None:
        """A community's dates, if the registry knows it."""
        with self.engine.connect() as tx:
            c = self._tables(tx)["communities"]
            row = tx.execute(select(c).where(c.c.community_id == community_id)).first()
        return CommunityFact(row.community_id, row.formed_on, row.dissolved_on) if row else None

    def community_of_school(self, school_id: str, day: date) -> str | None:
        """The community the school belonged to on ``day`` (the first by id if several)."""
        with self.engine.connect() as tx:
            t = self._tables(tx)
            m, c = t["memberships"], t["communities"]
            return tx.execute(
                select(m.c.community_id)
                .join(c, c.c.community_id == m.c.community_id)
                .where(m.c.school_id == school_id, _member_on(m, day))
                .where(or_(c.c.dissolved_on.is_(None), c.c.dissolved_on > day))
                .order_by(m.c.community_id)
                .limit(1)
            ).scalar()

    def communities(self, county: str, day: date) -> list[str]:
        """The county's communities in existence on ``day``."""
        with self.engine.connect() as tx:
            c = self._tables(tx)["communities"]
            return list(
                tx.execute(
                    select(c.c.community_id)
                    .where(c.c.county == county)
                    .where(or_(c.c.formed_on.is_(None), c.c.formed_on <= day))
                    .where(or_(c.c.dissolved_on.is_(None), c.c.dissolved_on > day))
                    .order_by(c.c.community_id)
                ).scalars()
            )

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
                .where(c.c.county == county, m.c.member_role == "partner", _member_on(m, day))
                .distinct()
            )
            return sorted(rows.scalars())
