"""Empty import templates with Chinese and English headers, and a notes tab."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from services.registry.importing.sheets import SHEETS, Sheet
from services.registry.importing.values import LABELS

__all__ = ["write_template"]

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
