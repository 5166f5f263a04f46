"""One activity through the command bus on real NATS: life cycle, refusals, the record."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from contracts.activities import v1
from contracts.replies import ErrorCode
from services.activities.cli import app
from services.activities.exporting import write_rows
from tests.fixtures.activities.registry import County, registry_events
from tests.fixtures.activities.semester import Plan, semester
from tests.integration.activities.conftest import caught_up, publish_registry, send_all
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def county(activities, nc, code) -> County:
    county = County(code)
    await publish_registry(nc, code, registry_events(county))
    await eventually(lambda: caught_up(activities), what="the registry facts")
    return county


def _training(county: County) -> Plan:
    return next(p for p in semester(county) if p.kind == "school_based_training")


async def test_a_training_runs_through_its_life_cycle_and_records_participations(
    activities, client, county
):
    plan = _training(county)
    replies = await send_all(client, county.code, plan.commands)
    assert [r.error for r in replies if not r.ok] == []
    records = [
        v1.ParticipationRecorded.model_validate(e.data).record
        for e in replies[-1].events
        if e.type == "activities.ParticipationRecorded.v1"
    ]
    assert len(records) == 20
    by_teacher = {r.teacher_id: r for r in records}
    first = by_teacher[plan.people[1][0]]
    assert (first.activity_kind, first.activity_level, first.role) == (
        "school_based_training",
        v1.ActivityLevel.SCHOOL,
        v1.ParticipantRole.ATTENDEE,
    )
    assert first.result is v1.Result.PASSED and first.school_id == f"s{county.code}-l1"
    assert first.evidence.reflection_chars >= 1000 and first.scheduled_minutes == 120
    await eventually(lambda: caught_up(activities), what="the views")
    detail = activities.queries.activity(plan.activity_id)
    assert detail["status"] == "closed" and len(detail["participants"]) == 20


async def test_illegal_transitions_and_bad_input_are_refused_and_write_nothing(
    activities, client, county
):
    plan = _training(county)
    request, review, schedule = plan.commands[:3]
    closed_early = await client.send(county.code, v1.CloseActivity(activity_id=plan.activity_id))
    assert closed_early.error is not None and closed_early.error.code is ErrorCode.NOT_FOUND
    assert (await client.send(county.code, request)).ok
    held_early = await client.send(county.code, v1.MarkActivityHeld(activity_id=plan.activity_id))
    assert held_early.error is not None and held_early.error.rule == "ActivityLifeCycle"
    assert "requested" in held_early.error.message
    rejected = await client.send(
        county.code,
        v1.ReviewActivityPlan(
            activity_id=plan.activity_id, outcome=v1.PlanOutcome.RETURNED, reviewer="x"
        ),
    )
    assert rejected.error is not None and rejected.error.rule == "ReasonGiven"
    assert (await client.send(county.code, review)).ok and (
        await client.send(county.code, schedule)
    ).ok
    stranger = await client.send(
        county.code,
        v1.RegisterParticipant(
            activity_id=plan.activity_id, teacher_id="nobody", role=v1.ParticipantRole.ATTENDEE
        ),
    )
    assert stranger.error is not None and stranger.error.code is ErrorCode.NOT_FOUND


async def test_a_sign_in_sheet_is_recorded_through_the_cli(
    activities, client, county, nats_server, tmp_path, monkeypatch
):
    plan = _training(county)
    held = plan.commands.index(next(c for c in plan.commands if isinstance(c, v1.MarkActivityHeld)))
    assert all(r.ok for r in await send_all(client, county.code, plan.commands[: held + 1]))
    sheet = tmp_path / "sign-in.csv"
    rows = [{"teacher_id": t, "signed_in_at": "14:15", "signed_out_at": ""} for t, _ in plan.people]
    write_rows(rows, sheet)
    monkeypatch.setenv("YANPEI_NATS_URL", nats_server.url)
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["sign-in", county.code, plan.activity_id, str(sheet)]
    )
    assert result.exit_code == 0, result.output
    assert "20 sign-ins recorded" in result.output
    await eventually(lambda: caught_up(activities), what="the views")
    people = activities.queries.activity(plan.activity_id)["participants"]
    assert {(p["attendance"], p["attended_minutes"]) for p in people} == {("late", 105)}
