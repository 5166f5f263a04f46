"""``yanpei credits`` on a county: explain, statements and their check, reports, a chart,
and a replay dry run then applied, as an operator would run them."""

from __future__ import annotations

import asyncio
import csv
import json
from decimal import Decimal
from pathlib import Path

from nats.aio.client import Client
from typer.testing import CliRunner, Result

from services.credits.app import CreditsService
from services.credits.cli import app
from tests.integration.credits.conftest import publish_golden, settle, v2_file
from tests.unit.credits.golden import EXPECTED_V2, YEAR, golden_differences


async def run(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_explain_statement_verify_reports_and_chart(
    credits: CreditsService, nc: Client, code: str, operator_env: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    teacher = f"{code}-g-t1"

    explained = await run("explain", teacher, "--year", str(YEAR))
    assert explained.exit_code == 0, explained.output
    assert "school_based" in explained.output and "47.0" in explained.output

    made = await run(
        "statement", teacher, "--year", str(YEAR), "--format", "json", "--out", "s.json"
    )
    assert made.exit_code == 0, made.output
    doc = json.loads((operator_env / "s.json").read_text("utf-8"))
    assert (await run("verify", doc["code"])).exit_code == 0
    assert (await run("verify", "s.json")).exit_code == 0
    doc["statement"]["hours"] = "99.0"
    (operator_env / "forged.json").write_text(json.dumps(doc), "utf-8")
    forged = await run("verify", "forged.json")
    assert forged.exit_code == 1 and "altered" in forged.output
    html = await run("statement", teacher, "--year", str(YEAR), "--out", "s.html")
    assert html.exit_code == 0 and (await run("verify", "s.html")).exit_code == 0

    county = await run("report", "county", code, "--year", str(YEAR), "--csv", "c.csv")
    assert county.exit_code == 0, county.output
    with (operator_env / "c.csv").open(encoding="utf-8-sig") as f:
        assert [r["name"] for r in csv.DictReader(f)][-1] == code
    school = await run(
        "report", "school", code, f"{code}-s1", "--year", str(YEAR), "--xlsx", "s.xlsx"
    )
    assert school.exit_code == 0 and (operator_env / "s.xlsx").stat().st_size > 0
    drawn = await run("chart", "--county", code, "--year", str(YEAR), "--out", "h.png")
    assert drawn.exit_code == 0, drawn.output
    assert (operator_env / "h.png").read_bytes()[:4] == b"\x89PNG"


async def test_replay_dry_run_reports_the_diff_then_apply_switches(
    credits: CreditsService, nc: Client, code: str, operator_env: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    rules = v2_file(code, operator_env)

    dry = await run("replay", "--rules", str(rules), "--county", code, "--report", "diff")
    assert dry.exit_code == 0, dry.output
    with (operator_env / "diff.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["period_kind"] == "year"]
    assert {r["teacher_id"].removeprefix(f"{code}-"): Decimal(r["difference"]) for r in rows} == (
        golden_differences()
    )
    assert (operator_env / "diff.xlsx").exists() and "teachers losing" in dry.output

    applied = await run("replay", "--rules", str(rules), "--county", code, "--apply")
    assert applied.exit_code == 0, applied.output
    assert "HoursCorrected published" in applied.output
    rows_now = credits.queries.totals_rows(code, "year", str(YEAR))
    assert {r["teacher_id"].removeprefix(f"{code}-"): r["hours"] for r in rows_now} == EXPECTED_V2
