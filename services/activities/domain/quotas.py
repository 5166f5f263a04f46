"""Quotas: done versus required per community, school, researcher or county (pure).

An activity counts once it has been held (held or closed), in the period of its date: the
semester from the county's calendar, or the school year (September to August) for yearly
quotas. A quota whose period has ended short is missed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from services.activities.configuration import CountyConfig, QuotaPer, QuotaRule

__all__ = ["CountedActivity", "QuotaLine", "QuotaState", "Subjects", "period_key", "report"]


@dataclass(frozen=True)
class CountedActivity:
    """What quotas need of a held activity."""

    activity_id: str
    kind: str
    held_on: date
    community_id: str | None = None
    organiser_school_id: str | None = None
    target_school_ids: tuple[str, ...] = ()
    researchers: tuple[tuple[str, str], ...] = ()
    """(teacher id, role) of the researchers who took part."""


@dataclass(frozen=True)
class Subjects:
    """Who quotas apply to, even with nothing done yet."""

    communities: tuple[str, ...] = ()
    paired_schools: tuple[str, ...] = ()
    school_stages: Mapping[str, str] = field(default_factory=dict)
    researchers: tuple[str, ...] = ()


class QuotaState(StrEnum):
    """Met, still open in its period, or missed (the period ended short)."""

    MET = "met"
    OPEN = "open"
    MISSED = "missed"


@dataclass(frozen=True)
class QuotaLine:
    """One subject's standing against one quota in one period."""

    quota_id: str
    period: str
    per: QuotaPer
    subject_id: str
    done: int
    required: int
    state: QuotaState


def school_year(day: date) -> str:
    """The school year of a date, September to August, e.g. ``2025-2026``."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def period_key(config: CountyConfig, rule: QuotaRule, day: date) -> str | None:
    """The period a date falls in for ``rule`` (None: outside every semester)."""
    if rule.period == "year":
        return school_year(day)
    semester = config.semester_of(day)
    return semester.key if semester else None


def period_end(config: CountyConfig, rule: QuotaRule, period: str) -> date | None:
    """The last day of a period."""
    if rule.period == "year":
        return date(int(period[5:]), 8, 31)
    return next((s.ends_on for s in config.semesters if s.key == period), None)


def _counted(rule: QuotaRule, county: str, act: CountedActivity) -> Iterable[str]:
    per = rule.per
    if per is QuotaPer.COMMUNITY:
        return [act.community_id] if act.community_id else []
    if per is QuotaPer.TARGET_SCHOOL:
        return set(act.target_school_ids)
    if per is QuotaPer.ORGANISER_SCHOOL:
        return [act.organiser_school_id] if act.organiser_school_id else []
    if per is QuotaPer.RESEARCHER:
        return {t for t, role in act.researchers if not rule.roles or role in rule.roles}
    return [county]


def _subjects(rule: QuotaRule, county: str, subjects: Subjects) -> Iterable[str]:
    return {
        QuotaPer.COMMUNITY: subjects.communities,
        QuotaPer.TARGET_SCHOOL: subjects.paired_schools,
        QuotaPer.ORGANISER_SCHOOL: tuple(subjects.school_stages),
        QuotaPer.RESEARCHER: subjects.researchers,
        QuotaPer.COUNTY: (county,),
    }[rule.per]


def _line(
    quota_id: str, rule: QuotaRule, period: str, subject: str, done: int, required: int, ended: bool
) -> QuotaLine:
    state = QuotaState.MET if done >= required else QuotaState.MISSED if ended else QuotaState.OPEN
    return QuotaLine(quota_id, period, rule.per, subject, done, required, state)


def report(
    config: CountyConfig,
    county: str,
    day_in_period: date,
    activities: Iterable[CountedActivity],
    subjects: Subjects,
    today: date,
) -> list[QuotaLine]:
    """Every quota's lines for the periods containing ``day_in_period``, sorted."""
    acts = list(activities)
    lines = []
    for quota_id, rule in sorted(config.quotas.items()):
        period = period_key(config, rule, day_in_period)
        if period is None:
            continue
        end = period_end(config, rule, period)
        done: Counter[str] = Counter()
        for act in acts:
            if act.kind in rule.kinds and period_key(config, rule, act.held_on) == period:
                done.update(_counted(rule, county, act))
        for subject in sorted(set(_subjects(rule, county, subjects)) | set(done)):
            required = rule.required_for(subjects.school_stages.get(subject))
            if required is not None:
                ended = end is not None and today > end
                lines.append(_line(quota_id, rule, period, subject, done[subject], required, ended))
    return lines


def days_to_check(config: CountyConfig, today: date, lookback_days: int = 400) -> list[date]:
    """Days whose periods a periodic announcement looks at on ``today``.

    Today's periods (to announce quotas met), and the last day of every period that ended in
    the look-back (to announce the ones that can no longer be met, even after a pause).
    """
    since = today - timedelta(days=lookback_days)
    days = {today}
    days.update(s.ends_on for s in config.semesters if since <= s.ends_on < today)
    for year in range(since.year, today.year + 1):
        end_of_school_year = date(year, 8, 31)
        if since <= end_of_school_year < today:
            days.add(end_of_school_year)
    return sorted(days)
