"""Each kind of rule, one parametrised test per kind, on the shipped default rules."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest

from contracts.activities.v1 import (
    ActivityLevel,
    AttendanceStatus,
    ParticipantRole,
    ParticipationSource,
    Result,
)
from services.credits.domain import UNMATCHED, entry_id, evaluate, match_rule
from services.credits.rules import load_rule_set
from tests.unit.credits.builders import CERTIFICATE, DEFAULT_FILE, document, record, rules_with

RULES = load_rule_set(DEFAULT_FILE)
P, L, A, E, ORG = (
    ParticipantRole.PRESENTER,
    ParticipantRole.LECTURER,
    ParticipantRole.ATTENDEE,
    ParticipantRole.EVALUATOR,
    ParticipantRole.ORGANISER,
)


@pytest.mark.parametrize(
    ("role", "hours", "shown"),
    [
        (P, "6.0", "× 2 (presenter)"),
        (L, "6.0", "× 2 (lecturer)"),
        (E, "4.5", "× 1.5 (evaluator)"),
        (A, "3.0", "3 h = 3 h"),
        (ORG, "3.0", "3 h = 3 h"),
    ],
)
def test_role_weight(role: ParticipantRole, hours: str, shown: str):
    entry = evaluate(RULES, record(kind="lesson_delivery", role=role))
    assert entry.hours == D(hours)
    assert shown in entry.reason


def test_a_rule_may_override_a_role_weight():
    entry = evaluate(
        RULES,
        record(
            kind="school_based_training", level=ActivityLevel.SCHOOL, role=L, result=Result.PASSED
        ),
    )
    assert entry.hours == D("12.0")  # lecturer weight 1.0 in the rule, not 2.0


@pytest.mark.parametrize(
    ("level", "hours"),
    [
        (ActivityLevel.SCHOOL, "3.0"),
        (ActivityLevel.COUNTY, "3.0"),
        (ActivityLevel.CITY, "3.6"),
        (ActivityLevel.PROVINCE, "4.5"),
        (ActivityLevel.NATIONAL, "6.0"),
    ],
)
def test_level_weight(level: ActivityLevel, hours: str):
    rules = rules_with(
        level_weights={"school": 1, "county": 1, "city": 1.2, "province": 1.5, "national": 2}
    )
    assert evaluate(rules, record(level=level)).hours == D(hours)


@pytest.mark.parametrize(
    ("result", "hours", "reason"),
    [
        (Result.PASSED, "12.0", "12 h (fixed) = 12 h"),
        (Result.EXCELLENT, "18.0", "× 1.5 (excellent)"),
        (Result.FAILED, "0", "failed the assessment"),
        (None, "0", "not assessed yet"),
    ],
)
def test_result_multiplier(result: Result | None, hours: str, reason: str):
    rules = rules_with(result_multipliers={"passed": 1, "excellent": 1.5})
    rec = record(
        kind="school_based_training", level=ActivityLevel.SCHOOL, result=result, reflection=1000
    )
    if result is None:
        rec = rec.model_copy(update={"assessed": True})
    entry = evaluate(rules, rec)
    assert (entry.hours, reason in entry.reason) == (D(hours), True), entry.reason


def test_an_activity_not_assessed_earns_without_a_result():
    assert evaluate(RULES, record(kind="lecture")).hours == D("3.0")


@pytest.mark.parametrize(
    ("overrides", "hours", "reason"),
    [
        ({"reflection": 999}, "0", "reflection of 999 characters, 1000 required"),
        ({"reflection": 1000}, "12.0", "12 h"),
        ({"reflection": 0, "role": L}, "12.0", "12 h"),  # only attendees must reflect
    ],
)
def test_evidence_reflection(overrides: dict[str, object], hours: str, reason: str):
    rec = record(
        kind="school_based_training", level=ActivityLevel.SCHOOL, result=Result.PASSED, **overrides
    )  # type: ignore[arg-type]
    entry = evaluate(RULES, rec)
    assert entry.hours == D(hours) and reason in entry.reason


@pytest.mark.parametrize(
    ("source", "certificate", "hours"),
    [
        (ParticipationSource.EXTERNAL, None, "0"),
        (ParticipationSource.EXTERNAL, CERTIFICATE, "10.0"),
        (ParticipationSource.ACTIVITY, None, "10.0"),
    ],  # only imported records need one
)
def test_evidence_certificate(source: ParticipationSource, certificate: object, hours: str):
    rec = record(
        kind="external_training_county",
        minutes=600,
        result=Result.PASSED,
        source=source,
        certificate=certificate,
    )  # type: ignore[arg-type]
    assert evaluate(RULES, rec).hours == D(hours)


@pytest.mark.parametrize(("role", "hours"), [(P, "0"), (A, "3.0")])
def test_evidence_checklist_for_presenters(role: ParticipantRole, hours: str):
    entry = evaluate(RULES, record(kind="open_day", role=role, checklist_complete=False))
    assert entry.hours == D(hours)


@pytest.mark.parametrize(
    ("attended", "hours"),
    [(180, "3.0"), (145, "3.0"), (144, "0"), (100, "0"), (0, "0"), (200, "3.0")],
)
def test_attendance_threshold_missing_a_fifth_or_more_earns_nothing(attended: int, hours: str):
    entry = evaluate(RULES, record(minutes=180, attended=attended))
    assert entry.hours == D(hours)
    if not entry.hours:
        assert "missing 20% of the time or more earns nothing" in entry.reason


@pytest.mark.parametrize(("fraction", "attended", "hours"), [(0.5, 100, "3.0"), (0.5, 90, "0")])
def test_attendance_threshold_is_configurable(fraction: float, attended: int, hours: str):
    rules = rules_with(max_missed_fraction=fraction)
    assert evaluate(rules, record(minutes=180, attended=attended)).hours == D(hours)


def test_an_absent_teacher_earns_nothing_even_with_minutes():
    entry = evaluate(RULES, record(attendance=AttendanceStatus.ABSENT))
    assert (entry.hours, entry.reason.endswith("absent, 0 h")) == (D(0), True)


@pytest.mark.parametrize(
    ("basis", "extra", "hours"),
    [("scheduled", {}, "3.0"), ("attended", {}, "2.5"), ("fixed", {"fixed_hours": 4}, "4.0")],
)
def test_hour_basis(basis: str, extra: dict[str, object], hours: str):
    doc = document()
    doc["hour_rules"][3] = {**doc["hour_rules"][3], "basis": basis, **extra}
    rules = rules_with(hour_rules=doc["hour_rules"])
    assert evaluate(rules, record(minutes=180, attended=150)).hours == D(hours)


@pytest.mark.parametrize(
    ("minutes", "hours", "capped"),
    [(6000, "100.0", False), (9000, "150.0", False), (12000, "150.0", True)],
)
def test_cap_per_activity(minutes: int, hours: str, capped: bool):
    rec = record(
        kind="external_training_province",
        level=ActivityLevel.PROVINCE,
        minutes=minutes,
        result=Result.PASSED,
    )
    entry = evaluate(RULES, rec)
    assert entry.hours == D(hours)
    assert ("capped at 150 h per activity" in entry.reason) is capped


def test_a_rules_own_cap_per_activity_is_tighter_than_the_categorys():
    doc = document()
    doc["hour_rules"][1]["max_hours"] = 40
    rules = rules_with(hour_rules=doc["hour_rules"])
    rec = record(kind="external_training_city", minutes=3000, result=Result.PASSED)
    assert evaluate(rules, rec).hours == D("40.0")


@pytest.mark.parametrize(
    ("category_rule", "minutes", "credits"),
    [
        ("lecture", 180, "0.30"),
        ("teaching_practice", 180, "0.15"),
        ("online_training", 600, "0.50"),
        ("lecture", 50, "0.08"),
    ],
)
def test_conversion_hours_to_credits_per_category(category_rule: str, minutes: int, credits: str):
    kind = {
        "lecture": "lecture",
        "teaching_practice": "lesson_delivery",
        "online_training": "online_training",
    }[category_rule]
    entry = evaluate(
        RULES,
        record(
            kind=kind, minutes=minutes, result=Result.PASSED if kind == "online_training" else None
        ),
    )
    assert (entry.rule_id, entry.credits) == (category_rule, D(credits))


def test_an_unknown_kind_gets_a_zero_entry_with_its_reason():
    entry = evaluate(RULES, record(kind="study_tour"))
    assert (entry.hours, entry.category, entry.rule_id) == (D(0), UNMATCHED, UNMATCHED)
    assert "no hour rule matches" in entry.reason


def test_the_first_matching_rule_wins_and_filters_narrow_it():
    doc = document()
    doc["hour_rules"].insert(
        0,
        {
            "id": "city_lectures",
            "kinds": ["lecture"],
            "levels": ["city"],
            "roles": ["lecturer"],
            "category": "centralised",
            "basis": "fixed",
            "fixed_hours": 8,
        },
    )
    rules = rules_with(hour_rules=doc["hour_rules"])
    assert match_rule(rules, record(level=ActivityLevel.CITY, role=L)).id == "city_lectures"
    assert match_rule(rules, record(level=ActivityLevel.CITY, role=A)).id == "lecture"
    assert match_rule(rules, record(level=ActivityLevel.COUNTY, role=L)).id == "lecture"


def test_hours_are_quantised_to_a_tenth_half_up():
    assert evaluate(RULES, record(minutes=45)).hours == D("0.8")  # 0.75
    assert evaluate(RULES, record(minutes=50)).hours == D("0.8")  # 0.8333
    assert evaluate(RULES, record(minutes=20)).hours == D("0.3")  # 0.3333


@pytest.mark.parametrize(
    ("basis", "on", "year", "cycle"),
    [
        ("calendar", date(2026, 8, 31), 2026, "2026-2030"),
        ("calendar", date(2025, 12, 31), 2025, "2021-2025"),
        ("school", date(2026, 8, 31), 2025, "2021-2025"),
        ("school", date(2026, 9, 1), 2026, "2026-2030"),
    ],
)
def test_year_basis_and_cycle(basis: str, on: date, year: int, cycle: str):
    entry = evaluate(rules_with(year_basis=basis), record(on=on))
    assert (entry.year, entry.cycle) == (year, cycle)


def test_the_entry_id_is_the_uuid5_of_teacher_activity_and_rule_version():
    entry = evaluate(RULES, record("a9", "t7"))
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://yanpei.example/credits/ledger-entry")
    assert entry.entry_id == str(uuid.uuid5(namespace, "t7/a9/default/2021.1"))
    assert entry.entry_id == entry_id("t7", "a9", "default", "2021.1")
    assert evaluate(rules_with(version="2"), record("a9", "t7")).entry_id != entry.entry_id


def test_an_entry_carries_what_explains_it():
    entry = evaluate(RULES, record(role=L), ("e1", "e2"))
    assert entry.source_event_ids == ("e1", "e2")
    assert (entry.rule_set_id, entry.rule_set_version, entry.role) == (
        "default",
        "2021.1",
        "lecturer",
    )
    assert entry.reason == "lecturer, county lecture: 3 h × 2 (lecturer) = 6 h"


@pytest.mark.parametrize(
    ("member", "rule_id"),
    [(True, "members_exchange"), (False, "teaching_practice"), (None, "teaching_practice")],
)
def test_a_rule_can_be_for_community_members_only(member: bool | None, rule_id: str):
    doc = document()
    doc["hour_rules"].insert(
        0,
        {
            "id": "members_exchange",
            "kinds": ["lesson_delivery"],
            "community_member": True,
            "category": "practice",
            "basis": "fixed",
            "fixed_hours": 5,
        },
    )
    rules = rules_with(hour_rules=doc["hour_rules"])
    rec = record(kind="lesson_delivery").model_copy(update={"community_member": member})
    assert evaluate(rules, rec).rule_id == rule_id


def test_a_duration_rule_without_minutes_earns_nothing_and_says_so():
    entry = evaluate(RULES, record(minutes=0))
    assert (entry.hours, entry.reason) == (D(0), "attendee, county lecture: no time recorded, 0 h")


def test_evidence_the_rule_set_requires_applies_to_every_rule():
    imported = {"source": ParticipationSource.EXTERNAL, "result": Result.PASSED}
    for kind in ("online_training", "external_training_national", "lecture"):
        entry = evaluate(RULES, record(kind=kind, **imported))  # type: ignore[arg-type]
        assert entry.reason.endswith("no certificate, 0 h"), entry.reason
    rules = rules_with(evidence=[])
    assert evaluate(rules, record(kind="lecture", **imported)).hours == D("3.0")  # type: ignore[arg-type]
