"""Counties and schools: decisions and their rules (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.registry import v1
from contracts.replies import NotFound, RuleBroken
from services.registry.domain.counties import (
    CountyState,
    decide_register_county,
    decide_rename_county,
    evolve_county,
)
from services.registry.domain.schools import (
    SchoolState,
    decide_change_school,
    decide_close_school,
    decide_register_school,
    decide_rename_school,
    decide_reopen_school,
    evolve_school,
)
from tests.unit.registry.builders import HOME, TODAY, school

COUNTY = v1.RegisterCounty(
    county_code=HOME,
    county_name="广汉市",
    city="德阳市",
    province="四川省",
    effective_on=date(2000, 1, 1),
)


def test_a_county_is_registered_once_and_the_same_registration_again_is_a_no_op():
    [event] = decide_register_county(CountyState(), COUNTY, TODAY)
    state = evolve_county(CountyState(), event)
    assert decide_register_county(state, COUNTY, TODAY) == []
    other = COUNTY.model_copy(update={"county_name": "别的名字"})
    with pytest.raises(RuleBroken) as refused:
        decide_register_county(state, other, TODAY)
    assert refused.value.rule == "CountyRegisteredOnce"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({}, "RenameChangesSomething"),
        ({"county_name": "新名", "effective_on": date(1999, 1, 1)}, "NotBefore"),
        ({"county_name": "新名", "effective_on": date(2027, 1, 1)}, "EffectiveDateWithinReach"),
    ],
    ids=["nothing-changes", "before-registration", "years-ahead"],
)
def test_a_county_rename_is_refused_by_its_rules(changes, rule):
    state = evolve_county(CountyState(), decide_register_county(CountyState(), COUNTY, TODAY)[0])
    command = v1.RenameCounty(**(COUNTY.model_dump() | changes))
    with pytest.raises(RuleBroken) as refused:
        decide_rename_county(state, command, TODAY)
    assert refused.value.rule == rule


def test_renaming_an_unknown_county_is_not_found():
    with pytest.raises(NotFound):
        decide_rename_county(CountyState(), v1.RenameCounty(**COUNTY.model_dump()), TODAY)


def _ids(**more):
    return {"county_code": HOME, "school_id": "S1"} | more


def school_registered_values(name: str) -> dict:
    return _ids(
        school_name=name,
        stage="primary",
        location="urban",
        governance="county_run",
        ownership="public",
        effective_on=date(2010, 9, 1),
    )


@pytest.mark.parametrize(
    ("state", "decide", "command", "rule"),
    [
        (
            school(),
            decide_register_school,
            v1.RegisterSchool(**school_registered_values("新名")),
            "SchoolRegisteredOnce",
        ),
        (
            school(),
            decide_rename_school,
            v1.RenameSchool(**_ids(school_name="学校S1", effective_on=date(2020, 1, 1))),
            "ChangeChangesSomething",
        ),
        (
            school(),
            decide_rename_school,
            v1.RenameSchool(**_ids(school_name="新", effective_on=date(2001, 1, 1))),
            "NotBefore",
        ),
        (
            school(),
            decide_change_school,
            v1.ChangeSchoolAttributes(**_ids(stage="primary", effective_on=date(2020, 1, 1))),
            "ChangeChangesSomething",
        ),
        (
            school(closed_on=date(2024, 7, 1)),
            decide_close_school,
            v1.CloseSchool(**_ids(effective_on=date(2024, 9, 1))),
            "SchoolStatusIs",
        ),
        (
            school(),
            decide_reopen_school,
            v1.ReopenSchool(**_ids(effective_on=date(2024, 9, 1))),
            "SchoolStatusIs",
        ),
        (
            school(closed_on=date(2024, 7, 1)),
            decide_reopen_school,
            v1.ReopenSchool(**_ids(effective_on=date(2024, 6, 1))),
            "StatusChangesMoveForward",
        ),
        (
            school(),
            decide_close_school,
            v1.CloseSchool(**_ids(effective_on=date(2030, 1, 1))),
            "EffectiveDateWithinReach",
        ),
    ],
    ids=[
        "twice",
        "same-name",
        "rename-before-registration",
        "no-change",
        "close-closed",
        "reopen-open",
        "reopen-before-closing",
        "years-ahead",
    ],
)
def test_school_commands_are_refused_by_their_rules(state, decide, command, rule):
    with pytest.raises(RuleBroken) as refused:
        decide(state, command, TODAY)
    assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("decide", "command"),
    [
        (
            decide_rename_school,
            v1.RenameSchool(**_ids(school_name="x", effective_on=date(2020, 1, 1))),
        ),
        (decide_close_school, v1.CloseSchool(**_ids(effective_on=date(2020, 1, 1)))),
    ],
    ids=["rename", "close"],
)
def test_changing_an_unregistered_school_is_not_found(decide, command):
    with pytest.raises(NotFound):
        decide(SchoolState(), command, TODAY)


def test_a_school_change_records_only_the_attributes_that_differ():
    command = v1.ChangeSchoolAttributes(
        **_ids(stage="primary", location="town", effective_on=date(2020, 1, 1))
    )
    [event] = decide_change_school(school(), command, TODAY)
    assert (event.stage, event.location) == (None, v1.SchoolLocation.TOWN)


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        (date(2010, 8, 31), False),
        (date(2010, 9, 1), True),
        (date(2024, 6, 30), True),
        (date(2024, 7, 1), False),
        (date(2025, 3, 1), True),
    ],
)
def test_a_school_is_open_between_registration_and_closure_and_after_reopening(day, is_open):
    closed = school(closed_on=date(2024, 7, 1))
    [reopened] = decide_reopen_school(
        closed, v1.ReopenSchool(**_ids(effective_on=date(2025, 3, 1))), TODAY
    )
    assert evolve_school(closed, reopened).is_open_on(day) is is_open
