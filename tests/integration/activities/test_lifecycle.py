"""One activity through the command bus on real NATS: life cycle, refusals, the record."""

from __future__ import annotations

import asyncio
from datetime import date, time

import pytest
from typer.testing import CliRunner

from contracts import Command
from contracts.activities import v1
from contracts.replies import ErrorCode
from services.activities.cli import app
from tests.fixtures.activities.registry import County, membership_move
from tests.fixtures.activities.semester import Plan, semester
from tests.integration.activities.conftest import (
    caught_up,
    publish_registry,
    send_all,
    training_of,
)
from tests.support.waiting import eventually
from yanpei.tabular import write_rows

pytestmark = pytest.mark.integration


async def test_a_training_runs_through_its_life_cycle_and_records_participations(
    activities, client, county
):
    plan = training_of(county)
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
    plan = training_of(county)
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
    plan = training_of(county)
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


def _planning_of_p41(county: County) -> Plan:
    """P41's joint planning of 20 Oct (before its move from C4 to C5 on 15 Nov)."""
    return next(p for p in semester(county) if p.activity_id == f"a{county.code}-j6")


async def test_a_rescheduled_activity_is_held_on_its_new_day_for_the_community_of_that_day(
    activities, client, county, nc
):
    await publish_registry(nc, county.code, membership_move(county))
    await eventually(lambda: caught_up(activities), what="the move of P41")
    plan = _planning_of_p41(county)
    scheduled_at = next(
        i for i, c in enumerate(plan.commands) if isinstance(c, v1.ScheduleActivity)
    )
    first = plan.commands[scheduled_at]
    assert isinstance(first, v1.ScheduleActivity)
    new_day = date(2025, 12, 3)
    moved = v1.RescheduleActivity(
        **first.model_dump(exclude={"held_on"}), held_on=new_day, reason="与期中考试冲突"
    )
    commands = [*plan.commands[: scheduled_at + 1], moved, *plan.commands[scheduled_at + 1 :]]
    replies = await send_all(client, county.code, commands)
    assert [r.error for r in replies if not r.ok] == []
    (rescheduled,) = replies[scheduled_at + 1].events
    assert rescheduled.type == "activities.ActivityRescheduled.v1"
    assert rescheduled.data["community_id"] == county.community(5)  # judged on 3 Dec
    assert replies[scheduled_at].events[0].data["community_id"] == county.community(4)
    records = [
        v1.ParticipationRecorded.model_validate(e.data).record
        for e in replies[-1].events
        if e.type == "activities.ParticipationRecorded.v1"
    ]
    assert {(r.activity_date, r.community_id) for r in records} == {(new_day, county.community(5))}
    again = await client.send(county.code, moved)
    assert again.error is not None and again.error.rule == "ActivityLifeCycle"
    assert "closed" in again.error.message
    await eventually(lambda: caught_up(activities), what="the views")
    detail = activities.queries.activity(plan.activity_id)
    assert (detail["held_on"], detail["community_id"]) == (new_day, county.community(5))


async def test_a_returned_plan_is_resubmitted_then_approved(activities, client, county):
    plan = training_of(county)
    request, approve = plan.commands[:2]
    returned = v1.ReviewActivityPlan(
        activity_id=plan.activity_id,
        outcome=v1.PlanOutcome.RETURNED,
        reviewer="教研室",
        comments="请补充研修目标",
    )
    resubmitted = v1.ResubmitActivityPlan(
        activity_id=plan.activity_id, title="校本研修（修订）", changes="补充了研修目标"
    )
    replies = await send_all(
        client, county.code, [request, returned, resubmitted, approve, *plan.commands[2:]]
    )
    assert [r.error for r in replies if not r.ok] == []
    types = [e.type.split(".")[1] for r in replies[:4] for e in r.events]
    assert types == [
        "ActivityRequested",
        "ActivityPlanReviewed",
        "ActivityPlanResubmitted",
        "ActivityPlanReviewed",
    ]
    record = next(
        v1.ParticipationRecorded.model_validate(e.data).record
        for e in replies[-1].events
        if e.type == "activities.ParticipationRecorded.v1"
    )
    assert record.title == "校本研修（修订）"
    await eventually(lambda: caught_up(activities), what="the views")
    detail = activities.queries.activity(plan.activity_id)
    assert (detail["status"], detail["title"]) == ("closed", "校本研修（修订）")


async def test_illegal_transitions_are_refused_through_the_command_bus(activities, client, county):
    plan = training_of(county)
    aid = plan.activity_id
    held_at = next(i for i, c in enumerate(plan.commands) if isinstance(c, v1.MarkActivityHeld))
    schedule = plan.commands[2]
    assert isinstance(schedule, v1.ScheduleActivity)
    attempts: dict[str, list[Command]] = {
        "requested": [
            v1.ResubmitActivityPlan(activity_id=aid, title="x"),
            schedule,
            v1.SignIn(activity_id=aid, teacher_id=plan.people[0][0], signed_in_at=time(14)),
        ],
        "held": [
            plan.commands[0],
            plan.commands[1],
            v1.RescheduleActivity(**schedule.model_dump(), reason="x"),
            v1.CancelActivity(activity_id=aid, reason="x"),
        ],
    }
    requested = await client.send(county.code, plan.commands[0])
    assert requested.ok
    for command in attempts["requested"]:
        reply = await client.send(county.code, command)
        assert reply.error is not None and reply.error.rule == "ActivityLifeCycle", command
        assert "it is requested" in reply.error.message
    accepted = [requested, *await send_all(client, county.code, plan.commands[1 : held_at + 1])]
    assert all(r.ok for r in accepted)
    for command in attempts["held"]:
        reply = await client.send(county.code, command)
        assert reply.error is not None and reply.error.rule == "ActivityLifeCycle", command
        assert "it is held" in reply.error.message and not reply.events
    events, _ = await activities.store.load(activities.store.ref(county.code, "activity", aid))
    assert len(events) == sum(len(r.events) for r in accepted)  # nothing from the refusals
