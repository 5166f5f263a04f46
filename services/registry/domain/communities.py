"""The pairing community aggregate (教研共同体): kind, span, members and stations, with dates.

A membership runs from the day it starts up to the day before it ends (``left_on`` is the
first day no longer a member), so "member on a date" is ``joined_on <= day < left_on``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts import Contract
from contracts.registry.v1 import (
    CommunityDissolved,
    CommunityFormed,
    CommunityKind,
    CommunityRenamed,
    SchoolJoinedCommunity,
    SchoolLeftCommunity,
    StudioStationClosed,
    StudioStationOpened,
    TeacherJoinedCommunity,
    TeacherLeftCommunity,
)

__all__ = ["STATION", "CommunityState", "Membership", "evolve_community", "school_key"]

STATION = "station"


def school_key(county: str, school_id: str) -> str:
    """How a member school is named inside a community: ``<county>/<school id>``."""
    return f"{county}/{school_id}"


@dataclass(frozen=True)
class Membership:
    """One stint of a school, teacher or station in a community."""

    member: str
    county: str
    role: str
    joined_on: date
    left_on: date | None = None
    station_id: str | None = None
    host_school: str | None = None

    def active_on(self, day: date) -> bool:
        """A member on ``day``."""
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)

    def reaches(self, day: date) -> bool:
        """Still a member on ``day`` or later (it would overlap a stint starting then)."""
        return self.left_on is None or self.left_on > day


@dataclass(frozen=True)
class CommunityState:
    """What the registry knows of one community."""

    formed: bool = False
    community_id: str = ""
    county: str = ""
    kind: CommunityKind | None = None
    counties: tuple[str, ...] = ()
    community_name: str = ""
    subject: str | None = None
    formed_on: date = date.min
    dissolved_on: date | None = None
    schools: tuple[Membership, ...] = ()
    teachers: tuple[Membership, ...] = ()
    stations: tuple[Membership, ...] = ()

    def open_stint(self, group: str, member: str) -> Membership | None:
        """The membership of ``member`` in ``group`` that has not ended, if any."""
        stints = getattr(self, group)
        return next((m for m in stints if m.member == member and m.left_on is None), None)


def _ended(stints: tuple[Membership, ...], member: str, day: date) -> tuple[Membership, ...]:
    return tuple(
        replace(m, left_on=day) if m.member == member and m.left_on is None else m for m in stints
    )


def _joined(state: CommunityState, event: Contract) -> CommunityState:
    if isinstance(event, SchoolJoinedCommunity):
        key = school_key(event.school.county_code, event.school.school_id)
        stint = Membership(key, event.school.county_code, event.member_role, event.effective_on)
        return replace(state, schools=(*state.schools, stint))
    if isinstance(event, TeacherJoinedCommunity):
        stint = Membership(
            event.teacher_id,
            event.teacher_county,
            event.member_role,
            event.effective_on,
            station_id=event.station_id,
        )
        return replace(state, teachers=(*state.teachers, stint))
    assert isinstance(event, StudioStationOpened)
    host = event.host
    stint = Membership(
        event.station_id, host.county_code, STATION, event.effective_on, host_school=host.school_id
    )
    return replace(state, stations=(*state.stations, stint))


def _left(state: CommunityState, event: Contract) -> CommunityState:
    if isinstance(event, SchoolLeftCommunity):
        key = school_key(event.school.county_code, event.school.school_id)
        return replace(state, schools=_ended(state.schools, key, event.effective_on))
    if isinstance(event, TeacherLeftCommunity):
        return replace(state, teachers=_ended(state.teachers, event.teacher_id, event.effective_on))
    assert isinstance(event, StudioStationClosed)
    return replace(state, stations=_ended(state.stations, event.station_id, event.effective_on))


def evolve_community(state: CommunityState, event: Contract) -> CommunityState:
    """The community after ``event``."""
    if isinstance(event, CommunityFormed):
        return CommunityState(
            formed=True,
            community_id=event.community_id,
            county=event.county_code,
            kind=event.community_kind,
            counties=tuple(event.counties),
            community_name=event.community_name,
            subject=event.subject,
            formed_on=event.effective_on,
        )
    if isinstance(event, CommunityRenamed):
        return replace(state, community_name=event.community_name)
    if isinstance(event, SchoolJoinedCommunity | TeacherJoinedCommunity | StudioStationOpened):
        return _joined(state, event)
    if isinstance(event, SchoolLeftCommunity | TeacherLeftCommunity | StudioStationClosed):
        return _left(state, event)
    if isinstance(event, CommunityDissolved):
        return replace(state, dissolved_on=event.effective_on)
    return state
