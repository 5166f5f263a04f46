"""Totals: caps per year and cycle, conversion, targets, minimums, proration, new teachers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from contracts.activities.v1 import ActivityLevel, ParticipationSource, Result
from services.credits.domain import (
    LedgerEntry,
    cycle_totals,
    evaluate,
    explain,
    year_totals,
)
from services.credits.rules import load_rule_set
from tests.unit.credits.builders import CERTIFICATE, DEFAULT_FILE, profile, record, rules_with

RULES = load_rule_set(DEFAULT_FILE)


def online(activity_id: str, hours: int, on: date = date(2026, 3, 1)) -> LedgerEntry:
    rec = record(
        activity_id,
        kind="online_training",
        level=ActivityLevel.NATIONAL,
        minutes=hours * 60,
        result=Result.PASSED,
        source=ParticipationSource.EXTERNAL,
        certificate=CERTIFICATE,
        on=on,
    )
    return evaluate(RULES, rec)


def lecture(activity_id: str, hours: int, on: date = date(2026, 3, 1)) -> LedgerEntry:
    return evaluate(
        RULES,
        record(
            activity_id,
            kind="external_training_county",
            minutes=hours * 60,
            result=Result.PASSED,
            on=on,
        ),
    )


@pytest.mark.parametrize(
    ("hours", "counted", "capped"),
    [([8, 8], "16.0", False), ([12, 8], "20.0", False), ([15, 15], "20.0", True)],
)
def test_cap_per_category_per_year(hours: list[int], counted: str, capped: bool):
    entries = [online(f"o{i}", h) for i, h in enumerate(hours)]
    total = year_totals(RULES, profile(), entries, 2026).categories["online"]
    assert (total.earned, total.counted, total.capped) == (D(sum(hours)), D(counted), capped)
    assert total.cap == D(20)


@pytest.mark.parametrize(
    ("per_year", "counted"),
    [([20, 20, 20, 20, 20], "100"), ([30, 30, 30, 30, 30], "100"), ([10, 10, 30], "40")],
)
def test_cap_per_category_per_cycle_after_the_yearly_caps(per_year: list[int], counted: str):
    rules = rules_with(
        caps=[
            {"category": "online", "per": "year", "hours": 20},
            {"category": "online", "per": "cycle", "hours": 100},
        ]
    )
    entries = [online(f"o{y}", h, date(2026 + y, 3, 1)) for y, h in enumerate(per_year)]
    total = cycle_totals(rules, profile(), entries, "2026-2030").categories["online"]
    assert total.counted == D(counted)
    assert total.counted <= total.cap == D(100)  # type: ignore[operator]


def test_a_cycle_cap_alone_also_bounds_a_year():
    rules = rules_with(caps=[{"category": "online", "per": "cycle", "hours": 25}])
    totals = year_totals(rules, profile(), [online("o1", 30)], 2026)
    assert totals.categories["online"].counted == D("25.0")


@pytest.mark.parametrize(
    ("category", "hours", "credits"),
    [("centralised", 15, "1.50"), ("online", 15, "0.75")],
)
def test_conversion_in_totals_is_of_the_counted_hours(category: str, hours: int, credits: str):
    entry = lecture("c1", hours) if category == "centralised" else online("o1", hours)
    totals = year_totals(RULES, profile(), [entry], 2026)
    assert totals.categories[category].credits == D(credits)
    assert totals.credits == D(credits)


def test_credits_of_a_capped_category_follow_the_cap():
    totals = year_totals(RULES, profile(), [online("o1", 30)], 2026)
    assert totals.categories["online"].credits == D("1.00")  # 20 h counted / 20


@pytest.mark.parametrize(
    ("joined", "left", "partial", "target", "prorated"),
    [
        (None, None, True, "36.0", False),
        (date(2026, 1, 1), None, True, "36.0", False),
        (date(2026, 3, 15), None, True, "30.0", True),  # March to December: 10 months
        (date(2026, 3, 15), None, False, "27.0", True),  # April to December: 9 months
        (date(2026, 3, 1), None, False, "30.0", True),
        (None, date(2026, 6, 30), True, "18.0", True),
        (None, date(2026, 6, 29), False, "15.0", True),  # June not complete
        (date(2026, 4, 1), date(2026, 9, 30), True, "18.0", True),
        (date(2027, 2, 1), None, True, "0.0", True),  # not yet in post
        (date(2010, 1, 1), date(2025, 12, 31), True, "0.0", True),
    ],
)
def test_proration_of_the_annual_target_by_months(
    joined: date | None, left: date | None, partial: bool, target: str, prorated: bool
):
    rules = rules_with(proration={"enabled": True, "count_partial_months": partial})
    totals = year_totals(rules, profile(joined_on=joined, left_on=left), [], 2026)
    assert (totals.target, totals.prorated) == (D(target), prorated)
    assert any("prorated" in n for n in totals.notes) is prorated


def test_proration_can_be_switched_off():
    rules = rules_with(proration={"enabled": False})
    totals = year_totals(rules, profile(joined_on=date(2026, 7, 1)), [], 2026)
    assert (totals.target, totals.prorated) == (D("36.0"), False)


@pytest.mark.parametrize(
    ("joined", "target", "centralised"),
    [
        (None, "360.0", "160.0"),
        (date(2028, 1, 1), "216.0", "96.0"),  # 36 of 60 months
        (date(2030, 7, 1), "36.0", "16.0"),
    ],  # 6 of 60 months
)
def test_proration_of_the_cycle_target_and_its_minimums(
    joined: date | None, target: str, centralised: str
):
    totals = cycle_totals(RULES, profile(joined_on=joined), [], "2026-2030")
    assert totals.target == D(target)
    assert totals.categories["centralised"].minimum == D(centralised)


def test_school_year_proration_runs_from_september():
    rules = rules_with(year_basis="school")
    totals = year_totals(rules, profile(joined_on=date(2027, 3, 1)), [], 2026)
    assert (totals.period, totals.target) == ("2026/2027", D("18.0"))  # March to August


@pytest.mark.parametrize(
    ("new_teacher", "target", "centralised_minimum"),
    [(False, "36.0", None), (True, "80.0", "40.0")],
)
def test_new_teacher_target(new_teacher: bool, target: str, centralised_minimum: str | None):
    totals = year_totals(RULES, profile(new_teacher=new_teacher), [lecture("c1", 30)], 2026)
    minimum = totals.categories["centralised"].minimum
    assert totals.target == D(target)
    assert minimum == (D(centralised_minimum) if centralised_minimum else None)
    if new_teacher:
        assert totals.categories["centralised"].shortfall == D("10.0")
        assert totals.shortfall == D("50.0")
        assert "new-teacher target: 80 h" in totals.notes


def test_a_category_minimum_can_leave_a_shortfall_when_the_total_is_reached():
    entries = [
        lecture("c1", 100, date(2026, 3, 1)),
        *[
            evaluate(RULES, record(f"p{y}", kind="lesson_delivery", minutes=1800, on=date(y, 3, 1)))
            for y in range(2026, 2031)
        ],
        *[online(f"o{y}", 20, date(y, 3, 1)) for y in range(2026, 2031)],
    ]
    totals = cycle_totals(RULES, profile(), entries, "2026-2030")
    assert totals.hours == D("350.0")  # 100 + 5 x 30 + 5 x 20
    assert totals.categories["centralised"].shortfall == D("60.0")
    assert totals.shortfall == D("60.0")  # 60 more centralised hours close both gaps


def test_totals_count_only_the_teachers_entries_of_the_period():
    entries = [
        lecture("c1", 10),
        lecture("c2", 10, date(2025, 3, 1)),
        evaluate(RULES, record("c3", "t2", kind="lecture")),
    ]
    assert year_totals(RULES, profile(), entries, 2026).hours == D("10.0")
    assert cycle_totals(RULES, profile(), entries, "2021-2025").hours == D("10.0")


@pytest.mark.parametrize("label", ["2026-2029", "2027-2031", "2026", "abcd-efgh"])
def test_a_cycle_off_the_rules_grid_is_refused(label: str):
    with pytest.raises(ValueError, match=r"is not a cycle of default@2021\.1"):
        cycle_totals(RULES, profile(), [], label)


def test_explain_lists_entries_then_caps_then_target_and_shortfall():
    entries = [
        online("o1", 30),
        lecture("c1", 6),
        evaluate(RULES, record("z", minutes=60, attended=10)),
    ]
    totals = year_totals(RULES, profile(), entries, 2026)
    lines = explain(totals, entries)
    labels = [line.label for line in lines]
    assert labels[:3] == [
        "2026-03-01 external_training_county c1 [centralised]",
        "2026-03-01 online_training o1 [online]",
        "2026-04-15 lecture z [centralised]",
    ]
    assert lines[2].hours == D(0) and "missed 50 of 60 min" in lines[2].note
    cap = next(line for line in lines if line.label == "cap online")
    assert (cap.hours, cap.note) == (D("-10.0"), "30.0 h earned, at most 20 h count")
    assert [line.label for line in lines[-3:]] == ["total 2026", "target", "shortfall"]
    assert [line.hours for line in lines[-3:]] == [D("26.0"), D("36.0"), D("10.0")]
    assert all(line.rule == "default@2021.1" for line in lines[-3:])
