"""Empty import templates with Chinese and English headers, and a notes tab."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.registry.importing.sheets import SHEETS, Sheet
from services.registry.importing.values import LABELS

__all__ = ["write_rows_workbook", "write_template"]

_ENUMS = {
    "stage": "SchoolStage",
    "location": "SchoolLocation",
    "governance": "SchoolGovernance",
    "ownership": "SchoolOwnership",
    "title": "TeacherTitle",
    "roles": "TeacherRole",
    "community_kind": "CommunityKind",
    "movement": "MovementKind",
}


def _allowed(key: str) -> str:
    name = _ENUMS.get(key)
    for enum, labels in LABELS.items():
        if enum.__name__ == name:
            return "; ".join(f"{zh} = {en}" for zh, en in labels.items())
    return ""


def _notes(book: Workbook, sheets: list[Sheet]) -> None:
    tab = book.create_sheet("说明 notes")
    tab.append(["表 sheet", "列 column", "必填 required", "说明 note", "可选值 allowed values"])
    for sheet in sheets:
        for column in sheet.columns:
            required = "是 yes" if column.required else "否 no"
            tab.append([sheet.title, column.header, required, column.note, _allowed(column.key)])


def write_template(kind: str, path: Path) -> Path:
    """Write the template of ``kind`` (or ``all``) to ``path`` (.xlsx, or .csv for one kind)."""
    sheets = list(SHEETS.values()) if kind == "all" else [SHEETS[kind]]
    if path.suffix.lower() != ".xlsx":
        if len(sheets) != 1:
            raise ValueError("a CSV template holds one kind; write .xlsx for all")
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            csv.writer(out).writerow([c.header for c in sheets[0].columns])
        return path
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        tab = book.create_sheet(sheet.title)
        tab.append([c.header for c in sheet.columns])
        for cell, column in zip(tab[1], sheet.columns, strict=True):
            cell.font = Font(bold=column.required)
            tab.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 6)
    _notes(book, sheets)
    book.save(path)
    return path


def cell_value(value: Any) -> Any:
    """How a row value is written in a sheet: lists joined with 、, booleans as 是/否."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_rows_workbook(path: Path, sheets: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """An import workbook filled with rows keyed by column: one tab per kind, bilingual
    headers (the demo's sample county, tests and benchmarks write theirs with it)."""
    book = Workbook(write_only=True)
    for kind, rows in sheets.items():
        sheet = SHEETS[kind]
        tab = book.create_sheet(sheet.title)
        tab.append([c.header for c in sheet.columns])
        for row in rows:
            tab.append([cell_value(row.get(c.key)) for c in sheet.columns])
    book.save(path)
    return path
