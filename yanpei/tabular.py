"""Report rows to CSV or XLSX: the one writer behind every service's ``--export``.

CSV is UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; empty values are
empty cells. Hours are decimals: numbers in XLSX (one decimal place is exact as a float),
their exact text in CSV. Dates and times are ISO 8601 text in both.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

__all__ = ["EXPORT_SUFFIXES", "export_path", "write_rows"]

EXPORT_SUFFIXES = (".csv", ".xlsx")


def write_rows(
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    columns: Sequence[str] | None = None,
    *,
    labels: Sequence[str] | None = None,
    cell: Callable[[Any], Any] | None = None,
) -> int:
    """Write ``rows`` to ``path`` (.csv or .xlsx, by its suffix); returns the rows written.

    ``columns`` are the keys written, in order (default: the first row's); ``labels`` the
    header line (default: the keys); ``cell`` turns a value into what is shown (e.g. 是/否
    for a flag) before the format's own conversion.
    """
    keys = list(columns or (rows[0].keys() if rows else []))
    header = list(labels or keys)
    if len(header) != len(keys):
        raise ValueError(f"{len(header)} labels for {len(keys)} columns")
    shown = cell or (lambda value: value)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook  # only when asked for: it is slow to import

        book = Workbook(write_only=True)
        sheet = book.create_sheet(path.stem[:31] or "rows")
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx(shown(row.get(k))) for k in keys])
        book.save(path)
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows([_csv(shown(row.get(k))) for k in keys] for row in rows)
    else:
        raise ValueError(f"{path.name}: export to {' or '.join(EXPORT_SUFFIXES)}")
    return len(rows)


def _xlsx(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _text(value)


def _csv(value: Any) -> str:
    return "" if value is None else _text(value)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def export_path(path: Path | None) -> Path | None:
    """A command-line check: refuse an export file of another type before any work is done."""
    if path is not None and path.suffix.lower() not in EXPORT_SUFFIXES:
        raise typer.BadParameter(f"{path.name}: export to {' or '.join(EXPORT_SUFFIXES)}")
    return path
