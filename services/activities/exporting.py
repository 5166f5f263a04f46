"""Exports of query answers to CSV and XLSX."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

__all__ = ["write_rows"]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def write_rows(
    rows: Sequence[Mapping[str, Any]], path: Path, columns: Sequence[str] | None = None
) -> int:
    """Write ``rows`` to ``path`` (.csv or .xlsx, by its suffix); returns the rows written."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if path.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
        book.save(path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([[_cell(row.get(c)) for c in columns] for row in rows])
    else:
        raise ValueError(f"{path.name}: export to .csv or .xlsx")
    return len(rows)
