"""The credits API end to end on the shipped default rules: a first, simple check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contracts.activities.v1 import ActivityLevel, ParticipantRole, Result
from services.credits.domain import cycle_totals, evaluate, explain, year_totals
from services.credits.rules import RuleBook, load_rule_set
from tests.unit.credits.builders import DEFAULT_FILE, profile, record


def test_a_year_of_simple_records_adds_up():
    rules = load_rule_set(DEFAULT_FILE)
    entries = [
        evaluate(rules, record("a1")),
        evaluate(rules, record("a2", role=ParticipantRole.LECTURER)),
        evaluate(
            rules,
            record(
                "a3",
                kind="school_based_training",
                level=ActivityLevel.SCHOOL,
                result=Result.PASSED,
                reflection=1200,
            ),
        ),
    ]
    assert [e.hours for e in entries] == [Decimal("3.0"), Decimal("6.0"), Decimal("12.0")]
    totals = year_totals(rules, profile(), entries, 2026)
    assert totals.hours == Decimal("21.0")
    assert totals.shortfall == Decimal("15.0")
    assert explain(totals, entries)[0].rule == "lecture (default@2021.1)"
    assert cycle_totals(rules, profile(), entries, "2026-2030").target == Decimal("360.0")


def test_the_shipped_rule_book_has_510781_v1_and_the_default_fallback():
    book = RuleBook.default()
    assert book.for_date("510781", date(2026, 1, 1)).label == "510781@2021.1"
    assert book.for_date("510000", date(2026, 1, 1)).label == "default@2021.1"
