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
SUBJECTS = Subjects(("c1",), ("s1",), {"s1": "primary"}, ("r1",), {"r1": "primary"})


def _activity(rule: QuotaRule, n: int) -> CountedActivity:
    """The n-th activity that counts for ``rule`` (its uploads complete, at a primary school)."""
    role = rule.roles[0] if rule.roles else "attendee"
    kind = rule.kinds[n % len(rule.kinds)]
    return CountedActivity(
        activity_id=f"a{n}",
        kind=kind,
        held_on=DAY + timedelta(days=n % 30),
        community_id="c1",
        organiser_school_id="s1",
        target_school_ids=("s1",),
        researchers=(("r1", str(role)),),
        stages=("primary",),
        uploaded=frozenset(i.item for i in CONFIG.kinds[kind].checklist),
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


UPLOADING = sorted(q for q, rule in CONFIG.quotas.items() if rule.counts == "uploads")
BY_STAGE = sorted(q for q, rule in CONFIG.quotas.items() if rule.by_stage)


def _done(quota_id: str, acts: list[CountedActivity], subjects: Subjects = SUBJECTS) -> int:
    rule = CONFIG.quotas[quota_id]
    lines = report(CONFIG, COUNTY, DAY, acts, subjects, DURING)
    return next(
        q for q in lines if q.quota_id == quota_id and q.subject_id == SUBJECT[rule.per]
    ).done


@pytest.mark.parametrize("quota_id", UPLOADING)
def test_an_uploads_quota_counts_held_activities_only_once_their_package_is_complete(quota_id):
    rule = CONFIG.quotas[quota_id]
    assert rule.upload_items, "an uploads quota names what makes an upload"
    complete = _activity(rule, 0)
    partial = replace(_activity(rule, 1), uploaded=frozenset(rule.upload_items[1:]))
    nothing = replace(_activity(rule, 2), uploaded=frozenset())
    assert _done(quota_id, [complete, partial, nothing]) == 1


def test_class_observation_uploads_are_counted_per_school_not_per_held_observation():
    rule = CONFIG.quotas["class_observation_uploads"]
    assert rule.counts == "uploads" and rule.per.value == "organiser_school"
    held = [replace(_activity(rule, n), uploaded=frozenset()) for n in range(11)]
    assert _done("class_observation_uploads", held) == 0


@pytest.mark.parametrize("quota_id", BY_STAGE)
@pytest.mark.parametrize(
    ("researcher_stage", "served", "counts"),
    [
        ("primary", ("primary",), True),
        ("primary", ("junior_secondary",), False),
        ("junior_secondary", ("combined",), True),  # 九年一贯制 serves both stages
        ("primary", (), False),  # serving no known stage counts for none
        (None, ("senior_secondary",), True),  # a researcher of no stage counts everything
    ],
)
def test_a_researcher_counts_only_activities_serving_the_researchers_stage(
    quota_id, researcher_stage, served, counts
):
    rule = CONFIG.quotas[quota_id]
    subjects = replace(SUBJECTS, researcher_stages={"r1": researcher_stage})
    act = replace(_activity(rule, 0), stages=served)
    assert _done(quota_id, [act], subjects) == (1 if counts else 0)


def test_the_issues_researcher_quotas_are_per_stage_per_semester():
    deliveries = CONFIG.quotas["researcher_deliveries"]
    groups = CONFIG.quotas["researcher_preparation_groups"]
    assert (deliveries.required, groups.required) == (3, 4)
    assert deliveries.by_stage and groups.by_stage
    assert deliveries.period == groups.period == "semester"


def test_a_researcher_line_carries_the_researchers_stage():
    lines = report(CONFIG, COUNTY, DAY, [], SUBJECTS, DURING)
    line = next(q for q in lines if q.quota_id == "researcher_deliveries")
    assert (line.subject_id, line.stage, line.done) == ("r1", "primary", 0)


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


def test_a_researcher_quota_may_require_by_the_researchers_stage():
    rule = CONFIG.quotas["researcher_deliveries"].model_copy(
        update={"required": None, "required_by_stage": {"primary": 2, "junior_secondary": 5}}
    )
    config = CONFIG.model_copy(update={"quotas": {"researcher_deliveries": rule}})
    subjects = replace(
        SUBJECTS,
        researchers=("r1", "r2", "r3"),
        researcher_stages={"r1": "primary", "r2": "junior_secondary", "r3": "kindergarten"},
    )
    lines = report(config, COUNTY, DAY, [], subjects, DURING)
    assert {(q.subject_id, q.stage, q.required) for q in lines} == {
        ("r1", "primary", 2),
        ("r2", "junior_secondary", 5),
    }  # r3's stage owes nothing under this rule
