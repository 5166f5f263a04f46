"""The replay's memoised rule engine gives exactly the engine's entries, record by record."""

from __future__ import annotations

from services.credits.computing import Evaluator, row_of
from services.credits.domain import evaluate
from services.credits.rules import RuleBook
from tests.fixtures.credits.synthetic import records
from tests.integration.credits.conftest import moved, v1_book
from tests.unit.credits.golden import golden_records


def test_memoised_entries_equal_the_engine_on_golden_and_synthetic_records() -> None:
    county = "990001"
    cases = [
        (v1_book(county), [moved(r, county) for r in golden_records()] * 2),
        (RuleBook.default(), list(records(county, 40, 25))),
    ]
    for book, recs in cases:
        evaluator, rows = Evaluator(book), Evaluator(book)
        for i, record in enumerate(recs):
            rules = book.for_date(record.teacher_county, record.activity_date)
            engine = evaluate(rules, record, (f"e{i}",))
            assert evaluator.entry(rules, record, f"e{i}") == engine
            assert rows.entry_row(record, f"e{i}") == {**row_of(engine), "revision": 1}
