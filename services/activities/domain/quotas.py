"""Quotas: done versus required per community, school, researcher or county (pure).

An activity counts once it has been held (held or closed), in the period of its date: the
semester from the county's calendar, or the school year (September to August) for yearly
quotas. A rule that counts ``uploads`` counts only held activities whose listed checklist
items were all submitted (推门听课 uploads: one package per observation). A researcher rule
``by_stage`` counts, for each researcher, only activities serving the researcher's stage
(学段). A quota whose period has ended short is missed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from services.activities.configuration import CountyConfig, QuotaPer, QuotaRule

__all__ = [
    "CountedActivity",
    "QuotaLine",
    "QuotaState",
    "Subjects",
    "period_key",
    "report",
    "served_stages",
]

_COVERS = {"combined": frozenset({"primary", "junior_secondary"})}
"""School stages that cover others: a 九年一贯制 school is primary and junior secondary."""


def served_stages(stages: Iterable[str | None]) -> frozenset[str]:
    """The stages served by schools or teachers of ``stages`` (combined ones expanded)."""
    out: set[str] = set()
    for stage in stages:
        if stage:
            out |= _COVERS.get(stage, frozenset({stage}))
    return frozenset(out)


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
    stages: tuple[str, ...] = ()
    """The school stages the activity serves (its own, else its schools')."""
    uploaded: frozenset[str] = frozenset()
    """The checklist items submitted for it (by anyone)."""


@dataclass(frozen=True)
class Subjects:
    """Who quotas apply to, even with nothing done yet."""

    communities: tuple[str, ...] = ()
    paired_schools: tuple[str, ...] = ()
    school_stages: Mapping[str, str] = field(default_factory=dict)
    researchers: tuple[str, ...] = ()
    researcher_stages: Mapping[str, str | None] = field(default_factory=dict)

    def stage_of(self, per: QuotaPer, subject: str) -> str | None:
        """The stage of a school or researcher subject (None for the others)."""
        if per in (QuotaPer.TARGET_SCHOOL, QuotaPer.ORGANISER_SCHOOL):
            return self.school_stages.get(subject)
        if per is QuotaPer.RESEARCHER:
            return self.researcher_stages.get(subject)
        return None


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
    stage: str | None = None
    """The school's or researcher's stage, for per-school and per-researcher quotas."""


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


def _counts(rule: QuotaRule, act: CountedActivity) -> bool:
    """Whether an activity of the period counts for ``rule`` at all."""
    if act.kind not in rule.kinds:
        return False
    if rule.counts == "uploads":
        return set(rule.upload_items) <= act.uploaded if rule.upload_items else bool(act.uploaded)
    return True


def _researchers(rule: QuotaRule, act: CountedActivity, subjects: Subjects) -> set[str]:
    taking_part = {t for t, role in act.researchers if not rule.roles or role in rule.roles}
    if not rule.by_stage:
        return taking_part
    served = served_stages(act.stages)
    return {
        t
        for t in taking_part
        if (stage := subjects.researcher_stages.get(t)) is None or served_stages([stage]) & served
    }


def _counted(
    rule: QuotaRule, county: str, act: CountedActivity, subjects: Subjects
) -> Iterable[str]:
    """The subjects an activity counts for."""
    per = rule.per
    if per is QuotaPer.COMMUNITY:
        return [act.community_id] if act.community_id else []
    if per is QuotaPer.TARGET_SCHOOL:
        return set(act.target_school_ids)
    if per is QuotaPer.ORGANISER_SCHOOL:
        return [act.organiser_school_id] if act.organiser_school_id else []
    if per is QuotaPer.RESEARCHER:
        return _researchers(rule, act, subjects)
    return [county]


def _subjects(rule: QuotaRule, county: str, subjects: Subjects) -> Iterable[str]:
    return {
        QuotaPer.COMMUNITY: subjects.communities,
        QuotaPer.TARGET_SCHOOL: subjects.paired_schools,
        QuotaPer.ORGANISER_SCHOOL: tuple(subjects.school_stages),
        QuotaPer.RESEARCHER: subjects.researchers,
        QuotaPer.COUNTY: (county,),
    }[rule.per]


@dataclass(frozen=True)
class _Period:
    quota_id: str
    rule: QuotaRule
    key: str
    ended: bool


def _lines(
    period: _Period, county: str, acts: Iterable[CountedActivity], subjects: Subjects
) -> list[QuotaLine]:
    """One quota's lines in one period: every subject owing it, and every one counted."""
    rule, done = period.rule, Counter[str]()
    for act in acts:
        if _counts(rule, act):
            done.update(_counted(rule, county, act, subjects))
    lines = []
    for subject in sorted(set(_subjects(rule, county, subjects)) | set(done)):
        stage = subjects.stage_of(rule.per, subject)
        required = rule.required_for(stage)
        if required is None:
            continue  # e.g. a kindergarten owes no class-observation uploads
        n = done[subject]
        state = (
            QuotaState.MET
            if n >= required
            else QuotaState.MISSED
            if period.ended
            else QuotaState.OPEN
        )
        lines.append(
            QuotaLine(period.quota_id, period.key, rule.per, subject, n, required, state, stage)
        )
    return lines


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
        key = period_key(config, rule, day_in_period)
        if key is None:
            continue
        end = period_end(config, rule, key)
        period = _Period(quota_id, rule, key, end is not None and today > end)
        in_period = [a for a in acts if period_key(config, rule, a.held_on) == key]
        lines += _lines(period, county, in_period, subjects)
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
