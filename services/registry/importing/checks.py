"""Checks across rows: duplicate keys, and references to what neither the file nor the
registry holds (a teacher's school, a membership's community...)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from services.registry.importing.planning import Parsed
from services.registry.importing.reading import RowError
from services.registry.importing.sheets import SHEETS

__all__ = ["Known", "check_rows"]


@dataclass
class Known:
    """What exists: county codes; schools, teachers and communities with their county."""

    counties: set[str] = field(default_factory=set)
    schools: dict[str, str] = field(default_factory=dict)
    closed: dict[str, date] = field(default_factory=dict)
    teachers: dict[str, str] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)

    def add(self, row: Parsed) -> None:
        """Learn what a valid row of the file creates."""
        v = row.values
        if row.sheet == "counties":
            self.counties.add(v["county_code"])
        elif row.sheet == "schools":
            self.schools[v["school_id"]] = v["county_code"]
            if v["closed_on"]:
                self.closed[v["school_id"]] = v["closed_on"]
        elif row.sheet == "teachers":
            self.teachers[v["teacher_id"]] = v["county_code"]
        elif row.sheet == "communities":
            self.communities[v["community_id"]] = v["county_code"]


def _duplicates(rows: list[Parsed]) -> Iterator[RowError]:
    seen: dict[tuple[str, tuple[object, ...]], int] = {}
    for row in rows:
        key_columns = SHEETS[row.sheet].key
        key = (row.sheet, tuple(row.values[k] for k in key_columns))
        if key in seen:
            yield RowError(row.sheet, row.row, key_columns[0], f"duplicate of row {seen[key]}")
        else:
            seen[key] = row.row


def _school_at(known: Known, school_id: str, county: str, day: date) -> str | None:
    """Why ``school_id`` cannot take a teacher of ``county`` on ``day``, if it cannot."""
    if school_id not in known.schools:
        return f"school {school_id} is neither in the file nor in the registry"
    if known.schools[school_id] != county:
        return f"school {school_id} is in county {known.schools[school_id]}, not {county}"
    closed = known.closed.get(school_id)
    if closed is not None and closed <= day:
        return f"school {school_id} is closed from {closed}"
    return None


def _references(row: Parsed, known: Known) -> Iterator[tuple[str, str]]:
    v = row.values
    if (
        row.sheet in ("schools", "teachers", "communities")
        and v["county_code"] not in known.counties
    ):
        yield "county_code", f"county {v['county_code']} is neither in the file nor in the registry"
    if row.sheet == "teachers":
        why = _school_at(known, v["school_id"], v["county_code"], v["effective_on"])
        if why:
            yield "school_id", why
    elif row.sheet == "communities":
        for county in v["counties"]:
            if county not in known.counties:
                yield "counties", f"county {county} is neither in the file nor in the registry"
    elif row.sheet == "memberships":
        yield from _member_references(v, known)
    elif row.sheet == "transfers":
        if v["teacher_id"] not in known.teachers:
            yield (
                "teacher_id",
                f"teacher {v['teacher_id']} is neither in the file nor in the registry",
            )
        why = _school_at(known, v["to_school_id"], v["to_county"], v["effective_on"])
        if why:
            yield "to_school_id", why


def _member_references(v: dict[str, object], known: Known) -> Iterator[tuple[str, str]]:
    if v["community_id"] not in known.communities:
        yield (
            "community_id",
            f"community {v['community_id']} is neither in the file nor in the registry",
        )
    member = str(v["member_id"])
    kind = str(v["member_kind"])
    if kind in ("teacher", "教师"):
        if member not in known.teachers:
            yield "member_id", f"teacher {member} is neither in the file nor in the registry"
    elif member not in known.schools:
        yield "member_id", f"school {member} is neither in the file nor in the registry"
    elif known.schools[member] != v["member_county"]:
        yield "member_county", f"school {member} is in county {known.schools[member]}"


def check_rows(rows: list[Parsed], known: Known) -> list[RowError]:
    """Errors across rows; ``known`` is what the registry holds, the file's rows are added."""
    errors = list(_duplicates(rows))
    for row in rows:
        known.add(row)
    for row in rows:
        errors += [RowError(row.sheet, row.row, c, why) for c, why in _references(row, known)]
    return errors
