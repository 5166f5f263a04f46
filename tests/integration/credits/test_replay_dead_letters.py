"""A replay that cannot apply an event says so, and ``--apply`` will not switch past it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats.aio.client import Client
from typer.testing import CliRunner, Result

from contracts.activities.v1 import ParticipationRecord
from eventlog.streams import stream_name
from services.credits.app import CreditsService
from services.credits.cli import app
from services.credits.computing import Evaluator
from tests.conftest import serve_nats
from tests.fixtures.nats import GivenNatsServer
from tests.integration.credits.conftest import publish_golden, settle, v2_file, year_hours
from tests.unit.credits.golden import EXPECTED_V1, EXPECTED_V2
from yanpei.natsserver import EmbeddedNatsServer


@pytest.fixture
def nats_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedNatsServer | GivenNatsServer]:
    """A server of the test's own: every ledger reads every county's participations, so the
    broken event below would otherwise reach every other replay on the server."""
    yield from serve_nats(pytestconfig, tmp_path_factory, "credits dead-letter tests")


async def run(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def publish_broken_participation(nc: Client, code: str) -> int:
    """A ``ParticipationRecorded`` as a faulty producer might write it: right subject and
    headers, a body without its record."""
    js = nc.jetstream()
    stream = stream_name("activities")
    last = (await js.stream_info(stream)).state.last_seq
    good = await js.get_msg(stream, last)
    assert good.subject and good.subject.endswith(".ParticipationRecorded") and good.headers
    headers = {k: v for k, v in good.headers.items() if not k.startswith("Nats-")}
    headers["ce-id"] = f"broken-{code}"
    subject = f"evt.{code}.activities.activity.broken.ParticipationRecorded"
    body = json.dumps({"activity_id": "broken", "county_code": code}).encode()
    return (await js.publish(subject, body, headers=headers)).seq


async def test_an_event_the_live_ledger_could_not_apply_either_does_not_stop_a_switch(
    credits: CreditsService, nc: Client, code: str, operator_env: Path
) -> None:
    await publish_golden(nc, code)
    await publish_broken_participation(nc, code)
    await settle(credits)
    assert year_hours(credits, code) == EXPECTED_V1
    rules = v2_file(code, operator_env)

    applied = await run("replay", "--rules", str(rules), "--county", code, "--apply")
    assert applied.exit_code == 0, applied.output
    assert "1 event(s) could not be applied, as in the live ledger" in applied.output
    assert year_hours(credits, code) == EXPECTED_V2


async def test_apply_refuses_to_switch_past_an_event_only_the_new_ledger_could_not_apply(
    credits: CreditsService, nc: Client, code: str, operator_env: Path, monkeypatch
) -> None:
    records = await publish_golden(nc, code)
    await settle(credits)
    assert year_hours(credits, code) == EXPECTED_V1
    rules = v2_file(code, operator_env)
    # A fault of the new rules on one record (the live ledger applied it long ago).
    faulty = records[0].activity_id
    original = Evaluator.entry_row

    def entry_row(self: Evaluator, record: ParticipationRecord, event_id: str):
        if record.activity_id == faulty:
            raise ArithmeticError("the new rules cannot rate this record")
        return original(self, record, event_id)

    monkeypatch.setattr(Evaluator, "entry_row", entry_row)

    refused = await run("replay", "--rules", str(rules), "--county", code, "--apply")
    assert refused.exit_code == 1, refused.output
    assert "not switched: 1 event(s) the live ledger applied" in refused.output
    assert "EVT_ACTIVITIES#" in refused.output and "ArithmeticError" in refused.output
    assert year_hours(credits, code) == EXPECTED_V1, "the live ledger is untouched"
    listed = await run("ledgers")
    assert listed.exit_code == 0 and "ready" in listed.output, "the shadow is kept"

    dry = await run("replay", "--rules", str(rules), "--county", code, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "could not apply (1)" in dry.output, "a dry run resumed later lists it too"

    forced = await run(
        "replay", "--rules", str(rules), "--county", code, "--apply", "--allow-dead-letters"
    )
    assert forced.exit_code == 0, forced.output
    assert "HoursCorrected published" in forced.output
    assert year_hours(credits, code) != EXPECTED_V1, "switched, without the faulty record"
