"""Queries over request-reply: requests validated, answers wrapped (no broker needed)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.registry.queries import QUERIES, SchoolView
from services.registry.query_api import ANSWERS, answer, query_subject

SCHOOL = SchoolView(
    county_code="510781",
    school_id="S1",
    school_name="一小",
    stage="primary",
    location="urban",
    governance="county_run",
    ownership="public",
    status="open",
    since=date(2010, 9, 1),
)


class Reader:
    """Answers every question with one school, and remembers how it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def __getattr__(self, name):
        def ask(*args):
            self.asked.append((name, *args))
            return SCHOOL if name != "schools" else [SCHOOL]

        return ask


def test_every_query_has_an_answer():
    assert set(ANSWERS) == set(QUERIES)


async def test_a_query_is_answered_as_json_for_the_subjects_county():
    reader = Reader()
    reply = await answer(
        reader, "Schools", query_subject("510781", "Schools"), b'{"on": "2024-06-01"}'
    )  # type: ignore[arg-type]
    assert reply.ok and reply.result[0]["since"] == "2010-09-01"
    assert reader.asked == [("schools", "510781", date(2024, 6, 1), 0, 500)]


@pytest.mark.parametrize(
    ("name", "body", "why"),
    [
        ("School", b'{"school_id": "S 1", "on": "2024-06-01"}', "invalid query"),
        ("School", b'{"school_id": "S1"}', "invalid query"),
        ("Schools", b'{"on": "2024-06-01", "limit": 5000}', "invalid query"),
    ],
    ids=["bad-id", "no-date", "page-too-large"],
)
async def test_a_malformed_query_is_refused_with_the_reason(name, body, why):
    reply = await answer(Reader(), name, query_subject("510781", name), body)  # type: ignore[arg-type]
    assert not reply.ok and why in (reply.error or "")
