"""The rules about studio stations and about leaving a community, one class each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.registry.v1 import CommunityKind
from services.registry.domain.communities import CommunityState, Membership
from services.registry.domain.rules import BusinessRule


@dataclass(frozen=True)
class StationsOnlyInStudios(BusinessRule):
    """Only master-teacher studios have stations (工作站)."""

    kind: CommunityKind | None
    field = "station_id"

    def is_broken(self) -> bool:
        return self.kind != CommunityKind.MASTER_TEACHER_STUDIO

    def message(self) -> str:
        return "only a master-teacher studio has stations"


@dataclass(frozen=True)
class StationInAnotherCounty(BusinessRule):
    """A studio's station is hosted by a school of another county than the studio's."""

    state: CommunityState
    host_county: str
    field = "host"

    def is_broken(self) -> bool:
        return self.host_county == self.state.county

    def message(self) -> str:
        return f"a station is hosted in another county than the studio's ({self.state.county})"


@dataclass(frozen=True)
class StationOpenOn(BusinessRule):
    """A member teacher's station is one of the studio's stations, open that day."""

    state: CommunityState
    station_id: str | None
    day: date
    field = "station_id"

    def is_broken(self) -> bool:
        if self.station_id is None:
            return False
        stints = [m for m in self.state.stations if m.member == self.station_id]
        return not any(m.active_on(self.day) for m in stints)

    def message(self) -> str:
        return f"station {self.station_id} is not open on {self.day}"


@dataclass(frozen=True)
class IsMember(BusinessRule):
    """Only a current member (or open station) can leave."""

    stint: Membership | None
    what: str
    field = "effective_on"

    def is_broken(self) -> bool:
        return self.stint is None

    def message(self) -> str:
        return f"{self.what} is not a current member"


@dataclass(frozen=True)
class LeavesAfterJoining(BusinessRule):
    """A membership ends after it began."""

    stint: Membership
    day: date
    field = "effective_on"

    def is_broken(self) -> bool:
        return self.day <= self.stint.joined_on

    def message(self) -> str:
        return f"{self.stint.member} joined on {self.stint.joined_on}; it must leave later"


@dataclass(frozen=True)
class StationNotOpenYet(BusinessRule):
    """A station id names one open station at a time."""

    stint: Membership | None
    station_id: str
    field = "station_id"

    def is_broken(self) -> bool:
        return self.stint is not None

    def message(self) -> str:
        return f"station {self.station_id} is already open"
