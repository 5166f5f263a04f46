"""The registry's questions, answered from the live projection tables as of a date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, Select, Table, select

from contracts.registry.queries import (
    CommunityMember,
    CommunityView,
    CountySummary,
    SchoolCommunity,
    SchoolView,
    TeacherView,
)
from services.registry.domain.teachers import is_new_teacher
from services.registry.queries import answers as a
from services.registry.queries.answers import on_date
from services.registry.views.projections import CommunityView as CommunityProjection
from services.registry.views.projections import FactView, OrganisationView
from services.registry.views.projections import TeacherView as TeacherProjection

__all__ = ["RegistryReader"]

Build = Callable[[Table], Select[Any]]


class RegistryReader:
    """Reads the live generation of the registry's views."""

    def __init__(self, engine: Engine, views: Sequence[FactView]) -> None:
        self.engine = engine
        self.org = next(v for v in views if isinstance(v, OrganisationView))
        self.staff = next(v for v in views if isinstance(v, TeacherProjection))
        self.groups = next(v for v in views if isinstance(v, CommunityProjection))

    def _select(self, view: FactView, table: str, build: Build) -> list[Any]:
        """Rows of the live ``table`` of ``view`` chosen by ``build(table)``."""
        with self.engine.connect() as tx:
            return list(tx.execute(build(view.live_tables(tx)[table])))

    # -- schools -------------------------------------------------------------------------

    def school(self, school_id: str, on: date) -> SchoolView | None:
        """A school as of ``on``."""
        rows = self._select(
            self.org,
            "schools",
            lambda t: select(t).where(t.c.school_id == school_id, on_date(t, on)),
        )
        return a.school(rows[0]) if rows else None

    def schools(
        self, county: str, on: date, offset: int = 0, limit: int | None = None
    ) -> list[SchoolView]:
        """The county's schools as of ``on`` (open and closed), by id."""
        rows = self._select(
            self.org,
            "schools",
            lambda t: (
                select(t)
                .where(t.c.county == county, on_date(t, on))
                .order_by(t.c.school_id)
                .offset(offset)
                .limit(limit)
            ),
        )
        return [a.school(r) for r in rows]

    # -- teachers ------------------------------------------------------------------------

    def teacher(self, teacher_id: str, on: date) -> TeacherView | None:
        """A teacher as of ``on``."""
        rows = self._select(
            self.staff,
            "teachers",
            lambda t: select(t).where(t.c.teacher_id == teacher_id, on_date(t, on)),
        )
        return a.teacher(rows[0], on) if rows else None

    def teachers(
        self,
        county: str,
        on: date,
        school_id: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[TeacherView]:
        """Teachers at the county's schools as of ``on`` (of one school if given), by id."""

        def build(t: Table) -> Select[Any]:
            query = select(t).where(t.c.county == county, on_date(t, on))
            if school_id is not None:
                query = query.where(t.c.school_id == school_id)
            return query.order_by(t.c.teacher_id).offset(offset).limit(limit)

        return [a.teacher(r, on) for r in self._select(self.staff, "teachers", build)]

    def teacher_school(self, teacher_id: str, on: date) -> SchoolView | None:
        """The school a teacher was at on ``on``."""
        teacher = self.teacher(teacher_id, on)
        return None if teacher is None else self.school(teacher.school_id, on)

    # -- communities ---------------------------------------------------------------------

    def members(self, community_ids: Sequence[str], on: date) -> dict[str, list[CommunityMember]]:
        """The members of each community on ``on``."""
        found: dict[str, list[CommunityMember]] = {c: [] for c in community_ids}
        rows = self._select(
            self.groups,
            "members",
            lambda t: (
                select(t)
                .where(t.c.community_id.in_(list(community_ids)), on_date(t, on))
                .order_by(t.c.community_id, t.c.member_kind, t.c.role, t.c.member_id)
            ),
        )
        for row in rows:
            found[row.community_id].append(a.member(row))
        return found

    def community(self, community_id: str, on: date) -> CommunityView | None:
        """A community and its members as of ``on``."""
        rows = self._select(
            self.groups,
            "communities",
            lambda t: select(t).where(t.c.community_id == community_id, on_date(t, on)),
        )
        if not rows:
            return None
        return a.community(rows[0], self.members([community_id], on)[community_id])

    def communities(
        self, county: str, on: date, offset: int = 0, limit: int | None = None
    ) -> list[CommunityView]:
        """The communities the county keeps, as of ``on``, with their members."""
        rows = self._select(
            self.groups,
            "communities",
            lambda t: (
                select(t)
                .where(t.c.county == county, on_date(t, on))
                .order_by(t.c.community_id)
                .offset(offset)
                .limit(limit)
            ),
        )
        members = self.members([r.community_id for r in rows], on)
        return [a.community(r, members[r.community_id]) for r in rows]

    def school_communities(self, school_id: str, on: date) -> list[SchoolCommunity]:
        """The communities a school belongs to (or hosts a station of) on ``on``."""
        rows = self._select(
            self.groups,
            "members",
            lambda t: select(t).where(
                t.c.member_kind.in_(["school", "station"]),
                (t.c.member_id == school_id) | (t.c.host_school_id == school_id),
                on_date(t, on),
            ),
        )
        roles = {r.community_id: r.role for r in rows}
        found = [self.community(c, on) for c in sorted(roles)]
        return [
            SchoolCommunity(
                community_id=c.community_id,
                community_name=c.community_name,
                community_kind=c.community_kind,
                county_code=c.county_code,
                role=roles[c.community_id],
            )
            for c in found
            if c is not None
        ]

    def teacher_communities(self, teacher_id: str, county: str, on: date) -> list[str]:
        """The county's communities the teacher was still a member of up to ``on``.

        Memberships that ended on ``on`` count too, so a transfer sent again finds the
        communities it made the teacher leave, and replies with the same events.
        """
        rows = self._select(
            self.groups,
            "members",
            lambda t: select(t.c.community_id).where(
                t.c.member_kind == "teacher",
                t.c.member_id == teacher_id,
                t.c.valid_to.is_(None) | (t.c.valid_to >= on),
            ),
        )
        ids = sorted({r.community_id for r in rows})
        kept = self._select(
            self.groups,
            "communities",
            lambda t: select(t.c.community_id).where(
                t.c.community_id.in_(ids), t.c.county == county
            ),
        )
        return sorted({r.community_id for r in kept})

    # -- summary -------------------------------------------------------------------------

    def county_summary(self, county: str, on: date) -> CountySummary:
        """Schools by stage and location, communities by kind, teachers by stage."""
        schools = [s for s in self.schools(county, on) if s.status == "open"]
        communities = self._select(
            self.groups,
            "communities",
            lambda t: select(t.c.kind).where(
                t.c.county == county, t.c.status == "active", on_date(t, on)
            ),
        )
        staff = self._select(
            self.staff,
            "teachers",
            lambda t: select(t.c.stage, t.c.hire_date).where(
                t.c.county == county, t.c.status != "retired", on_date(t, on)
            ),
        )
        return CountySummary(
            county_code=county,
            on=on,
            schools=len(schools),
            schools_by_stage=dict(Counter(s.stage for s in schools)),
            schools_by_location=dict(Counter(s.location for s in schools)),
            communities_by_kind=dict(Counter(r.kind for r in communities)),
            teachers=len(staff),
            teachers_by_stage=dict(Counter(r.stage for r in staff)),
            new_teachers=sum(is_new_teacher(r.hire_date, on) for r in staff),
        )

    # -- what exists ---------------------------------------------------------------------

    def current_ids(self) -> dict[str, dict[str, str]]:
        """Every county, school, teacher and community on record now, with its county."""
        chosen = (
            ("counties", self.org, "counties", "county_code", "county_code"),
            ("schools", self.org, "schools", "school_id", "county"),
            ("teachers", self.staff, "teachers", "teacher_id", "county"),
            ("communities", self.groups, "communities", "community_id", "county"),
        )
        found: dict[str, dict[str, str]] = {}
        for name, view, table, key, county in chosen:
            with self.engine.connect() as tx:
                t = view.live_tables(tx)[table]
                query = select(t.c[key], t.c[county]).where(t.c.valid_to.is_(None))
                found[name] = {row[0]: row[1] for row in tx.execute(query)}
        return found
