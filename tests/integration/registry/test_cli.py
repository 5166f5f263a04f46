"""``yanpei registry`` through its typer app: templates, preview, import, listings, exports."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from services.registry.cli import app
from services.registry.importing.reading import read_file
from tests.fixtures.registry.small import bad_file_sheets, small_sheets
from tests.fixtures.registry.workbook import write_workbook
from tests.integration.registry.conftest import log_end, views_caught_up
from tests.support.waiting import eventually


@pytest.fixture
def cli(registry, nats_server, database_url, monkeypatch):
    """Runs the CLI against this test's registry (in a thread: it runs its own loop)."""
    monkeypatch.setenv("YANPEI_NATS_URL", nats_server.url)
    monkeypatch.setenv("YANPEI_DATABASE_URL", database_url)
    runner = CliRunner()

    async def invoke(*args: str) -> Result:
        return await asyncio.to_thread(runner.invoke, app, list(args), catch_exceptions=False)

    return invoke


async def test_a_template_of_every_kind_reads_back_empty(cli, tmp_path: Path):
    result = await cli("template", "all", "--out", str(tmp_path / "all.xlsx"))
    assert result.exit_code == 0, result.output
    sheets, errors = read_file(tmp_path / "all.xlsx")
    assert (len(sheets), errors) == (6, [])


async def test_preview_lists_the_errors_and_writes_nothing(
    cli, registry, nc, codes, tmp_path: Path
):
    small = write_workbook(tmp_path / "small.xlsx", small_sheets(*codes))
    assert (await cli("import", str(small))).exit_code == 0
    await eventually(lambda: views_caught_up(registry), what="the views")
    path = write_workbook(tmp_path / "bad.xlsx", bad_file_sheets(*codes))
    before = await log_end(nc)
    result = await cli("import", str(path), "--preview", "--errors", str(tmp_path / "errors.csv"))
    assert result.exit_code == 1
    assert "errors (10)" in result.output and "nothing was written" in result.output
    assert await log_end(nc) == before
    with (tmp_path / "errors.csv").open(encoding="utf-8-sig") as errors:
        assert len(list(csv.reader(errors))) == 1 + 10


async def test_import_then_list_and_export_with_contacts_masked_unless_asked(
    cli, registry, codes, tmp_path: Path
):
    path = write_workbook(tmp_path / "small.xlsx", small_sheets(*codes))
    result = await cli("import", str(path))
    assert result.exit_code == 0, result.output
    await eventually(lambda: views_caught_up(registry), what="the views")
    home = codes[0]
    masked, revealed = tmp_path / "masked.csv", tmp_path / "revealed.xlsx"
    out = await cli(
        "list", "teachers", "--county", home, "--on", "2024-01-01", "--out", str(masked)
    )
    assert out.exit_code == 0, out.output
    text = masked.read_text(encoding="utf-8-sig")
    assert "138****5678" in text and "13812345678" not in text
    out = await cli(
        "list", "teachers", "--county", home, "--out", str(revealed), "--reveal-contacts"
    )
    assert out.exit_code == 0
    cells = [c for row in load_workbook(revealed).active.iter_rows(values_only=True) for c in row]
    assert "13812345678" in cells
    summary = await cli("summary", home, "--on", "2024-01-01")
    assert summary.exit_code == 0 and "teachers" in summary.output
    answer = await cli("teacher-school", f"T{home}2", "--on", "2024-01-01")
    assert f"{home}0002" in answer.output
