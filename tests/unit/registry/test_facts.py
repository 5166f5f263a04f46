"""Dated facts folded into versions and intervals: any recording order, same answers."""

from __future__ import annotations

from datetime import date
from itertools import permutations

import pytest

from contracts.registry import v1
from services.registry.views.facts import Fact, Interval, intervals, versions
from services.registry.views.mapping import community_facts, teacher_facts
from tests.unit.registry.builders import HOME, OTHER


def fact(attribute: str, day: date, sequence: int, value: object) -> Fact:
    return Fact("school", "S1", HOME, attribute, day, sequence, value)


REGISTERED = [
    fact("status", date(2010, 9, 1), 1, "open"),
    fact("name", date(2010, 9, 1), 1, "一小"),
]


def test_a_late_correction_lands_on_its_effective_date():
    renamed = fact("name", date(2020, 9, 1), 2, "实验小学")
    corrected = fact("name", date(2015, 9, 1), 3, "城关一小")  # recorded later, effective earlier
    found = versions([*REGISTERED, renamed, corrected])
    assert [(v.valid_from, v.valid_to, v.values["name"]) for v in found] == [
        (date(2010, 9, 1), date(2015, 9, 1), "一小"),
        (date(2015, 9, 1), date(2020, 9, 1), "城关一小"),
        (date(2020, 9, 1), None, "实验小学"),
    ]


@pytest.mark.parametrize("order", list(permutations(range(3))), ids=str)
def test_versions_do_not_depend_on_the_order_facts_are_read_in(order):
    facts = [
        *REGISTERED,
        fact("name", date(2020, 9, 1), 2, "实验小学"),
        fact("status", date(2024, 7, 1), 3, "closed"),
    ]
    shuffled = [facts[i + 1] for i in order] + [facts[0]]
    assert versions(shuffled) == versions(facts)


def test_facts_before_the_entity_exists_make_no_version_and_equal_neighbours_merge():
    early = fact("name", date(2000, 1, 1), 5, "一小")
    same = fact("name", date(2012, 1, 1), 6, "一小")
    assert len(versions([early, *REGISTERED, same])) == 1


def test_intervals_open_close_reopen_and_drop_empty_ones():
    join = {"role": "partner"}
    facts = [
        Fact("community", "C1", HOME, "school:x/S1", date(2021, 9, 1), 1, join),
        Fact("community", "C1", HOME, "school:x/S1", date(2022, 9, 1), 2, None),
        Fact("community", "C1", HOME, "school:x/S1", date(2023, 9, 1), 3, join),
        Fact("community", "C1", HOME, "school:x/S2", date(2023, 9, 1), 4, join),
        Fact("community", "C1", HOME, "school:x/S2", date(2023, 9, 1), 5, None),
        Fact("community", "C1", HOME, "name", date(2021, 9, 1), 1, "x"),
    ]
    assert list(intervals(facts, prefix="school:")) == [
        Interval("school:x/S1", date(2021, 9, 1), date(2022, 9, 1), join),
        Interval("school:x/S1", date(2023, 9, 1), None, join),
    ]


def test_a_transfer_out_states_the_new_school_and_the_ended_roles():
    moved = v1.TeacherTransferred(
        county_code=HOME,
        teacher_id="T1",
        movement="transfer",
        from_school_id="S1",
        to_county=OTHER,
        to_school_id="S2",
        effective_on=date(2024, 9, 1),
        keep_roles=False,
        roles_ended=["backbone_teacher"],
    )
    assert {
        (a, v if not isinstance(v, list) else tuple(v)) for _, _, a, _, v in teacher_facts(moved)
    } == {
        ("school", (OTHER, "S2")),
        ("role:backbone_teacher", False),
    }


def test_a_member_leaving_clears_its_attribute():
    left = v1.TeacherLeftCommunity(
        county_code=HOME,
        community_id="C1",
        teacher_id="T1",
        teacher_county=HOME,
        member_role="member",
        effective_on=date(2024, 9, 1),
    )
    assert community_facts(left) == [("community", "C1", "teacher:T1", date(2024, 9, 1), None)]
