"""Which dated facts each registry event states (pure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from contracts import Contract
from contracts.registry import v1

__all__ = ["community_facts", "organisation_facts", "teacher_facts"]

Facts = list[tuple[str, str, str, date, Any]]  # kind, entity, attribute, effective_on, value
_SCHOOL_ATTRIBUTES = ("stage", "location", "governance", "ownership")
_DETAILS = ("stage", "title", "hire_date")


def _values(event: Contract, names: tuple[str, ...]) -> dict[str, Any]:
    dumped = event.model_dump(mode="json", include=set(names))
    return {k: v for k, v in dumped.items() if v is not None}


def organisation_facts(event: Contract) -> Facts:
    """Facts about counties and schools."""
    if isinstance(event, v1.CountyRegistered | v1.CountyRenamed):
        values = {"name": event.county_name, "city": event.city, "province": event.province}
        if isinstance(event, v1.CountyRegistered):
            values["status"] = "registered"
        return _each("county", event.county_code, event.effective_on, values)
    if isinstance(event, v1.SchoolRegistered):
        values = {"status": "open", "name": event.school_name}
        values |= _values(event, _SCHOOL_ATTRIBUTES)
        return _each("school", event.school_id, event.effective_on, values)
    if isinstance(event, v1.SchoolRenamed):
        return _each("school", event.school_id, event.effective_on, {"name": event.school_name})
    if isinstance(event, v1.SchoolAttributesChanged):
        values = _values(event, _SCHOOL_ATTRIBUTES)
        return _each("school", event.school_id, event.effective_on, values)
    if isinstance(event, v1.SchoolClosed | v1.SchoolReopened):
        status = "closed" if isinstance(event, v1.SchoolClosed) else "open"
        return _each("school", event.school_id, event.effective_on, {"status": status})
    return []


def _profile(event: v1.TeacherRegistered | v1.TeacherTransferredIn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": "active",
        "name": event.teacher_name,
        "subjects": list(event.subjects),
        "school": [event.county_code, event.school_id],
    }
    values |= _values(event, _DETAILS)
    values |= {f"role:{role.value}": True for role in event.roles}
    return values


def _teacher_change(event: Contract) -> dict[str, Any]:
    if isinstance(event, v1.TeacherDetailsChanged):
        values = _values(event, (*_DETAILS, "subjects"))
        return values | ({"name": event.teacher_name} if event.teacher_name else {})
    if isinstance(event, v1.TeacherRoleGranted | v1.TeacherRoleRevoked):
        return {f"role:{event.role.value}": isinstance(event, v1.TeacherRoleGranted)}
    if isinstance(event, v1.TeacherTransferred):
        ended = {f"role:{role.value}": False for role in event.roles_ended}
        return {"school": [event.to_county, event.to_school_id]} | ended
    if isinstance(event, v1.TeacherLeaveStarted):
        return {"status": "on_leave"}
    if isinstance(event, v1.TeacherLeaveEnded):
        return {"status": "active"}
    if isinstance(event, v1.TeacherRetired):
        return {"status": "retired"}
    return {}


def teacher_facts(event: Contract) -> Facts:
    """Facts about teachers: one entity per teacher, whichever county holds the record."""
    if isinstance(event, v1.TeacherRegistered | v1.TeacherTransferredIn):
        return _each("teacher", event.teacher_id, event.effective_on, _profile(event))
    values = _teacher_change(event)
    if not values:
        return []
    teacher_id: str = getattr(event, "teacher_id")  # noqa: B009 - every teacher event has it
    effective_on: date = getattr(event, "effective_on")  # noqa: B009
    return _each("teacher", teacher_id, effective_on, values)


def _community_change(event: Contract) -> dict[str, Any]:
    if isinstance(event, v1.CommunityFormed):
        values = {"status": "active", "name": event.community_name, "subject": event.subject}
        return values | {"kind": event.community_kind.value, "counties": list(event.counties)}
    if isinstance(event, v1.CommunityRenamed):
        return {"name": event.community_name}
    if isinstance(event, v1.CommunityDissolved):
        return {"status": "dissolved"}
    if isinstance(event, v1.SchoolJoinedCommunity | v1.SchoolLeftCommunity):
        key = f"school:{event.school.county_code}/{event.school.school_id}"
        joined = isinstance(event, v1.SchoolJoinedCommunity)
        return {key: {"role": event.member_role.value} if joined else None}
    if isinstance(event, v1.TeacherJoinedCommunity):
        value = {"role": event.member_role.value, "county": event.teacher_county}
        return {f"teacher:{event.teacher_id}": value | {"station_id": event.station_id}}
    if isinstance(event, v1.TeacherLeftCommunity):
        return {f"teacher:{event.teacher_id}": None}
    if isinstance(event, v1.StudioStationOpened):
        host = {"county": event.host.county_code, "school_id": event.host.school_id}
        return {f"station:{event.station_id}": host | {"name": event.station_name}}
    if isinstance(event, v1.StudioStationClosed):
        return {f"station:{event.station_id}": None}
    return {}


def community_facts(event: Contract) -> Facts:
    """Facts about communities and their members."""
    values = _community_change(event)
    if not values:
        return []
    community_id: str = getattr(event, "community_id")  # noqa: B009
    effective_on: date = getattr(event, "effective_on")  # noqa: B009
    return _each("community", community_id, effective_on, values)


def _each(kind: str, entity: str, day: date, values: dict[str, Any]) -> Facts:
    return [(kind, entity, attribute, day, value) for attribute, value in values.items()]


FACTS: dict[str, Callable[[Contract], Facts]] = {
    "organisation": organisation_facts,
    "teachers": teacher_facts,
    "communities": community_facts,
}
