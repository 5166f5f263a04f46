"""Sheets read for bulk sign-in and training imports: CSV and XLSX alike, bad rows by number."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.activities.importing import sign_in_sheet
from yanpei.tabular import write_rows

ROWS: list[dict[str, str | None]] = [
    {"teacher_id": "t1", "signed_in_at": "13:55", "signed_out_at": None},
    {"teacher_id": "t2", "signed_in_at": "14:20", "signed_out_at": "15:30"},
    {"teacher_id": "t3", "signed_in_at": None, "signed_out_at": None},
    {"teacher_id": "t 4", "signed_in_at": "25:00", "signed_out_at": None},
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sign_in_sheet_gives_its_lines_and_names_its_bad_rows(tmp_path: Path, suffix):
    path = tmp_path / f"sheet{suffix}"
    assert write_rows(ROWS, path) == 4
    entries, problems = sign_in_sheet(path)
    assert [(e.teacher_id, e.signed_in_at, e.signed_out_at) for e in entries] == [
        ("t1", time(13, 55), None),
        ("t2", time(14, 20), time(15, 30)),
        ("t3", None, None),
    ]
    assert [n for n, _ in problems] == [5]


def test_times_typed_as_times_in_a_workbook_are_read(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["teacher_id", "signed_in_at", "signed_out_at"])
    sheet.append(["t1", time(14, 5), time(16, 0)])
    book.save(tmp_path / "typed.xlsx")
    entries, problems = sign_in_sheet(tmp_path / "typed.xlsx")
    assert problems == [] and entries[0].signed_in_at == time(14, 5)


def test_an_unknown_file_type_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match=r"csv or \.xlsx"):
        write_rows(ROWS, tmp_path / "x.txt")
