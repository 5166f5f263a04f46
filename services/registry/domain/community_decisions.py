"""Decisions on the community aggregate: each takes the state, the command and the facts it
needs (member school or teacher state, today's date) and returns the events to record."""

from __future__ import annotations

from datetime import date

from contracts.registry.v1 import (
    AddSchoolToCommunity,
    AddTeacherToCommunity,
    CommunityFormed,
    CommunityRenamed,
    FormCommunity,
    RemoveSchoolFromCommunity,
    RemoveTeacherFromCommunity,
    RenameCommunity,
    SchoolJoinedCommunity,
    SchoolLeftCommunity,
    TeacherJoinedCommunity,
    TeacherLeftCommunity,
)
from services.registry.domain import community_rules as r
from services.registry.domain.communities import CommunityState, school_key
from services.registry.domain.rules import (
    EffectiveDateWithinReach,
    NotBefore,
    check,
    must_exist,
)
from services.registry.domain.schools import SchoolState
from services.registry.domain.station_rules import IsMember, LeavesAfterJoining, StationOpenOn
from services.registry.domain.teacher_rules import NotRetired, TeacherIsHere
from services.registry.domain.teachers import TeacherState

__all__ = [
    "decide_add_school",
    "decide_add_teacher",
    "decide_form",
    "decide_remove_school",
    "decide_remove_teacher",
    "decide_rename_community",
    "existing",
]


def existing(state: CommunityState, community_id: str, effective_on: date, today: date) -> None:
    """The checks every change to a community passes."""
    must_exist(state.formed, f"community {community_id}", "community_id")
    check(
        r.NotDissolved(state),
        NotBefore(effective_on, state.formed_on, "the community's formation"),
        EffectiveDateWithinReach(effective_on, today),
    )


def decide_form(
    state: CommunityState, cmd: FormCommunity, county: str, today: date
) -> list[CommunityFormed]:
    """Form a community kept by ``county``; the same formation again writes nothing."""
    event = CommunityFormed(county_code=county, **cmd.model_dump())
    if state.formed and (state.kind, state.counties, state.formed_on) == (
        cmd.community_kind,
        tuple(cmd.counties),
        cmd.effective_on,
    ):
        return []
    counties = tuple(cmd.counties)
    check(
        r.CommunityFormedOnce(state),
        r.SpansItsHomeCounty(county, counties),
        r.SpanFitsKind(cmd.community_kind, counties),
        EffectiveDateWithinReach(cmd.effective_on, today),
    )
    return [event]


def decide_rename_community(
    state: CommunityState, cmd: RenameCommunity, today: date
) -> list[CommunityRenamed]:
    """Rename a community."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    if cmd.community_name == state.community_name:
        return []
    return [CommunityRenamed(county_code=state.county, **cmd.model_dump())]


def decide_add_school(
    state: CommunityState, cmd: AddSchoolToCommunity, school: SchoolState, today: date
) -> list[SchoolJoinedCommunity]:
    """Add a lead or partner school, open on the day, from a county the community spans."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    key = school_key(cmd.school.county_code, cmd.school.school_id)
    stint = state.open_stint("schools", key)
    if stint and (stint.role, stint.joined_on) == (cmd.member_role, cmd.effective_on):
        return []
    day = cmd.effective_on
    check(
        r.MemberCountyInSpan(state, cmd.school.county_code),
        r.ClosedSchoolCannotJoin(school, cmd.school.school_id, day),
        r.NeverBothLeadAndPartner(state, key, day),
        r.OneLeadSchoolAtATime(state, cmd.member_role, day),
        r.LeadFitsKind(state.kind, cmd.member_role, school),
        r.OnePartnerPerCounty(state, cmd.member_role, cmd.school.county_code, day),
    )
    return [SchoolJoinedCommunity(county_code=state.county, **cmd.model_dump())]


def decide_remove_school(
    state: CommunityState, cmd: RemoveSchoolFromCommunity, today: date
) -> list[SchoolLeftCommunity]:
    """End a school's membership."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    key = school_key(cmd.school.county_code, cmd.school.school_id)
    stint = state.open_stint("schools", key)
    check(IsMember(stint, f"school {key}"))
    assert stint is not None
    check(LeavesAfterJoining(stint, cmd.effective_on))
    return [
        SchoolLeftCommunity(county_code=state.county, member_role=stint.role, **cmd.model_dump())
    ]


def decide_add_teacher(
    state: CommunityState, cmd: AddTeacherToCommunity, teacher: TeacherState, today: date
) -> list[TeacherJoinedCommunity]:
    """Add a member teacher to a studio or group."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    stint = state.open_stint("teachers", cmd.teacher_id)
    if stint and (stint.role, stint.joined_on) == (cmd.member_role, cmd.effective_on):
        return []
    must_exist(teacher.registered, f"teacher {cmd.teacher_id}", "teacher_id")
    check(
        r.TeachersOnlyInStudiosAndGroups(state.kind),
        TeacherIsHere(teacher),
        NotRetired(teacher),
        r.MemberCountyInSpan(state, cmd.teacher_county),
        r.NotAMemberYet(state, cmd.teacher_id, cmd.effective_on),
        r.TeacherRoleFitsKind(state, cmd.member_role, cmd.effective_on),
        StationOpenOn(state, cmd.station_id, cmd.effective_on),
    )
    return [TeacherJoinedCommunity(county_code=state.county, **cmd.model_dump())]


def decide_remove_teacher(
    state: CommunityState, cmd: RemoveTeacherFromCommunity, today: date
) -> list[TeacherLeftCommunity]:
    """End a teacher's membership."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    stint = state.open_stint("teachers", cmd.teacher_id)
    check(IsMember(stint, f"teacher {cmd.teacher_id}"))
    assert stint is not None
    check(LeavesAfterJoining(stint, cmd.effective_on))
    return [
        TeacherLeftCommunity(
            county_code=state.county,
            teacher_county=stint.county,
            member_role=stint.role,
            **cmd.model_dump(),
        )
    ]
