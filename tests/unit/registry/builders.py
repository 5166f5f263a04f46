"""Building registry states and commands for the domain tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from contracts import Contract
from contracts.registry import v1
from services.registry.domain.communities import CommunityState, evolve_community
from services.registry.domain.schools import SchoolState, evolve_school
from services.registry.domain.teachers import TeacherState, evolve_teacher

HOME, OTHER = "510781", "510722"
TODAY = date(2025, 3, 1)


def fold(state: Any, evolve: Any, events: Iterable[Contract]) -> Any:
    for event in events:
        state = evolve(state, event)
    return state


def school_registered(
    school_id: str = "S1", county: str = HOME, **changes: Any
) -> v1.SchoolRegistered:
    values = {
        "county_code": county,
        "school_id": school_id,
        "school_name": f"学校{school_id}",
        "stage": "primary",
        "location": "urban",
        "governance": "county_run",
        "ownership": "public",
        "effective_on": date(2010, 9, 1),
    }
    return v1.SchoolRegistered(**(values | changes))


def school(
    school_id: str = "S1", county: str = HOME, *, closed_on: date | None = None, **changes: Any
) -> SchoolState:
    events: list[Contract] = [school_registered(school_id, county, **changes)]
    if closed_on:
        events.append(
            v1.SchoolClosed(county_code=county, school_id=school_id, effective_on=closed_on)
        )
    return fold(SchoolState(), evolve_school, events)


def register_teacher(**changes: Any) -> v1.RegisterTeacher:
    values = {
        "teacher_id": "T1",
        "teacher_name": "张三",
        "school_id": "S1",
        "stage": "primary",
        "subjects": ["数学"],
        "title": "first_grade",
        "hire_date": date(2015, 9, 1),
        "roles": ["backbone_teacher"],
        "effective_on": date(2016, 9, 1),
    }
    return v1.RegisterTeacher(**(values | changes))


def teacher(*events: Contract, county: str = HOME, **changes: Any) -> TeacherState:
    registered = v1.TeacherRegistered(
        county_code=county, **register_teacher(**changes).model_dump()
    )
    return fold(TeacherState(), evolve_teacher, [registered, *events])


def community(
    kind: str = "county_one_plus_n", counties: tuple[str, ...] = (HOME,), *events: Contract
) -> CommunityState:
    formed = v1.CommunityFormed(
        county_code=counties[0],
        community_id="C1",
        community_name="共同体",
        community_kind=kind,
        counties=list(counties),
        effective_on=date(2020, 9, 1),
    )
    return fold(CommunityState(), evolve_community, [formed, *events])


def school_joined(
    school_id: str, role: str, day: date = date(2021, 9, 1), county: str = HOME
) -> v1.SchoolJoinedCommunity:
    return v1.SchoolJoinedCommunity(
        county_code=HOME,
        community_id="C1",
        school=v1.SchoolRef(county_code=county, school_id=school_id),
        member_role=role,
        effective_on=day,
    )


def school_left(school_id: str, role: str, day: date, county: str = HOME) -> v1.SchoolLeftCommunity:
    return v1.SchoolLeftCommunity(
        county_code=HOME,
        community_id="C1",
        school=v1.SchoolRef(county_code=county, school_id=school_id),
        member_role=role,
        effective_on=day,
    )


def teacher_joined(
    teacher_id: str, role: str = "member", day: date = date(2021, 9, 1), **more: Any
) -> v1.TeacherJoinedCommunity:
    return v1.TeacherJoinedCommunity(
        county_code=HOME,
        community_id="C1",
        teacher_id=teacher_id,
        teacher_county=more.pop("teacher_county", HOME),
        member_role=role,
        effective_on=day,
        **more,
    )
