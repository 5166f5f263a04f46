"""Ledger versions: listed for the operator, and the ones nobody reads dropped, tables and
all, while the live ledger keeps answering."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nats.aio.client import Client
from sqlalchemy import inspect
from typer.testing import CliRunner, Result

from eventlog.checkpoints import bookkeeping
from services.credits.app import CreditsService
from services.credits.cli import app
from services.credits.ledgers import BASE
from services.credits.pruning import ledger_versions
from services.credits.replay import Replay
from services.credits.switching import apply
from tests.integration.credits.conftest import publish_golden, settle, v1_book, v2_file
from tests.unit.credits.golden import EXPECTED_V1, EXPECTED_V2, YEAR


async def run(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


def year_hours(credits: CreditsService, code: str) -> dict[str, object]:
    rows = credits.queries.totals_rows(code, "year", str(YEAR))
    return {r["teacher_id"].removeprefix(f"{code}-"): r["hours"] for r in rows}


async def test_a_dry_runs_ledger_is_listed_then_dropped_and_a_live_one_never_is(
    credits: CreditsService, nc: Client, code: str, tmp_path: Path, operator_env: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    engine = credits.engine
    assert engine is not None
    replay = Replay(nc, engine, v1_book(code))
    shadow = replay.register(v2_file(code, tmp_path), code)
    await replay.build(shadow)
    killed = tmp_path / "killed.yaml"  # a replay registered, then never run to the end
    killed.write_text(v2_file(code, tmp_path).read_text("utf-8") + "\n# again\n", "utf-8")
    building = replay.register(killed, code)

    listed = {v.ledger_id: v for v in ledger_versions(engine)}
    assert listed[BASE].live_for == ("*",) and listed[BASE].status == "live"
    assert listed[shadow.ledger_id].status == "ready"
    assert listed[building.ledger_id].status == "building"
    shown = await run("ledgers")
    assert shown.exit_code == 0 and shadow.ledger_id in shown.output and "ready" in shown.output

    refused = await run("drop", BASE)
    assert refused.exit_code == 2 and "is live for *" in refused.output
    unknown = await run("drop", "r000000000000")
    assert unknown.exit_code == 2 and "no ledger version 'r000000000000'" in unknown.output
    not_yet = await run("drop", building.ledger_id)
    assert not_yet.exit_code == 2 and "still building" in not_yet.output

    prefix = f"credits_{shadow.ledger_id}_"
    assert any(t.startswith(prefix) for t in inspect(engine).get_table_names())
    dropped = await run("drop", shadow.ledger_id)
    assert dropped.exit_code == 0, dropped.output
    assert f"dropped ledger {shadow.ledger_id}" in dropped.output
    assert not [t for t in inspect(engine).get_table_names() if t.startswith(prefix)]
    with engine.connect() as tx:
        assert bookkeeping.generations_of(tx, f"credits_ledger_{shadow.ledger_id}") == []
    forced = await run("drop", building.ledger_id, "--force")
    assert forced.exit_code == 0, forced.output

    assert {v.ledger_id for v in ledger_versions(engine)} == {BASE}
    assert year_hours(credits, code) == EXPECTED_V1, "the live ledger answers as before"
    assert any(t.startswith(f"credits_{BASE}_") for t in inspect(engine).get_table_names())


async def test_a_version_just_retired_is_kept_unless_forced(
    credits: CreditsService, nc: Client, code: str, tmp_path: Path, operator_env: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    assert credits.engine is not None and credits.store is not None
    replay = Replay(nc, credits.engine, v1_book(code))
    first = replay.register(v2_file(code, tmp_path), code)
    await apply(replay, first, credits.store, "rules 2026.1")
    again = tmp_path / "again.yaml"  # the same rules, filed again: another version
    again.write_text(v2_file(code, tmp_path).read_text("utf-8") + "\n# filed again\n", "utf-8")
    second = replay.register(again, code)
    await apply(replay, second, credits.store, "rules 2026.1, filed again")

    listed = {v.ledger_id: v for v in ledger_versions(credits.engine)}
    assert listed[first.ledger_id].status == "retired"
    assert listed[second.ledger_id].live_for == (code,)
    refused = await run("drop", second.ledger_id, "--force")
    assert refused.exit_code == 2 and f"is live for {code}" in refused.output, "never live"
    soon = await run("drop", first.ledger_id)
    assert soon.exit_code == 2 and "was retired at" in soon.output
    forced = await run("drop", first.ledger_id, "--force")
    assert forced.exit_code == 0, forced.output
    assert first.ledger_id not in {v.ledger_id for v in ledger_versions(credits.engine)}
    assert year_hours(credits, code) == EXPECTED_V2, "the county's live ledger answers"
