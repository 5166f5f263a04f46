"""Every quota rule of the default configuration: short, met, and missed at the period's end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.activities.configuration import QuotaPer, QuotaRule
from services.activities.domain.quotas import (
    CountedActivity,
    QuotaState,
    Subjects,
    days_to_check,
    report,
)
from tests.unit.activities.builders import CONFIG, COUNTY

DAY = date(2025, 10, 15)  # in the 2025 autumn semester and the 2025-2026 school year
DURING, AFTER = date(2025, 12, 1), date(2026, 9, 1)
SUBJECT = {
    QuotaPer.COMMUNITY: "c1",
    QuotaPer.TARGET_SCHOOL: "s1",
    QuotaPer.ORGANISER_SCHOOL: "s1",
    QuotaPer.RESEARCHER: "r1",
    QuotaPer.COUNTY: COUNTY,
}
SUBJECTS = Subjects(("c1",), ("s1",), {"s1": "primary"}, ("r1",))


def _activity(rule: QuotaRule, n: int) -> CountedActivity:
    role = rule.roles[0] if rule.roles else "attendee"
    return CountedActivity(
        activity_id=f"a{n}",
        kind=rule.kinds[n % len(rule.kinds)],
        held_on=DAY + timedelta(days=n % 30),
        community_id="c1",
        organiser_school_id="s1",
        target_school_ids=("s1",),
        researchers=(("r1", str(role)),),
    )


def _line(quota_id: str, done: int, today: date):
    rule = CONFIG.quotas[quota_id]
    lines = report(CONFIG, COUNTY, DAY, [_activity(rule, n) for n in range(done)], SUBJECTS, today)
    return next(q for q in lines if q.quota_id == quota_id and q.subject_id == SUBJECT[rule.per])


@pytest.mark.parametrize("quota_id", sorted(CONFIG.quotas))
def test_a_quota_is_open_one_short_and_met_at_its_number(quota_id):
    required = CONFIG.quotas[quota_id].required_for("primary")
    assert required is not None
    short = _line(quota_id, required - 1, DURING)
    assert (short.done, short.required, short.state) == (required - 1, required, QuotaState.OPEN)
    assert _line(quota_id, required, DURING).state is QuotaState.MET


@pytest.mark.parametrize("quota_id", sorted(CONFIG.quotas))
def test_a_quota_still_short_when_its_period_ends_is_missed(quota_id):
    required = CONFIG.quotas[quota_id].required_for("primary")
    assert required is not None
    assert _line(quota_id, required - 1, AFTER).state is QuotaState.MISSED


@pytest.mark.parametrize("quota_id", sorted(CONFIG.quotas))
def test_activities_of_other_kinds_or_periods_do_not_count(quota_id):
    rule = CONFIG.quotas[quota_id]
    other_kind = next(k for k in CONFIG.kinds if k not in rule.kinds)
    acts = [
        replace(_activity(rule, 0), kind=other_kind),
        replace(_activity(rule, 1), held_on=date(2024, 10, 1)),
    ]
    lines = report(CONFIG, COUNTY, DAY, acts, SUBJECTS, DURING)
    line = next(q for q in lines if q.quota_id == quota_id and q.subject_id == SUBJECT[rule.per])
    assert line.done == 0


def test_class_observation_uploads_depend_on_the_schools_stage():
    rule = CONFIG.quotas["class_observation_uploads"]
    assert (rule.required_for("primary"), rule.required_for("junior_secondary")) == (11, 15)
    assert rule.required_for("kindergarten") is None  # not asked of kindergartens


def test_researcher_deliveries_count_only_the_roles_the_rule_names():
    rule = CONFIG.quotas["researcher_deliveries"]
    act = replace(_activity(rule, 0), researchers=(("r1", "attendee"),))
    lines = report(CONFIG, COUNTY, DAY, [act], SUBJECTS, DURING)
    assert next(q for q in lines if q.quota_id == "researcher_deliveries").done == 0


@pytest.mark.parametrize(
    ("today", "lookback", "expected"),
    [
        # Mid-semester, nothing ended lately: only today's periods.
        (date(2025, 11, 3), 60, [date(2025, 11, 3)]),
        # Just after a semester ended: its last day too, to announce what was missed.
        (date(2026, 1, 30), 60, [date(2026, 1, 29), date(2026, 1, 30)]),
        # After a long pause: every period that ended since, semesters and school years.
        (
            date(2026, 9, 15),
            300,
            [date(2026, 1, 29), date(2026, 7, 10), date(2026, 8, 31), date(2026, 9, 15)],
        ),
    ],
    ids=["mid-semester", "semester-just-ended", "after-a-pause"],
)
def test_days_to_check_cover_today_and_every_period_ended_since(today, lookback, expected):
    from services.activities.configuration import CountyConfig, Semester

    semesters = (
        Semester(key="2025-autumn", starts_on=date(2025, 9, 1), ends_on=date(2026, 1, 29)),
        Semester(key="2026-spring", starts_on=date(2026, 2, 26), ends_on=date(2026, 7, 10)),
    )
    config = CountyConfig.model_validate({**CONFIG.model_dump(), "semesters": semesters})
    assert days_to_check(config, today, lookback_days=lookback) == expected
