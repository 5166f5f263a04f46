"""Reports to CSV and XLSX."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

__all__ = ["write_rows"]


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # hours have one decimal: exact as a float
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def write_rows(
    rows: Sequence[Mapping[str, Any]], path: Path, columns: Sequence[str] | None = None
) -> int:
    """Write ``rows`` to ``path`` (.csv or .xlsx, by its suffix); returns the rows written.

    Hours are decimals: numbers in XLSX, their exact text in CSV.
    """
    columns = list(columns or (rows[0].keys() if rows else []))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
        book.save(path)
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows(
                [["" if row.get(c) is None else str(row.get(c)) for c in columns] for row in rows]
            )
    else:
        raise ValueError(f"{path.name}: export to .csv or .xlsx")
    return len(rows)
