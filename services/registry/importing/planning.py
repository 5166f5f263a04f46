"""From rows to commands: every cell read, every command validated, errors by column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import ValidationError

from contracts import Command
from contracts.registry import v1
from contracts.registry.internal import RecordTeacherContact
from services.registry.importing.memberships import JOIN_COLUMNS, membership_commands
from services.registry.importing.reading import RawRow, RawSheet, RowError
from services.registry.importing.values import CellError, in_column, parse_enum, text

__all__ = ["Parsed", "Planned", "plan"]

_CONTACT = ("phone", "email", "national_id")


@dataclass(frozen=True)
class Parsed:
    """A row whose cells could all be read."""

    sheet: str
    row: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Planned:
    """A command to send for a row: to which county, in which group (same aggregate)."""

    sheet: str
    row: int
    county: str
    group: str
    command: Command
    columns: dict[str, str]  # command field → the column it came from


Build = Callable[[dict[str, Any]], list[tuple[str, Command, dict[str, str]]]]


def _cells(raw: RawSheet, row: RawRow) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors = []
    for column in raw.sheet.columns:
        cell = row.cells.get(column.key)
        if not text(cell):
            if column.required:
                errors.append(RowError(raw.sheet.kind, row.number, column.key, "required"))
            values[column.key] = None
            continue
        try:
            values[column.key] = column.parse(cell)
        except ValueError as exc:
            errors.append(RowError(raw.sheet.kind, row.number, column.key, str(exc)))
    return values, errors


def _counties(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    return [("county:" + v["county_code"], v1.RegisterCounty(**v), {})]


def _schools(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    group = "school:" + v["school_id"]
    found: list[tuple[str, Command, dict[str, str]]] = [(group, v1.RegisterSchool(**v), {})]
    if v["closed_on"]:
        close = v1.CloseSchool(
            county_code=v["county_code"], school_id=v["school_id"], effective_on=v["closed_on"]
        )
        found.append((group, close, {"effective_on": "closed_on"}))
    return found


def _teachers(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    group = "teacher:" + v["teacher_id"]
    roles = [in_column("roles", partial(parse_enum, v1.TeacherRole), r) for r in v["roles"] or []]
    found: list[tuple[str, Command, dict[str, str]]] = [
        (group, v1.RegisterTeacher(**{**v, "roles": roles}), {})
    ]
    if any(v[k] for k in _CONTACT):
        found.append((group, RecordTeacherContact(**v), {}))
    if v["retired_on"]:
        retire = v1.RetireTeacher(teacher_id=v["teacher_id"], effective_on=v["retired_on"])
        found.append((group, retire, {"effective_on": "retired_on"}))
    return found


def _communities(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    return [("community:" + v["community_id"], v1.FormCommunity(**v), {})]


def _transfers(v: dict[str, Any]) -> list[tuple[str, Command, dict[str, str]]]:
    values = {**v, "keep_roles": bool(v["keep_roles"])}
    return [("teacher:" + v["teacher_id"], v1.TransferTeacher(**values), {})]


BUILDERS: dict[str, Build] = {
    "counties": _counties,
    "schools": _schools,
    "teachers": _teachers,
    "communities": _communities,
    "memberships": membership_commands,
    "transfers": _transfers,
}


FIELD_COLUMNS = {"memberships": JOIN_COLUMNS}
"""Where a field that fails validation came from, when it is not a column of its own name."""


def _column(loc: tuple[int | str, ...], columns: dict[str, str], known: set[str]) -> str:
    field = str(loc[0]) if loc else "-"
    if field in ("school", "host") and len(loc) > 1 and loc[1] == "county_code":
        return "member_county"
    column = columns.get(field, field)
    return column if column in known else "-"


def _invalid(
    sheet: str, row: int, exc: ValidationError, columns: dict[str, str], known: set[str]
) -> list[RowError]:
    return [
        RowError(
            sheet,
            row,
            _column(err["loc"], columns, known),
            err["msg"].removeprefix("Value error, "),
        )
        for err in exc.errors(include_url=False)
    ]


def _commands(
    raw: RawSheet, row: int, values: dict[str, Any]
) -> tuple[list[Planned], list[RowError]]:
    kind = raw.sheet.kind
    known = {c.key for c in raw.sheet.columns}
    county = values.get("county_code") or ""
    try:
        built = BUILDERS[kind](values)
    except CellError as exc:
        return [], [RowError(kind, row, exc.column, str(exc))]
    except ValidationError as exc:
        return [], _invalid(kind, row, exc, FIELD_COLUMNS.get(kind, {}), known)
    return [Planned(kind, row, county, g, c, cols) for g, c, cols in built], []


def plan(sheets: list[RawSheet]) -> tuple[list[Parsed], list[Planned], list[RowError]]:
    """Read every row: the rows read, the commands they make, and every error found."""
    parsed: list[Parsed] = []
    planned: list[Planned] = []
    errors: list[RowError] = []
    for raw in sheets:
        for row in raw.rows:
            values, cell_errors = _cells(raw, row)
            if cell_errors:
                errors += cell_errors
                continue
            commands, command_errors = _commands(raw, row.number, values)
            errors += command_errors
            if not command_errors:
                parsed.append(Parsed(raw.sheet.kind, row.number, values))
                planned += commands
    return parsed, planned, errors
