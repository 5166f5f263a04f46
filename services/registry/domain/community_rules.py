"""The rules about pairing communities, one class each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.registry.v1 import (
    CommunityKind,
    SchoolGovernance,
    SchoolLocation,
    SchoolMemberRole,
    TeacherMemberRole,
)
from services.registry.domain.communities import CommunityState, Membership
from services.registry.domain.rules import BusinessRule
from services.registry.domain.schools import SchoolState

TEACHER_KINDS = frozenset({CommunityKind.MASTER_TEACHER_STUDIO, CommunityKind.SUBJECT_GROUP})
_SPAN = {  # kind: (fewest counties, most counties)
    CommunityKind.COUNTY_ONE_PLUS_N: (1, 1),
    CommunityKind.CROSS_COUNTY: (2, 2),
    CommunityKind.METROPOLITAN_ALLIANCE: (2, 20),
}


@dataclass(frozen=True)
class CommunityFormedOnce(BusinessRule):
    """A community id is formed once."""

    state: CommunityState
    field = "community_id"

    def is_broken(self) -> bool:
        return self.state.formed

    def message(self) -> str:
        return f"community {self.state.community_id} already exists"


@dataclass(frozen=True)
class NotDissolved(BusinessRule):
    """A dissolved community changes no more."""

    state: CommunityState

    def is_broken(self) -> bool:
        return self.state.dissolved_on is not None

    def message(self) -> str:
        return f"community {self.state.community_id} was dissolved on {self.state.dissolved_on}"


@dataclass(frozen=True)
class SpansItsHomeCounty(BusinessRule):
    """A community's counties start with the county that keeps its record."""

    county: str
    counties: tuple[str, ...]
    field = "counties"

    def is_broken(self) -> bool:
        return not self.counties or self.counties[0] != self.county

    def message(self) -> str:
        return f"the first of the counties must be the home county {self.county}"


@dataclass(frozen=True)
class SpanFitsKind(BusinessRule):
    """A 1+N spans one county, a cross-county pairing two, an alliance at least two."""

    kind: CommunityKind
    counties: tuple[str, ...]
    field = "counties"

    def is_broken(self) -> bool:
        low, high = _SPAN.get(self.kind, (1, 20))
        return not low <= len(self.counties) <= high

    def message(self) -> str:
        low, high = _SPAN.get(self.kind, (1, 20))
        many = str(low) if low == high else f"{low} to {high}"
        return f"a {self.kind.value} community spans {many} counties, not {len(self.counties)}"


@dataclass(frozen=True)
class MemberCountyInSpan(BusinessRule):
    """Member schools and teachers come from the counties the community spans."""

    state: CommunityState
    county: str
    field = "school"

    def is_broken(self) -> bool:
        return self.county not in self.state.counties

    def message(self) -> str:
        spans = ", ".join(self.state.counties)
        return f"county {self.county} is not among the community's counties ({spans})"


@dataclass(frozen=True)
class ClosedSchoolCannotJoin(BusinessRule):
    """A school joins (or hosts a station) only if registered and open on that day."""

    school: SchoolState
    school_id: str
    day: date
    field = "school"

    def is_broken(self) -> bool:
        return not self.school.is_open_on(self.day)

    def message(self) -> str:
        if not self.school.registered:
            return f"school {self.school_id} is not registered"
        return f"school {self.school_id} is closed on {self.day} and cannot join"


@dataclass(frozen=True)
class JoinsAfterFormation(BusinessRule):
    """Nothing joins a community before it was formed."""

    state: CommunityState
    day: date
    field = "effective_on"

    def is_broken(self) -> bool:
        return self.day < self.state.formed_on

    def message(self) -> str:
        return f"the community was formed on {self.state.formed_on}, after {self.day}"


def _overlapping(stints: tuple[Membership, ...], day: date) -> list[Membership]:
    return [m for m in stints if (m.reaches(day) and m.joined_on <= day) or m.joined_on > day]


