"""Exports to CSV and XLSX: the same rows either way, values people can read and sum."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from yanpei.cli import app
from yanpei.tabular import write_rows

ROWS = [
    {"teacher": "张老师", "hours": Decimal("12.5"), "on": date(2026, 3, 2), "certified": True},
    {"teacher": "t2", "hours": Decimal("0.1"), "on": None, "certified": False},
]


def test_csv_keeps_exact_hours_iso_dates_and_empty_cells(tmp_path: Path):
    path = tmp_path / "hours.csv"
    assert write_rows(ROWS, path) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads Chinese"
    with path.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [
            ["teacher", "hours", "on", "certified"],
            ["张老师", "12.5", "2026-03-02", "True"],
            ["t2", "0.1", "", "False"],
        ]


def test_xlsx_keeps_numbers_as_numbers(tmp_path: Path):
    path = tmp_path / "hours.xlsx"
    write_rows(ROWS, path, ["teacher", "hours", "on"], labels=["教师", "学时", "日期"])
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["教师", "学时", "日期"],
        ["张老师", 12.5, "2026-03-02"],
        ["t2", 0.1, None],
    ]
    assert sum(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == pytest.approx(12.6)


def test_a_cell_function_shows_values_its_own_way(tmp_path: Path):
    path = tmp_path / "flags.csv"
    stamp = datetime(2026, 3, 2, 9, 30)
    shown = {True: "是", False: "否"}
    write_rows(
        [{"ok": True, "at": stamp}, {"ok": False, "at": None}],
        path,
        cell=lambda v: shown.get(v, v) if isinstance(v, bool) else v,
    )
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "ok,at",
        "是,2026-03-02T09:30:00",
        "否,",
    ]


def test_bad_requests_are_refused_and_write_nothing(tmp_path: Path):
    with pytest.raises(ValueError, match=r"x\.txt: export to \.csv or \.xlsx"):
        write_rows(ROWS, tmp_path / "x.txt")
    with pytest.raises(ValueError, match="1 labels for 2 columns"):
        write_rows(ROWS, tmp_path / "x.csv", ["teacher", "hours"], labels=["教师"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["activities", "quota-report", "510781", "--on", "2026-03-01", "--export", "q.txt"],
        ["registry", "list", "schools", "--county", "510781", "--out", "s.pdf"],
        ["credits", "report", "school", "S1", "--year", "2026", "--xlsx", "r.xls"],
        ["notify", "log", "--csv", "log.tsv"],
    ],
)
def test_every_export_option_refuses_another_file_type_before_doing_anything(
    command, tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command, env={"YANPEI_DATABASE_URL": "sqlite:///nowhere.db"})
    assert result.exit_code == 2, result.output
    assert "export to .csv or .xlsx" in result.output
    assert list(tmp_path.iterdir()) == [], "nothing read, nothing written"
