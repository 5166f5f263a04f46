"""Replay after a rule change: the dry-run diff, queries during it, and the switch."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from nats.aio.client import Client

from contracts.credits import v1
from eventlog.commandbus import CommandClient
from eventlog.store import EventStore
from services.credits.app import CreditsService
from services.credits.replay import Replay
from services.credits.rules import PROPOSED_DIR
from services.credits.switching import apply
from tests.integration.credits.conftest import (
    hours_events,
    publish_golden,
    rule_document,
    settle,
    v1_book,
    v2_file,
    year_hours,
)
from tests.support.waiting import eventually
from tests.unit.credits.golden import EXPECTED_V1, EXPECTED_V2, YEAR, golden_differences

CYCLE = "2026-2030"


async def corrections(nc: Client, county: str, periods: list[str]) -> list[v1.HoursCorrected]:
    found = []
    for teacher in EXPECTED_V1:
        for period in periods:
            for event in await hours_events(nc, county, f"{county}-{teacher}", period):
                if isinstance(event, v1.HoursCorrected):
                    found.append(event)
    return found


async def test_dry_run_diff_equals_the_hand_computed_differences_and_queries_keep_answering(
    credits: CreditsService, nc: Client, code: str, tmp_path: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    assert credits.engine is not None
    replay = Replay(nc, credits.engine, v1_book(code), batch_size=5)
    shadow = replay.register(v2_file(code, tmp_path), code)
    answers: list[dict[str, object]] = []

    def ask_meanwhile(phase: str, done: int, total: int) -> None:
        answers.append(year_hours(credits, code))  # the live ledger, mid-replay

    await replay.build(shadow, ask_meanwhile)
    diff = replay.diff(shadow)

    years = {
        d.teacher_id.removeprefix(f"{code}-"): d.difference
        for d in diff
        if d.period_kind == "year" and d.difference
    }
    assert years == golden_differences()
    assert len(answers) > 3 and all(a == EXPECTED_V1 for a in answers)
    assert year_hours(credits, code) == EXPECTED_V1, "a dry run changes nothing live"
    assert await corrections(nc, code, [str(YEAR), CYCLE]) == []


async def test_apply_switches_the_live_ledger_and_publishes_each_correction(
    credits: CreditsService, nc: Client, code: str, tmp_path: Path
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    assert credits.engine is not None and credits.store is not None
    replay = Replay(nc, credits.engine, v1_book(code))
    shadow = replay.register(v2_file(code, tmp_path), code)

    changed, written = await apply(replay, shadow, credits.store, "rules 2026.1")
    again, rewritten = await apply(replay, shadow, credits.store, "rules 2026.1")

    assert written == len(changed) and rewritten == 0 and len(again) == len(changed)
    events = await corrections(nc, code, [str(YEAR), CYCLE])
    assert {(e.teacher_id, e.period): e.difference for e in events} == {
        (d.teacher_id, d.period): d.difference for d in changed
    }
    assert all(e.rule_set_version == "2026.1" and e.replay_id == shadow.ledger_id for e in events)
    assert year_hours(credits, code) == EXPECTED_V2
    await credits.keep_ledgers()
    await eventually(
        lambda: shadow.ledger_id in {r.name.rsplit("_", 1)[-1] for r in credits.runners}
    )
    found = credits.queries.explain(f"{code}-g-t2", "year", str(YEAR))
    assert found is not None and found.totals.rule_set_version == "2026.1"
    switched = EventStore(nc, "credits").ref(code, "ledger", shadow.ledger_id)
    stored, _ = await EventStore(nc, "credits").load(switched)
    assert [e.event.name for e in stored] == ["LedgerSwitched"]


async def test_a_rule_set_that_never_reduces_certified_hours_keeps_them(
    credits: CreditsService, nc: Client, code: str, tmp_path: Path, client: CommandClient
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    for step in ("school", "county"):  # g-t2's 2026 hours are certified, g-t5's are not
        command = v1.ReviewHours(
            teacher_id=f"{code}-g-t2",
            period=str(YEAR),
            period_kind=v1.PeriodKind.YEAR,
            step=v1.ReviewStep(step),
            outcome=v1.ReviewOutcome.APPROVED,
            reviewer=step,
        )
        assert (await client.send(code, command)).ok
    await settle(credits)
    document = rule_document(PROPOSED_DIR / "510781-v2.yaml", code)
    for rule in document["hour_rules"]:
        if rule["id"] == "lecture":
            rule["role_weights"] = {"lecturer": 1.0}  # a lecturer earns less than before
    document["grandfathering"] = {"policy": "never_reduce_certified"}
    rules = tmp_path / "lower.yaml"
    rules.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    assert credits.engine is not None
    replay = Replay(nc, credits.engine, v1_book(code))
    shadow = replay.register(rules, code)
    await replay.build(shadow)

    years = {
        d.teacher_id.removeprefix(f"{code}-"): d.difference
        for d in replay.diff(shadow)
        if d.period_kind == "year" and d.difference
    }
    assert "g-t2" not in years, "certified: the lecture keeps its 4 h"
    # not certified: the lecture 3 h becomes 1.5 h, and online counts 12 h, not 15
    assert years["g-t5"] == Decimal("-4.5")
