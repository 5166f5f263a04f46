"""Golden test: 510781's 2026 worked out by hand under both rule versions (see golden.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.credits.domain import LedgerEntry, evaluate, explain, year_totals
from services.credits.rules import RuleSet, load_rule_set
from tests.unit.credits.builders import V1_FILE, V2_FILE
from tests.unit.credits.golden import (
    EXPECTED_ENTRIES_V1,
    EXPECTED_ENTRIES_V2,
    EXPECTED_SHORTFALL_V1,
    EXPECTED_SHORTFALL_V2,
    EXPECTED_TARGETS,
    EXPECTED_V1,
    EXPECTED_V2,
    YEAR,
    golden_differences,
    golden_profiles,
    golden_records,
)

VERSIONS = {
    "2021.1": (V1_FILE, EXPECTED_ENTRIES_V1, EXPECTED_V1, EXPECTED_SHORTFALL_V1),
    "2026.1": (V2_FILE, EXPECTED_ENTRIES_V2, EXPECTED_V2, EXPECTED_SHORTFALL_V2),
}


def ledger(rules: RuleSet) -> list[LedgerEntry]:
    return [evaluate(rules, r, (f"evt-{r.activity_id}",)) for r in golden_records()]


def test_the_fixture_is_a_small_county_year():
    records = golden_records()
    assert len(records) == 24
    assert len({r.teacher_id for r in records}) == len(golden_profiles()) == 6
    assert {r.activity_date.year for r in records} == {YEAR}


@pytest.mark.parametrize("version", VERSIONS)
def test_each_entry_earns_the_hours_worked_out_by_hand(version: str):
    path, expected, _, _ = VERSIONS[version]
    rules = load_rule_set(path)
    assert rules.version == version
    got = {e.activity_id: e.hours for e in ledger(rules)}
    assert got == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_each_teachers_year_matches_the_hand_computed_total(version: str):
    path, _, expected_hours, expected_shortfall = VERSIONS[version]
    rules = load_rule_set(path)
    entries = ledger(rules)
    for teacher_id, profile in golden_profiles().items():
        totals = year_totals(rules, profile, entries, YEAR)
        assert totals.hours == expected_hours[teacher_id], teacher_id
        assert totals.target == EXPECTED_TARGETS[teacher_id], teacher_id
        assert totals.shortfall == expected_shortfall[teacher_id], teacher_id


def test_the_per_teacher_differences_between_the_versions():
    v1, v2 = load_rule_set(V1_FILE), load_rule_set(V2_FILE)
    old, new = ledger(v1), ledger(v2)
    diff = {}
    for teacher_id, profile in golden_profiles().items():
        change = (
            year_totals(v2, profile, new, YEAR).hours - year_totals(v1, profile, old, YEAR).hours
        )
        if change:
            diff[teacher_id] = change
    assert (
        diff
        == golden_differences()
        == {
            "g-t1": Decimal("-8.0"),  # excellent +3 lost to the school-based cap; online cap -8
            "g-t2": Decimal("2.0"),  # lecturer x3
            "g-t3": Decimal("4.0"),  # excellent x1.25 on 16 h
            "g-t5": Decimal("-1.5"),  # online cap 12 (was 15 counted) + lecturer x3 (+1.5)
        }
    )


def test_every_zero_entry_of_the_year_says_why():
    reasons = {e.activity_id: e.reason for e in ledger(load_rule_set(V1_FILE)) if not e.hours}
    assert "missed 30 of 120 min" in reasons["g06"]
    assert "reflection of 800 characters, 1000 required" in reasons["g11"]
    assert "failed" in reasons["g12"]
    assert "checklist incomplete" in reasons["g17"]
    assert "no hour rule" in reasons["g18"]
    assert "no certificate" in reasons["g20"]
    assert "absent" in reasons["g22"]


def test_the_explanation_names_rule_and_version_for_every_activity():
    rules = load_rule_set(V2_FILE)
    entries = ledger(rules)
    totals = year_totals(rules, golden_profiles()["g-t1"], entries, YEAR)
    lines = explain(totals, entries)
    activity_lines = [line for line in lines if line.label.startswith("2026-")]
    assert len(activity_lines) == 4
    assert all("(510781@2026.1)" in line.rule for line in activity_lines)
    caps = {line.label: line.hours for line in lines if line.rule == "caps"}
    assert caps == {"cap school_based": Decimal("-3.0"), "cap online": Decimal("-18.0")}
    assert lines[-3].hours == Decimal("39.0")
