"""Commands for a membership row: a school, teacher or studio station joining (and leaving)."""

from __future__ import annotations

from functools import partial
from typing import Any

from contracts import Command
from contracts.registry import v1
from services.registry.importing.values import in_column, parse_enum, text

__all__ = ["JOIN_COLUMNS", "membership_commands"]

_KINDS = {"school": "school", "学校": "school", "teacher": "teacher", "教师": "teacher"}
_KINDS |= {"station": "station", "工作站": "station"}
JOIN_COLUMNS = {"effective_on": "joined_on", "school": "member_id", "teacher_id": "member_id"}
JOIN_COLUMNS |= {"teacher_county": "member_county", "host": "member_id"}
LEAVE_COLUMNS = JOIN_COLUMNS | {"effective_on": "left_on"}


def _kind(value: Any) -> str:
    kind = _KINDS.get(text(value).lower())
    if kind is None:
        raise ValueError(f"{text(value)!r} is not school, teacher or station (学校/教师/工作站)")
    return kind


def _school(v: dict[str, Any]) -> tuple[Command, Command | None]:
    base = {"community_id": v["community_id"]}
    school = v1.SchoolRef(county_code=v["member_county"], school_id=v["member_id"])
    role = in_column("member_role", partial(parse_enum, v1.SchoolMemberRole), v["member_role"])
    join = v1.AddSchoolToCommunity(
        **base, school=school, member_role=role, effective_on=v["joined_on"]
    )
    leave = v["left_on"] and v1.RemoveSchoolFromCommunity(
        **base, school=school, effective_on=v["left_on"]
    )
    return join, leave or None


def _teacher(v: dict[str, Any]) -> tuple[Command, Command | None]:
    base = {"community_id": v["community_id"], "teacher_id": v["member_id"]}
    role = in_column("member_role", partial(parse_enum, v1.TeacherMemberRole), v["member_role"])
    join = v1.AddTeacherToCommunity(
        **base,
        teacher_county=v["member_county"],
        member_role=role,
        station_id=v["station_id"] or None,
        effective_on=v["joined_on"],
    )
    leave = v["left_on"] and v1.RemoveTeacherFromCommunity(**base, effective_on=v["left_on"])
    return join, leave or None


def _station(v: dict[str, Any]) -> tuple[Command, Command | None]:
    base = {"community_id": v["community_id"], "station_id": v["station_id"]}
    host = v1.SchoolRef(county_code=v["member_county"], school_id=v["member_id"])
    join = v1.OpenStudioStation(
        **base, station_name=v["station_name"] or "", host=host, effective_on=v["joined_on"]
    )
    leave = v["left_on"] and v1.CloseStudioStation(**base, effective_on=v["left_on"])
    return join, leave or None


def membership_commands(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    """The join (and leave) commands of a membership row, with their field → column maps."""
    kind = in_column("member_kind", _kind, v["member_kind"])
    join, leave = {"school": _school, "teacher": _teacher, "station": _station}[kind](v)
    group = "community:" + v["community_id"]
    found: list[tuple[str, Command, dict[str, str]]] = [(group, join, JOIN_COLUMNS)]
    if leave is not None:
        found.append((group, leave, LEAVE_COLUMNS))
    return found
