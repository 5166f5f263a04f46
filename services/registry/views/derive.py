"""Rows of the derived tables, from an entity's facts (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from services.registry.views.facts import Fact, intervals, versions

__all__ = ["community_rows", "county_rows", "member_rows", "school_rows", "teacher_rows"]


def _span(key: str, entity: str, valid_from: date, valid_to: date | None) -> dict[str, Any]:
    return {key: entity, "valid_from": valid_from, "valid_to": valid_to}


def _county_of(facts: list[Fact]) -> str:
    return facts[0].county if facts else ""


def county_rows(entity: str, facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """Versions of a county."""
    for v in versions(facts):
        names = {k: v.values.get(k, "") for k in ("name", "city", "province")}
        yield _span("county_code", entity, v.valid_from, v.valid_to) | names


def school_rows(entity: str, facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """Versions of a school."""
    county = _county_of(facts)
    keys = ("name", "stage", "location", "governance", "ownership", "status")
    for v in versions(facts):
        values = {k: v.values.get(k, "") for k in keys}
        yield _span("school_id", entity, v.valid_from, v.valid_to) | {"county": county} | values


def teacher_rows(entity: str, facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """Versions of a teacher; the county is the one of the school on each date."""
    for v in versions(facts):
        values = v.values
        if "school" not in values or "hire_date" not in values:
            continue  # a record opened by an event this view never saw (county-scoped)
        county, school_id = values["school"]
        roles = sorted(
            k.split(":", 1)[1] for k, held in values.items() if k[:5] == "role:" and held
        )
        yield _span("teacher_id", entity, v.valid_from, v.valid_to) | {
            "county": county,
            "school_id": school_id,
            "name": values.get("name", ""),
            "stage": values.get("stage", ""),
            "subjects": json.dumps(values.get("subjects", []), ensure_ascii=False),
            "title": values.get("title", ""),
            "hire_date": date.fromisoformat(values["hire_date"]),
            "roles": json.dumps(roles),
            "status": values["status"],
        }


def community_rows(entity: str, facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """Versions of a community (members apart)."""
    county = _county_of(facts)
    own = [f for f in facts if ":" not in f.attribute]
    for v in versions(own):
        values = v.values
        yield _span("community_id", entity, v.valid_from, v.valid_to) | {
            "county": county,
            "name": values.get("name", ""),
            "kind": values.get("kind", ""),
            "counties": json.dumps(values.get("counties", [])),
            "subject": values.get("subject"),
            "status": values["status"],
        }


def member_rows(entity: str, facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """Intervals of a community's member schools, teachers and stations."""
    for prefix in ("school:", "teacher:", "station:"):
        for i in intervals(facts, prefix=prefix):
            kind, member = i.attribute.split(":", 1)
            yield _member(entity, kind, member, i.valid_from, i.valid_to, i.value)


def _member(
    community: str, kind: str, member: str, start: date, end: date | None, value: dict[str, Any]
) -> dict[str, Any]:
    row = {
        "community_id": community,
        "member_kind": kind,
        "member_id": member,
        "valid_from": start,
        "valid_to": end,
        "station_id": None,
        "station_name": None,
        "host_school_id": None,
    }
    if kind == "school":
        county, school_id = member.split("/", 1)
        return row | {"member_id": school_id, "member_county": county, "role": value["role"]}
    if kind == "teacher":
        station = {"station_id": value.get("station_id")}
        return row | station | {"member_county": value["county"], "role": value["role"]}
    return row | {
        "member_county": value["county"],
        "role": "station",
        "station_id": member,
        "station_name": value["name"],
        "host_school_id": value["school_id"],
    }