@dataclass(frozen=True)
class OneLeadSchoolAtATime(BusinessRule):
    """A community has at most one lead school on any date."""

    state: CommunityState
    role: SchoolMemberRole
    day: date
    field = "member_role"

    def is_broken(self) -> bool:
        leads = [m for m in self.state.schools if m.role == SchoolMemberRole.LEAD]
        return self.role == SchoolMemberRole.LEAD and bool(_overlapping(tuple(leads), self.day))

    def message(self) -> str:
        return f"community {self.state.community_id} already has a lead school on {self.day}"


@dataclass(frozen=True)
class NeverBothLeadAndPartner(BusinessRule):
    """A school holds one role in a community at a time, and joins once at a time."""

    state: CommunityState
    key: str
    day: date
    field = "school"

    def is_broken(self) -> bool:
        mine = tuple(m for m in self.state.schools if m.member == self.key)
        return bool(_overlapping(mine, self.day))

    def message(self) -> str:
        mine = [m for m in self.state.schools if m.member == self.key]
        return f"school {self.key} is already the community's {mine[-1].role} school"


@dataclass(frozen=True)
class LeadFitsKind(BusinessRule):
    """A 1+N lead is an urban or town school; a city-wide lead is city-direct (市直)."""

    kind: CommunityKind | None
    role: SchoolMemberRole
    school: SchoolState
    field = "school"

    def is_broken(self) -> bool:
        if self.role != SchoolMemberRole.LEAD:
            return False
        if self.kind == CommunityKind.COUNTY_ONE_PLUS_N:
            return self.school.location == SchoolLocation.RURAL
        if self.kind == CommunityKind.CITY_WIDE:
            return self.school.governance != SchoolGovernance.CITY_DIRECT
        return False

    def message(self) -> str:
        if self.kind == CommunityKind.CITY_WIDE:
            return f"the lead of a city-wide pairing must be city-direct: {self.school.school_id}"
        return f"the lead of a 1+N community must be urban or town: {self.school.school_id}"


@dataclass(frozen=True)
class OnePartnerPerCounty(BusinessRule):
    """A city-wide pairing has one partner school per county at a time."""

    state: CommunityState
    role: SchoolMemberRole
    county: str
    day: date
    field = "school"

    def is_broken(self) -> bool:
        if self.state.kind != CommunityKind.CITY_WIDE or self.role != SchoolMemberRole.PARTNER:
            return False
        partners = tuple(
            m for m in self.state.schools if m.role == self.role and m.county == self.county
        )
        return bool(_overlapping(partners, self.day))

    def message(self) -> str:
        return f"this city-wide pairing already has a partner school in county {self.county}"


@dataclass(frozen=True)
class TeachersOnlyInStudiosAndGroups(BusinessRule):
    """Member teachers belong to master-teacher studios and subject groups only."""

    kind: CommunityKind | None
    field = "teacher_id"

    def is_broken(self) -> bool:
        return self.kind not in TEACHER_KINDS

    def message(self) -> str:
        kind = self.kind.value if self.kind else "unknown"
        return f"a {kind} community has member schools, not member teachers"


@dataclass(frozen=True)
class TeacherRoleFitsKind(BusinessRule):
    """A studio has a host (主持人), a group a leader (组长): one at a time."""

    state: CommunityState
    role: TeacherMemberRole
    day: date
    field = "member_role"

    def is_broken(self) -> bool:
        if self.role == TeacherMemberRole.MEMBER:
            return False
        studio = self.state.kind == CommunityKind.MASTER_TEACHER_STUDIO
        if studio != (self.role == TeacherMemberRole.HOST):
            return True
        heads = tuple(m for m in self.state.teachers if m.role == self.role)
        return bool(_overlapping(heads, self.day))

    def message(self) -> str:
        kind = self.state.kind.value if self.state.kind else "unknown"
        return f"a {kind} community cannot take another {self.role.value} on {self.day}"


@dataclass(frozen=True)
class NotAMemberYet(BusinessRule):
    """A teacher joins a community once at a time."""

    state: CommunityState
    teacher_id: str
    day: date
    field = "teacher_id"

    def is_broken(self) -> bool:
        mine = tuple(m for m in self.state.teachers if m.member == self.teacher_id)
        return bool(_overlapping(mine, self.day))

    def message(self) -> str:
        return f"teacher {self.teacher_id} is already a member of {self.state.community_id}"
