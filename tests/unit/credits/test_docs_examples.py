"""The rule sets shown in docs/credits-rules.md load, and the recipes do what they say."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
import yaml

from contracts.activities.v1 import ActivityLevel, ParticipantRole, Result
from services.credits.domain import cycle_totals, evaluate, year_totals
from services.credits.rules import RuleSet, parse_rule_set
from tests.unit.credits.builders import DOCS, profile, record

BLOCKS = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)


def recipes() -> RuleSet:
    return parse_rule_set(yaml.safe_load(BLOCKS[0]), "docs recipes")


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split("\n")[0])
def test_every_rule_set_in_the_docs_loads(block: str):
    assert parse_rule_set(yaml.safe_load(block), "docs").hour_rules


def test_twenty_observed_lessons_make_one_credit():
    rules = recipes()
    entries = [
        evaluate(
            rules, record(f"o{i}", kind="class_observation", minutes=45, on=date(2026, 3, 1 + i))
        )
        for i in range(20)
    ]
    totals = year_totals(rules, profile(), entries, 2026)
    assert totals.categories["practice"].credits == D("1.00")


@pytest.mark.parametrize(
    ("level", "credits"), [(ActivityLevel.COUNTY, "1.00"), (ActivityLevel.SCHOOL, "0.50")]
)
def test_a_county_public_lesson_is_one_credit_a_school_one_half(level: ActivityLevel, credits: str):
    entry = evaluate(
        recipes(), record(kind="open_day", level=level, role=ParticipantRole.PRESENTER)
    )
    assert entry.credits == D(credits)


def test_degree_study_is_capped_at_five_credits_a_year_and_twenty_a_cycle():
    rules = recipes()
    entries = [
        evaluate(rules, record(f"d{y}", kind="degree_course", minutes=80 * 60, on=date(y, 5, 1)))
        for y in range(2026, 2031)
    ]
    year = year_totals(rules, profile(), entries, 2026).categories["degree"]
    cycle = cycle_totals(rules, profile(), entries, "2026-2030").categories["degree"]
    assert (year.earned, year.credits) == (D("80.0"), D("5.00"))
    assert (cycle.earned, cycle.counted, cycle.credits) == (D("400.0"), D("200.0"), D("20.00"))


def test_excellent_earns_more_than_passed_and_a_course_at_most_fifteen_credits():
    rules = recipes()
    passed = evaluate(
        rules, record(kind="external_training_city", minutes=600, result=Result.PASSED)
    )
    excellent = evaluate(
        rules, record(kind="external_training_city", minutes=600, result=Result.EXCELLENT)
    )
    long = evaluate(
        rules, record(kind="external_training_county", minutes=200 * 60, result=Result.PASSED)
    )
    assert (passed.hours, excellent.hours, long.credits) == (D("10.0"), D("15.0"), D("15.00"))
    assert rules.min_attended_fraction == D("0.8")
