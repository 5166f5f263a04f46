"""Pairing communities: formation, member schools, member teachers, stations (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.registry import v1
from contracts.replies import RuleBroken
from services.registry.domain import community_decisions as c
from services.registry.domain import studio_decisions as s
from services.registry.domain.communities import CommunityState, evolve_community
from tests.unit.registry.builders import (
    HOME,
    OTHER,
    TODAY,
    community,
    fold,
    school,
    school_joined,
    school_left,
    teacher,
    teacher_joined,
)

DAY = date(2022, 9, 1)


def _form(kind: str, counties: list[str]) -> v1.FormCommunity:
    return v1.FormCommunity(
        community_id="C1",
        community_name="x",
        community_kind=kind,
        counties=counties,
        effective_on=DAY,
    )


@pytest.mark.parametrize(
    ("kind", "counties", "rule"),
    [
        ("county_one_plus_n", [HOME, OTHER], "SpanFitsKind"),
        ("cross_county", [HOME], "SpanFitsKind"),
        ("metropolitan_alliance", [HOME], "SpanFitsKind"),
        ("cross_county", [OTHER, HOME], "SpansItsHomeCounty"),
    ],
    ids=["1+N-in-two-counties", "cross-county-in-one", "alliance-in-one", "home-not-first"],
)
def test_formation_is_refused_when_the_span_does_not_fit(kind, counties, rule):
    with pytest.raises(RuleBroken) as refused:
        c.decide_form(CommunityState(), _form(kind, counties), HOME, TODAY)
    assert refused.value.rule == rule


def test_a_community_is_formed_once_and_the_same_formation_again_is_a_no_op():
    state = community("cross_county", (HOME, OTHER))
    same = v1.FormCommunity(
        community_id="C1",
        community_name="共同体",
        community_kind="cross_county",
        counties=[HOME, OTHER],
        effective_on=date(2020, 9, 1),
    )
    assert c.decide_form(state, same, HOME, TODAY) == []
    with pytest.raises(RuleBroken):
        c.decide_form(state, _form("cross_county", [HOME, OTHER]), HOME, TODAY)


def _add(school_id: str, role: str, day: date = DAY, county: str = HOME) -> v1.AddSchoolToCommunity:
    return v1.AddSchoolToCommunity(
        community_id="C1",
        school=v1.SchoolRef(county_code=county, school_id=school_id),
        member_role=role,
        effective_on=day,
    )


WITH_LEAD = community("county_one_plus_n", (HOME,), school_joined("S1", "lead"))


@pytest.mark.parametrize(
    ("state", "command", "school_state", "rule"),
    [
        (WITH_LEAD, _add("S2", "lead"), school("S2"), "OneLeadSchoolAtATime"),
        (
            community("county_one_plus_n", (HOME,), school_joined("S1", "lead", date(2023, 9, 1))),
            _add("S2", "lead"),
            school("S2"),
            "OneLeadSchoolAtATime",
        ),
        (WITH_LEAD, _add("S1", "partner"), school("S1"), "NeverBothLeadAndPartner"),
        (
            WITH_LEAD,
            _add("S2", "partner"),
            school("S2", closed_on=date(2022, 7, 1)),
            "ClosedSchoolCannotJoin",
        ),
        (WITH_LEAD, _add("S9", "partner", county=OTHER), school("S9", OTHER), "MemberCountyInSpan"),
        (community(), _add("S2", "lead"), school("S2", location="rural"), "LeadFitsKind"),
        (community("city_wide", (HOME, OTHER)), _add("S2", "lead"), school("S2"), "LeadFitsKind"),
        (
            community("city_wide", (HOME, OTHER), school_joined("S3", "partner", county=OTHER)),
            _add("S4", "partner", county=OTHER),
            school("S4", OTHER),
            "OnePartnerPerCounty",
        ),
        (WITH_LEAD, _add("S2", "partner", day=date(2020, 1, 1)), school("S2"), "NotBefore"),
    ],
    ids=[
        "second-lead",
        "lead-later-overlaps",
        "lead-as-partner",
        "closed",
        "county-outside-span",
        "rural-1+N-lead",
        "city-wide-lead-not-city-direct",
        "second-partner-in-county",
        "before-formation",
    ],
)
def test_a_school_joining_is_refused_by_the_rules(state, command, school_state, rule):
    with pytest.raises(RuleBroken) as refused:
        c.decide_add_school(state, command, school_state, TODAY)
    assert refused.value.rule == rule


def test_a_new_lead_may_join_the_day_the_old_one_leaves():
    state = fold(WITH_LEAD, evolve_community, [school_left("S1", "lead", date(2024, 9, 1))])
    [joined] = c.decide_add_school(state, _add("S2", "lead", date(2024, 9, 1)), school("S2"), TODAY)
    assert joined.member_role == v1.SchoolMemberRole.LEAD


def test_adding_the_same_membership_again_writes_nothing():
    assert (
        c.decide_add_school(WITH_LEAD, _add("S1", "lead", date(2021, 9, 1)), school("S1"), TODAY)
        == []
    )


def _add_teacher(teacher_id: str = "T1", role: str = "member", **more) -> v1.AddTeacherToCommunity:
    return v1.AddTeacherToCommunity(
        community_id="C1",
        teacher_id=teacher_id,
        teacher_county=more.pop("teacher_county", HOME),
        member_role=role,
        effective_on=more.pop("day", DAY),
        **more,
    )


STUDIO = community("master_teacher_studio", (HOME, OTHER), teacher_joined("T0", "host"))
RETIRED = teacher(
    v1.TeacherRetired(county_code=HOME, teacher_id="T1", effective_on=date(2022, 1, 1))
)


@pytest.mark.parametrize(
    ("state", "command", "teacher_state", "rule"),
    [
        (community("area_cluster"), _add_teacher(), teacher(), "TeachersOnlyInStudiosAndGroups"),
        (STUDIO, _add_teacher(role="host"), teacher(), "TeacherRoleFitsKind"),
        (community("subject_group"), _add_teacher(role="host"), teacher(), "TeacherRoleFitsKind"),
        (STUDIO, _add_teacher(role="leader"), teacher(), "TeacherRoleFitsKind"),
        (STUDIO, _add_teacher("T0"), teacher(teacher_id="T0"), "NotAMemberYet"),
        (STUDIO, _add_teacher(), RETIRED, "NotRetired"),
        (STUDIO, _add_teacher(station_id="ST9"), teacher(), "StationOpenOn"),
        (
            community("subject_group"),
            _add_teacher(teacher_county=OTHER),
            teacher(county=OTHER),
            "MemberCountyInSpan",
        ),
    ],
    ids=[
        "cluster-has-no-teachers",
        "second-host",
        "host-in-a-group",
        "leader-in-a-studio",
        "already-member",
        "retired",
        "unknown-station",
        "county-outside-span",
    ],
)
def test_a_teacher_joining_is_refused_by_the_rules(state, command, teacher_state, rule):
    with pytest.raises(RuleBroken) as refused:
        c.decide_add_teacher(state, command, teacher_state, TODAY)
    assert refused.value.rule == rule


def _station(county: str = OTHER, station_id: str = "ST1") -> v1.OpenStudioStation:
    return v1.OpenStudioStation(
        community_id="C1",
        station_id=station_id,
        station_name="工作站",
        host=v1.SchoolRef(county_code=county, school_id="S9"),
        effective_on=DAY,
    )


@pytest.mark.parametrize(
    ("state", "command", "host", "rule"),
    [
        (community("subject_group"), _station(), school("S9", OTHER), "StationsOnlyInStudios"),
        (STUDIO, _station(HOME), school("S9", HOME), "StationInAnotherCounty"),
        (
            STUDIO,
            _station(),
            school("S9", OTHER, closed_on=date(2021, 1, 1)),
            "ClosedSchoolCannotJoin",
        ),
    ],
    ids=["not-a-studio", "same-county", "host-closed"],
)
def test_a_station_opening_is_refused_by_the_rules(state, command, host, rule):
    with pytest.raises(RuleBroken) as refused:
        s.decide_open_station(state, command, host, TODAY)
    assert refused.value.rule == rule


def test_an_open_station_takes_members_and_cannot_open_again():
    [opened] = s.decide_open_station(STUDIO, _station(), school("S9", OTHER), TODAY)
    state = evolve_community(STUDIO, opened)
    again = _station().model_copy(update={"effective_on": date(2023, 1, 1)})
    with pytest.raises(RuleBroken) as refused:
        s.decide_open_station(state, again, school("S9", OTHER), TODAY)
    assert refused.value.rule == "StationNotOpenYet"
    command = _add_teacher("T7", station_id="ST1", teacher_county=OTHER, day=date(2022, 10, 1))
    [joined] = c.decide_add_teacher(state, command, teacher(teacher_id="T7", county=OTHER), TODAY)
    assert joined.station_id == "ST1"


def test_dissolving_ends_every_open_membership_on_the_day_then_dissolves():
    state = community(
        "master_teacher_studio",
        (HOME, OTHER),
        school_joined("S1", "lead"),
        teacher_joined("T0", "host"),
        teacher_joined("T1"),
    )
    events = s.decide_dissolve(
        state, v1.DissolveCommunity(community_id="C1", effective_on=date(2025, 1, 1)), TODAY
    )
    assert [type(e).__name__ for e in events] == [
        "TeacherLeftCommunity",
        "TeacherLeftCommunity",
        "SchoolLeftCommunity",
        "CommunityDissolved",
    ]
    assert {e.effective_on for e in events} == {date(2025, 1, 1)}
    dissolved = fold(state, evolve_community, events)
    with pytest.raises(RuleBroken) as refused:
        c.decide_add_teacher(
            dissolved, _add_teacher("T2", day=date(2025, 2, 1)), teacher(teacher_id="T2"), TODAY
        )
    assert refused.value.rule == "NotDissolved"


@pytest.mark.parametrize(
    ("state", "left"),
    [(STUDIO, ["T0"]), (community("subject_group"), [])],
    ids=["member", "not-a-member"],
)
def test_a_teacher_transferred_out_leaves_the_studio_and_nothing_else(state, left):
    events = s.decide_member_transferred_out(state, "T0", date(2024, 9, 1))
    assert [e.teacher_id for e in events] == left
    assert all(e.reason == v1.MembershipEndReason.TRANSFERRED_OUT for e in events)


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        (
            v1.RemoveTeacherFromCommunity(community_id="C1", teacher_id="T9", effective_on=DAY),
            "IsMember",
        ),
        (
            v1.RemoveTeacherFromCommunity(
                community_id="C1", teacher_id="T0", effective_on=date(2021, 9, 1)
            ),
            "LeavesAfterJoining",
        ),
    ],
    ids=["not-a-member", "leaves-the-day-it-joined"],
)
def test_a_teacher_leaving_is_refused_by_the_rules(command, rule):
    state = community("master_teacher_studio", (HOME, OTHER), teacher_joined("T0", "host"))
    with pytest.raises(RuleBroken) as refused:
        c.decide_remove_teacher(state, command, TODAY)
    assert refused.value.rule == rule
