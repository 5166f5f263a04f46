"""Queries over the activities' views: calendar, one activity, checklists, quota report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from services.activities.configuration import CountyConfig
from services.activities.domain.quotas import CountedActivity, QuotaLine, Subjects, report
from services.activities.facts import Registry
from services.activities.views import ActivityViews

__all__ = ["ActivityQueries"]

_HELD = ("held", "closed")


class ActivityQueries:
    """Read-only answers from the live generation of the views."""

    def __init__(
        self,
        engine: Engine,
        views: ActivityViews,
        registry: Registry,
        config: Callable[[str], CountyConfig],
    ) -> None:
        self.engine, self.views, self.registry, self.config = engine, views, registry, config

    def calendar(
        self,
        county: str,
        start: date,
        end: date,
        *,
        community_id: str | None = None,
        school_id: str | None = None,
        teacher_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Activities of a county in a date range, optionally for one community/school/teacher."""
        with self.engine.connect() as tx:
            t = self.views.live_tables(tx)
            a, p = t["activities"], t["participants"]
            q = select(a).where(a.c.county == county, a.c.held_on >= start, a.c.held_on <= end)
            if community_id:
                q = q.where(a.c.community_id == community_id)
            if school_id:
                q = q.where(
                    (a.c.school_id == school_id)
                    | (a.c.organiser_school_id == school_id)
                    | a.c.target_school_ids.contains(f'"{school_id}"')
                )
            if teacher_id:
                q = q.where(
                    a.c.activity_id.in_(select(p.c.activity_id).where(p.c.teacher_id == teacher_id))
                )
            rows = tx.execute(q.order_by(a.c.held_on, a.c.starts_at, a.c.activity_id))
            return [dict(r._mapping) for r in rows]

    def activity(self, activity_id: str) -> dict[str, Any] | None:
        """One activity with its participants (attendance, results) and materials."""
        with self.engine.connect() as tx:
            t = self.views.live_tables(tx)
            a, p, m = t["activities"], t["participants"], t["materials"]
            row = tx.execute(select(a).where(a.c.activity_id == activity_id)).first()
            if row is None:
                return None
            people = tx.execute(
                select(p).where(p.c.activity_id == activity_id).order_by(p.c.teacher_id)
            )
            files = tx.execute(
                select(m).where(m.c.activity_id == activity_id).order_by(m.c.submitted_at)
            )
            return {
                **row._mapping,
                "participants": [dict(r._mapping) for r in people],
                "materials": [dict(r._mapping) for r in files],
            }

    def checklist(self, county: str, activity_id: str) -> dict[str, list[str]]:
        """Missing checklist items: key ``""`` for the activity, else per teacher id."""
        found = self.activity(activity_id)
        if found is None:
            return {}
        spec = self.config(county).kind(found["kind"])
        if spec is None:
            return {}
        have = {(f["material_kind"], f["teacher_id"]) for f in found["materials"]}
        kinds = {k for k, _ in have}
        missing = {
            "": [i.item for i in spec.checklist if i.per == "activity" and i.item not in kinds]
        }
        for person in found["participants"]:
            missing[person["teacher_id"]] = [
                i.item
                for i in spec.checklist
                if i.per == "teacher"
                and person["role"] in i.roles
                and (i.item, person["teacher_id"]) not in have
            ]
        return missing

    def teacher_checklist(self, county: str, teacher_id: str) -> dict[str, list[str]]:
        """Per activity of the teacher: the checklist items the teacher still owes."""
        with self.engine.connect() as tx:
            p = self.views.live_tables(tx)["participants"]
            ids = tx.execute(select(p.c.activity_id).where(p.c.teacher_id == teacher_id)).scalars()
            activity_ids = sorted(ids)
        owed = {aid: self.checklist(county, aid).get(teacher_id, []) for aid in activity_ids}
        return {aid: items for aid, items in owed.items() if items}

    def counties(self) -> list[str]:
        """The counties that have activities."""
        with self.engine.connect() as tx:
            a = self.views.live_tables(tx)["activities"]
            return sorted(tx.execute(select(a.c.county).distinct()).scalars())

    def counted(self, county: str) -> list[CountedActivity]:
        """Every held activity of the county, as quotas count them."""
        with self.engine.connect() as tx:
            t = self.views.live_tables(tx)
            a, p, m = t["activities"], t["participants"], t["materials"]
            held = a.c.county == county, a.c.status.in_(_HELD), a.c.source == "activity"
            acts = tx.execute(select(a).where(*held)).all()
            people = tx.execute(
                select(p.c.activity_id, p.c.teacher_id, p.c.role).where(p.c.county == county)
            ).all()
            files = tx.execute(
                select(m.c.activity_id, m.c.material_kind)
                .join(a, a.c.activity_id == m.c.activity_id)
                .where(*held)
                .distinct()
            ).all()
        by_activity: dict[str, list[tuple[str, str]]] = {}
        for row in people:
            by_activity.setdefault(row.activity_id, []).append((row.teacher_id, row.role))
        uploaded: dict[str, set[str]] = {}
        for aid, item in files:
            uploaded.setdefault(aid, set()).add(item)
        stages = self.registry.school_stages(county)
        return [
            _counted(r, by_activity.get(r.activity_id, []), uploaded.get(r.activity_id), stages)
            for r in acts
        ]

    def quota_report(self, county: str, day: date, today: date) -> list[QuotaLine]:
        """Done versus required for every quota, in the periods containing ``day``."""
        researchers = self.registry.researchers(day)
        acts = [_only_researchers(act, set(researchers)) for act in self.counted(county)]
        subjects = Subjects(
            communities=tuple(self.registry.communities(county, day)),
            paired_schools=tuple(self.registry.partner_schools(county, day)),
            school_stages=self.registry.school_stages(county),
            researchers=tuple(sorted(researchers)),
            researcher_stages=researchers,
        )
        return report(self.config(county), county, day, acts, subjects, today)


def _stages(row: Any, targets: tuple[str, ...], schools: dict[str, str]) -> tuple[str, ...]:
    """The stages an activity serves: its own, else its target, organiser or requester's."""
    if row.stage:
        return (row.stage,)
    for ids in (targets, (row.organiser_school_id,), (row.school_id,)):
        found = tuple(sorted({schools[i] for i in ids if i in schools}))
        if found:
            return found
    return ()


def _counted(
    row: Any, people: list[tuple[str, str]], uploaded: set[str] | None, schools: dict[str, str]
) -> CountedActivity:
    targets = tuple(json.loads(row.target_school_ids or "[]"))
    return CountedActivity(
        activity_id=row.activity_id,
        kind=row.kind,
        held_on=row.held_on,
        community_id=row.community_id,
        organiser_school_id=row.organiser_school_id,
        target_school_ids=targets,
        researchers=tuple(people),
        stages=_stages(row, targets, schools),
        uploaded=frozenset(uploaded or ()),
    )


def _only_researchers(act: CountedActivity, researchers: set[str]) -> CountedActivity:
    return replace(act, researchers=tuple(x for x in act.researchers if x[0] in researchers))
