"""Properties of the rule engine over generated records (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.activities.v1 import (
    ActivityLevel,
    AttendanceStatus,
    Certificate,
    ParticipantRole,
    ParticipationRecord,
    ParticipationSource,
    Result,
)
from services.credits.domain import cycle_totals, evaluate, explain, year_totals
from services.credits.rules import load_rule_set
from tests.unit.credits.builders import DEFAULT_FILE, V2_FILE, profile, record, rules_with

SCHOOL_YEARS = rules_with(
    year_basis="school",
    caps=[
        {"category": "centralised", "per": "cycle", "hours": 60},  # a cycle cap alone
        {"category": "practice", "per": "activity", "hours": 4},
        {"category": "practice", "per": "year", "hours": 9},
        {"category": "practice", "per": "cycle", "hours": 30},
        {"category": "online", "per": "year", "hours": 5},
    ],
)
RULE_SETS = [load_rule_set(DEFAULT_FILE), load_rule_set(V2_FILE), SCHOOL_YEARS]
KINDS = [
    "lecture",
    "lesson_delivery",
    "class_observation",
    "school_based_training",
    "online_training",
    "external_training_county",
    "external_training_province",
    "competition",
    "open_day",
    "reading_club",
]
TEACHERS = ["t1", "t2", "t3"]
START = date(2026, 1, 1)


@st.composite
def records(draw: st.DrawFn, activity_id: str) -> ParticipationRecord:
    """Any participation of three teachers over the 2026-2030 cycle."""
    minutes = draw(st.integers(0, 3000))
    return record(
        activity_id,
        draw(st.sampled_from(TEACHERS)),
        kind=draw(st.sampled_from(KINDS)),
        level=draw(st.sampled_from(list(ActivityLevel))),
        role=draw(st.sampled_from(list(ParticipantRole))),
        minutes=minutes,
        attended=draw(st.integers(0, minutes + 30)),
        result=draw(st.none() | st.sampled_from(list(Result))),
        reflection=draw(st.integers(0, 2000)),
        certificate=draw(st.none() | st.just(Certificate(certificate_ref="c", issuer="i"))),
        on=START + timedelta(days=draw(st.integers(0, 5 * 365))),
        source=draw(st.sampled_from(list(ParticipationSource))),
        attendance=draw(st.sampled_from(list(AttendanceStatus))),
        checklist_complete=draw(st.booleans()),
    )


@st.composite
def ledgers(draw: st.DrawFn) -> list[ParticipationRecord]:
    n = draw(st.integers(0, 40))
    return [draw(records(f"a{i}")) for i in range(n)]


rule_sets = st.sampled_from(RULE_SETS)


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers())
def test_caps_are_never_exceeded(rules, recs):
    entries = [evaluate(rules, r) for r in recs]
    for teacher in TEACHERS:
        for totals in (
            year_totals(rules, profile(teacher), entries, 2027),
            cycle_totals(rules, profile(teacher), entries, "2026-2030"),
        ):
            for category in totals.categories.values():
                assert category.counted <= category.earned
                if category.cap is not None:
                    assert category.counted <= category.cap
                assert category.capped == (category.counted < category.earned)
    for entry in entries:
        cap = rules.cap(entry.category, "activity")  # type: ignore[arg-type]
        assert cap is None or entry.hours <= cap


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers())
def test_totals_equal_the_sum_of_counted_entries(rules, recs):
    entries = [evaluate(rules, r) for r in recs]
    for teacher in TEACHERS:
        totals = year_totals(rules, profile(teacher), entries, 2028)
        mine = [e for e in entries if e.teacher_id == teacher and e.year == 2028]
        assert totals.hours == sum((c.counted for c in totals.categories.values()), Decimal(0))
        for key, category in totals.categories.items():
            assert category.earned == sum((e.hours for e in mine if e.category == key), Decimal(0))
            if not category.capped:
                assert category.counted == category.earned
        assert totals.shortfall == max(
            totals.target - totals.hours,
            sum(c.shortfall for c in totals.categories.values()),
            Decimal(0),
        )


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers())
def test_evaluating_the_same_records_twice_gives_identical_entries(rules, recs):
    first = [evaluate(rules, r, (f"e-{r.activity_id}",)) for r in recs]
    second = [evaluate(rules, r, (f"e-{r.activity_id}",)) for r in recs]
    assert first == second
    assert len({e.entry_id for e in first}) == len({(r.teacher_id, r.activity_id) for r in recs})


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers(), st.randoms(use_true_random=False))
def test_shuffling_record_order_does_not_change_totals(rules, recs, rnd: random.Random):
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    in_order = [evaluate(rules, r) for r in recs]
    reordered = [evaluate(rules, r) for r in shuffled]
    assert sorted(in_order, key=lambda e: e.entry_id) == sorted(reordered, key=lambda e: e.entry_id)
    for teacher in TEACHERS:
        p = profile(teacher)
        assert year_totals(rules, p, in_order, 2026) == year_totals(rules, p, reordered, 2026)
        assert cycle_totals(rules, p, in_order, "2026-2030") == cycle_totals(
            rules, p, reordered, "2026-2030"
        )


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers())
def test_every_zero_hour_entry_says_why(rules, recs):
    for entry in (evaluate(rules, r) for r in recs):
        assert entry.hours >= 0
        assert entry.hours == entry.hours.quantize(Decimal("0.1"))
        assert entry.reason.startswith(f"{entry.role}, {entry.activity_level} ")
        if entry.hours == 0:  # refused (", 0 h"), or a calculation that comes to nothing
            assert entry.reason.endswith((", 0 h", "= 0 h")), entry.reason


@settings(max_examples=30, deadline=None)
@given(rule_sets, ledgers())
def test_an_explanation_adds_up_to_its_total(rules, recs):
    entries = [evaluate(rules, r) for r in recs]
    for totals in (
        year_totals(rules, profile("t1"), entries, 2029),
        cycle_totals(rules, profile("t2"), entries, "2026-2030"),
    ):
        lines = explain(totals, entries)
        activity = [
            line
            for line in lines
            if line.note.startswith(tuple(f"{role.value}, " for role in ParticipantRole))
        ]
        caps = [line for line in lines if line.rule == "caps"]
        assert (
            sum((line.hours or Decimal(0) for line in activity + caps), Decimal(0)) == totals.hours
        )
        assert lines[-3].hours == totals.hours and lines[-1].hours == totals.shortfall
