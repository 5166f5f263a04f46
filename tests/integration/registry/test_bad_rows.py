"""A file with ten kinds of bad rows: ten precise errors, and nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from services.registry.importing.run import import_file, known_in
from tests.fixtures.registry.small import BAD_ROWS, bad_file_sheets, small_sheets
from tests.fixtures.registry.workbook import write_workbook
from tests.integration.registry.conftest import log_end, views_caught_up
from tests.support.waiting import eventually


async def _small_registry(registry, client, reader, codes, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "small.xlsx", small_sheets(*codes))
    report = await import_file(path, client=client, known=known_in(reader))
    assert report.problems == []
    await eventually(lambda: views_caught_up(registry), what="the views")


async def test_ten_kinds_of_bad_rows_give_ten_precise_errors_and_write_nothing(
    registry, client, reader, nc, codes, tmp_path
):
    await _small_registry(registry, client, reader, codes, tmp_path)
    path = write_workbook(tmp_path / "bad.xlsx", bad_file_sheets(*codes))
    before = await log_end(nc)

    report = await import_file(path, client=client, known=known_in(reader))

    assert not report.sent
    assert await log_end(nc) == before
    found = [(e.sheet, e.row, e.column) for e in report.problems]
    assert found == [(sheet, row, column) for sheet, row, column, _ in BAD_ROWS]
    for error, (*_, reason) in zip(report.problems, BAD_ROWS, strict=True):
        assert reason in error.reason, error


async def test_skip_invalid_writes_the_valid_rows_only(registry, client, reader, codes, tmp_path):
    await _small_registry(registry, client, reader, codes, tmp_path)
    path = write_workbook(tmp_path / "bad.xlsx", bad_file_sheets(*codes))

    report = await import_file(path, client=client, known=known_in(reader), skip_invalid=True)

    assert report.outcome is not None and report.outcome.refused == []
    assert len(report.problems) == len(BAD_ROWS)
    await eventually(lambda: views_caught_up(registry), what="the views")
    home = codes[0]
    on = date(2024, 1, 1)
    teachers = {t.teacher_id for t in reader.teachers(home, on)}
    assert {f"T{home}{n}" for n in range(20, 24)} <= teachers
    assert not {f"T{home}{n}" for n in range(30, 38)} & teachers
    assert {s.school_id for s in reader.schools(home, on)} >= {f"{home}0010", f"{home}0012"}
