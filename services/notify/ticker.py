"""The schedule ticker: dated reminders, activity reminders, missing materials, digests.

Every tick plans what fell due in ``(mark, now]`` per county and moves the county's mark to
``now`` in the same transaction as the planned rows (the schedule projection of ADR 0012):
a restart resumes from the mark, so nothing due while the service was down is lost (up to
``max_catch_up_days``), and keys derived from the rule and the occurrence make a repeated
window plan nothing twice. The first tick of a county only sets its mark.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from eventlog.database import writing
from services.notify.calendar import local_moment, reminder_moments
from services.notify.configuration import Audience, CountyConfig, MaterialsDeadline
from services.notify.dispatcher import as_utc
from services.notify.lookups import Directory
from services.notify.planner import NotifyPlanner
from services.notify.planning import Plan, activity_audience, activity_context, school, teacher
from services.notify.routing import Router
from services.notify.tables import deliveries, insert_new, marks, upsert

__all__ = ["Ticker"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ticker:
    """Plans the calendar's notifications, one county at a time."""

    def __init__(
        self,
        engine: Engine,
        planner: NotifyPlanner,
        router: Router,
        counties: Iterable[str] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.planner = planner
        self.router = router
        self.counties = sorted(counties) if counties else None
        self.clock = clock

    async def tick(self, _service: object = None) -> int:
        """Plan what is due now; returns the rows planned."""
        return await asyncio.to_thread(self.run, self.clock())

    def run(self, now: datetime) -> int:
        """Plan everything due up to ``now`` in every county."""
        with writing(self.engine) as tx:
            try:
                tables = self.planner.live_tables(tx)
            except LookupError:
                return 0
            directory = Directory(tx, tables)
            counties = self.counties or directory.counties()
            return sum(self.run_county(tx, directory, c, now) for c in counties)

    def run_county(self, tx: Connection, d: Directory, county: str, now: datetime) -> int:
        config = self.router.config_for(county)
        mark = tx.execute(select(marks.c.ticked_to).where(marks.c.county == county)).scalar()
        upsert(tx, marks, {"county": county, "ticked_to": now}, ["county"])
        if mark is None:
            return 0
        after = max(as_utc(mark), now - timedelta(days=config.max_catch_up_days))
        if after >= now:
            return 0
        plans = dated_plans(d, config, after, now)
        plans += activity_reminders(d, config, after, now)
        plans += materials_plans(d, config, after, now)
        rows = self.router.rows(plans, now)
        insert_new(tx, deliveries, rows)
        return len(rows) + self.digests(tx, config, after, now)

    def digests(self, tx: Connection, config: CountyConfig, after: datetime, now: datetime) -> int:
        """One digest per recipient and channel at each ``digest_at`` in the window."""
        made = 0
        for moment in daily_moments(config, after, now):
            d = deliveries
            held = tx.execute(
                select(d)
                .where(
                    d.c.county == config.county,
                    d.c.status == "held",
                    d.c.planned_at <= moment.astimezone(UTC),
                )
                .order_by(d.c.planned_at, d.c.delivery_id)
            ).all()
            groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
            for row in held:
                groups[(row.recipient, row.channel)].append(row)
            for (recipient, channel), rows in groups.items():
                made += self._digest(tx, config, moment, recipient, channel, rows, now)
        return made

    def _digest(
        self,
        tx: Connection,
        config: CountyConfig,
        moment: datetime,
        recipient: str,
        channel: str,
        rows: list[Any],
        now: datetime,
    ) -> int:
        day = str(moment.astimezone(config.zone).date())
        items = [{"kind": r.kind, "context": json.loads(r.context)} for r in rows]
        plan = Plan(
            "digest",
            f"digest:{config.county}:{day}",
            config.county,
            recipient,
            {"day": day, "items": items},
        )
        row = self.router.row(config, plan, channel, "pending", now)
        insert_new(tx, deliveries, [row])
        ids = [r.delivery_id for r in rows]
        tx.execute(
            update(deliveries)
            .where(deliveries.c.delivery_id.in_(ids))
            .values(status="digested", digest_id=row["delivery_id"])
        )
        return 1


def daily_moments(config: CountyConfig, after: datetime, until: datetime) -> list[datetime]:
    """The digest moments (``digest_at`` local, every day) in ``(after, until]``."""
    day = after.astimezone(config.zone).date()
    found = []
    while day <= until.astimezone(config.zone).date():
        moment = local_moment(day, config.digest_at, config.zone)
        if after < moment <= until:
            found.append(moment)
        day += timedelta(days=1)
    return found


def audience(d: Directory, county: str, a: Audience) -> list[str]:
    """The recipients of a dated reminder."""
    if a.teacher:
        return [teacher(a.teacher)]
    if a.researchers:
        return [teacher(t) for t in d.researchers(county)]
    if a.community:
        ids = d.community_schools(a.community)
    elif a.schools:
        ids = list(a.schools)
    else:
        ids = d.schools(county, str(a.stage) if a.stage else None)
    return [school(s) for s in ids]


def upcoming(
    config: CountyConfig, after: datetime, until: datetime
) -> list[tuple[datetime, str, Any, str]]:
    """Dated reminders and materials deadlines firing in ``(after, until]``, in order."""
    found = []
    for rem in config.reminders:
        audience = ", ".join(
            f"{k}={v}" for k, v in rem.audience.model_dump(exclude_defaults=True).items()
        )
        for m in reminder_moments(
            rem.deadline.rule, rem.days_before, rem.at, config.zone, after, until
        ):
            found.append((m.fires_at, rem.id, m, audience))
    for rule in config.materials_deadlines:
        moments = reminder_moments(
            rule.deadline.rule, rule.days_before, rule.at, config.zone, after, until
        )
        found += [(m.fires_at, rule.id, m, "participants owing materials") for m in moments]
    return sorted(found, key=lambda item: (item[0], item[1]))


def dated_plans(d: Directory, config: CountyConfig, after: datetime, until: datetime) -> list[Plan]:
    plans = []
    for rem in config.reminders:
        rule = rem.deadline.rule
        for m in reminder_moments(rule, rem.days_before, rem.at, config.zone, after, until):
            cause = f"reminder:{config.county}:{rem.id}:{m.deadline}:{m.days_before}"
            context = {
                "titles": dict(rem.title),
                "deadline": str(m.deadline),
                "days_before": m.days_before,
            }
            for r in audience(d, config.county, rem.audience):
                plans.append(
                    Plan("deadline_reminder", cause, config.county, r, context, m.fires_at)
                )
    return plans


def activity_reminders(
    d: Directory, config: CountyConfig, after: datetime, until: datetime
) -> list[Plan]:
    plans = []
    for rule in config.activity_reminders:
        first = (after + rule.lead).astimezone(config.zone).date() - timedelta(days=1)
        last = (until + rule.lead).astimezone(config.zone).date() + timedelta(days=1)
        for row in d.activities(config.county, ("scheduled",), first, last):
            start = local_moment(row.held_on, row.starts_at, config.zone)
            if not after < start - rule.lead <= until:
                continue
            cause = f"activity-reminder:{rule.id}:{row.activity_id}:{start.isoformat()}"
            context = activity_context(row)
            for r in activity_audience(d, row, schools=rule.schools):
                plans.append(
                    Plan("activity_reminder", cause, config.county, r, context, start - rule.lead)
                )
    return plans


def materials_plans(
    d: Directory, config: CountyConfig, after: datetime, until: datetime
) -> list[Plan]:
    plans = []
    for rule in config.materials_deadlines:
        moments = reminder_moments(
            rule.deadline.rule, rule.days_before, rule.at, config.zone, after, until
        )
        for m in moments:
            cause = f"materials:{config.county}:{rule.id}:{m.deadline}:{m.days_before}"
            base = {"titles": dict(rule.title), "deadline": str(m.deadline)}
            by_teacher, by_school = owed_materials(d, config.county, rule, m.deadline)
            for t, items in by_teacher.items():
                context = {**base, "teacher_name": d.teacher_name(t), "items": items}
                plans.append(
                    Plan("materials_missing", cause, config.county, teacher(t), context, m.fires_at)
                )
            for s, items in by_school.items():
                context = {**base, "school_name": d.school_name(s), "items": items}
                plans.append(
                    Plan(
                        "materials_missing_school",
                        cause,
                        config.county,
                        school(s),
                        context,
                        m.fires_at,
                    )
                )
    return plans


def owed_materials(
    d: Directory, county: str, rule: MaterialsDeadline, deadline: Any
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """What each participant of the activities held before the deadline has not submitted."""
    first = deadline - timedelta(days=rule.held_within_days)
    by_teacher: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_school: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for act in d.activities(county, ("held", "closed"), first, deadline):
        for p in d.participants(act.activity_id):
            if rule.roles and p.role not in rule.roles:
                continue
            done = d.submitted(act.activity_id, p.teacher_id)
            missing = [m for m in rule.materials if m not in done]
            if missing:
                item = {
                    "activity_title": act.title,
                    "held_on": str(act.held_on),
                    "missing": missing,
                    "teacher_name": d.teacher_name(p.teacher_id),
                }
                by_teacher[p.teacher_id].append(item)
                by_school[p.school_id].append(item)
    return dict(by_teacher), dict(by_school)
