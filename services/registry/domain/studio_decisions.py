"""Decisions about studio stations, dissolving a community, and members transferred out."""

from __future__ import annotations

from datetime import date

from contracts import Event
from contracts.registry.v1 import (
    CloseStudioStation,
    CommunityDissolved,
    DissolveCommunity,
    MembershipEndReason,
    OpenStudioStation,
    SchoolLeftCommunity,
    SchoolRef,
    StudioStationClosed,
    StudioStationOpened,
    TeacherLeftCommunity,
)
from services.registry.domain import community_rules as r
from services.registry.domain.communities import CommunityState, Membership
from services.registry.domain.community_decisions import existing
from services.registry.domain.rules import check
from services.registry.domain.schools import SchoolState
from services.registry.domain.station_rules import (
    IsMember,
    LeavesAfterJoining,
    StationInAnotherCounty,
    StationNotOpenYet,
    StationsOnlyInStudios,
)

__all__ = [
    "decide_close_station",
    "decide_dissolve",
    "decide_member_transferred_out",
    "decide_open_station",
]


def decide_open_station(
    state: CommunityState, cmd: OpenStudioStation, host: SchoolState, today: date
) -> list[StudioStationOpened]:
    """Open a studio station at an open school of another county the studio spans."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    stint = state.open_stint("stations", cmd.station_id)
    if stint and (stint.host_school, stint.joined_on) == (cmd.host.school_id, cmd.effective_on):
        return []
    check(
        StationsOnlyInStudios(state.kind),
        StationNotOpenYet(stint, cmd.station_id),
        StationInAnotherCounty(state, cmd.host.county_code),
        r.MemberCountyInSpan(state, cmd.host.county_code),
        r.ClosedSchoolCannotJoin(host, cmd.host.school_id, cmd.effective_on),
    )
    return [StudioStationOpened(county_code=state.county, **cmd.model_dump())]


def decide_close_station(
    state: CommunityState, cmd: CloseStudioStation, today: date
) -> list[StudioStationClosed]:
    """Close an open station."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    stint = state.open_stint("stations", cmd.station_id)
    check(IsMember(stint, f"station {cmd.station_id}"))
    assert stint is not None and stint.host_school is not None
    check(LeavesAfterJoining(stint, cmd.effective_on))
    host = SchoolRef(county_code=stint.county, school_id=stint.host_school)
    return [StudioStationClosed(county_code=state.county, host=host, **cmd.model_dump())]


def _endings(state: CommunityState, day: date, reason: MembershipEndReason) -> list[Event]:
    """Events ending every open membership and station on ``day``."""
    base = {"county_code": state.county, "community_id": state.community_id}
    ending = {"effective_on": day, "reason": reason}
    events: list[Event] = []
    for m in _open(state.teachers):
        events.append(
            TeacherLeftCommunity(
                **base, **ending, teacher_id=m.member, teacher_county=m.county, member_role=m.role
            )
        )
    for m in _open(state.stations):
        host = SchoolRef(county_code=m.county, school_id=m.host_school or "")
        events.append(StudioStationClosed(**base, **ending, station_id=m.member, host=host))
    for m in _open(state.schools):
        school = SchoolRef(county_code=m.county, school_id=m.member.split("/", 1)[1])
        events.append(SchoolLeftCommunity(**base, **ending, school=school, member_role=m.role))
    return events


def _open(stints: tuple[Membership, ...]) -> list[Membership]:
    return [m for m in stints if m.left_on is None]


def decide_dissolve(state: CommunityState, cmd: DissolveCommunity, today: date) -> list[Event]:
    """Dissolve a community: every open membership and station ends that day, then it goes."""
    existing(state, cmd.community_id, cmd.effective_on, today)
    for stint in (*_open(state.schools), *_open(state.teachers), *_open(state.stations)):
        check(LeavesAfterJoining(stint, cmd.effective_on))
    dissolved = CommunityDissolved(county_code=state.county, **cmd.model_dump())
    return [*_endings(state, cmd.effective_on, MembershipEndReason.DISSOLVED), dissolved]


def decide_member_transferred_out(
    state: CommunityState, teacher_id: str, effective_on: date
) -> list[TeacherLeftCommunity]:
    """A teacher who left the county leaves its studios and groups (nothing if not a member)."""
    stint = state.open_stint("teachers", teacher_id)
    if not state.formed or state.dissolved_on is not None or stint is None:
        return []
    return [
        TeacherLeftCommunity(
            county_code=state.county,
            community_id=state.community_id,
            teacher_id=teacher_id,
            teacher_county=stint.county,
            member_role=stint.role,
            effective_on=max(effective_on, stint.joined_on),
            reason=MembershipEndReason.TRANSFERRED_OUT,
        )
    ]
