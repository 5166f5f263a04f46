"""Reading CSV and XLSX files into rows of named cells, by sheet.

A workbook holds one tab per kind (named in English, Chinese or both: ``学校 schools``);
a CSV file holds one kind, named by ``--kind`` or recognised from its headers. Headers
may be Chinese, English, or both. Row numbers are those people see in Excel (header = 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from services.registry.importing.sheets import SHEETS, Sheet, sheet_named
from services.registry.importing.values import text

__all__ = ["RawRow", "RawSheet", "RowError", "read_file"]


class RowError(NamedTuple):
    """Why one row (or the header, row 1) cannot be imported."""

    sheet: str
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class RawRow:
    """One data row: its number in the file and its cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass
class RawSheet:
    """The rows of one kind read from a tab or a CSV file."""

    sheet: Sheet
    rows: list[RawRow] = field(default_factory=list)


def _header_key(sheet: Sheet, cell: Any) -> str | None:
    label = text(cell)
    words = {label, label.lower(), *label.replace("/", " ").split()}
    for column in sheet.columns:
        if column.key in words or column.zh in words or label == column.header:
            return column.key
    return None


def _rows(sheet: Sheet, lines: Iterable[tuple[Any, ...]]) -> tuple[RawSheet, list[RowError]]:
    iterator = iter(lines)
    header = next(iterator, ())
    keys = [_header_key(sheet, cell) for cell in header]
    missing = [c for c in sheet.columns if c.required and c.key not in keys]
    errors = [RowError(sheet.kind, 1, c.key, f"missing column {c.header}") for c in missing]
    raw = RawSheet(sheet)
    for number, line in enumerate(iterator, start=2):
        cells = {k: v for k, v in zip(keys, line, strict=False) if k is not None}
        if any(text(v) for v in cells.values()):
            raw.rows.append(RawRow(number, cells))
    return raw, errors


def _xlsx(path: Path) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for tab in book.worksheets:
            yield tab.title, list(tab.iter_rows(values_only=True))
    finally:
        book.close()


def _csv_lines(path: Path) -> list[tuple[Any, ...]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(f"{path.name}: not UTF-8 nor GB18030 text")
    return [tuple(row) for row in csv.reader(io.StringIO(decoded))]


def _guess(lines: list[tuple[Any, ...]]) -> Sheet | None:
    header = lines[0] if lines else ()
    for sheet in SHEETS.values():
        keys = {_header_key(sheet, cell) for cell in header}
        if all(c.key in keys for c in sheet.columns if c.required):
            return sheet
    return None


def _sheet_of(
    name: str, lines: list[tuple[Any, ...]], kind: str | None, book: bool
) -> Sheet | None:
    if book:  # a workbook's tabs name their kinds; other tabs (notes) are skipped
        return sheet_named(name)
    return sheet_named(kind) if kind else sheet_named(name) or _guess(lines)


def read_file(path: Path, kind: str | None = None) -> tuple[list[RawSheet], list[RowError]]:
    """The sheets of a CSV or XLSX file, and the errors in their headers."""
    book = path.suffix.lower() in (".xlsx", ".xlsm")
    tabs = list(_xlsx(path)) if book else [(path.stem, _csv_lines(path))]
    sheets: list[RawSheet] = []
    errors: list[RowError] = []
    for name, lines in tabs:
        sheet = _sheet_of(name, lines, kind, book)
        if sheet is None:
            if not book:
                errors.append(RowError(name, 1, "-", "cannot tell the kind of rows; use --kind"))
            continue
        raw, header_errors = _rows(sheet, lines)
        sheets.append(raw)
        errors += header_errors
    order = list(SHEETS)
    return sorted(sheets, key=lambda s: order.index(s.sheet.kind)), errors
