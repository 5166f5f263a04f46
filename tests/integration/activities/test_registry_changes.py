"""Registry changes judged on the activity's day: leave, retirement, dissolution (ADR 0016)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from contracts.activities import v1
from contracts.registry import v1 as reg
from contracts.replies import ErrorCode
from tests.fixtures.activities.registry import County
from tests.integration.activities.conftest import (
    caught_up,
    publish_registry,
    send_all,
    training_of,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _leave(nc, county: County, teacher: str, kind: reg.LeaveKind, on: date) -> None:
    started = reg.TeacherLeaveStarted(
        county_code=county.code, teacher_id=teacher, leave_kind=kind, effective_on=on
    )
    await publish_registry(nc, county.code, [("teacher", teacher, [started])])


async def test_teachers_on_leave_or_retired_are_not_registered_and_the_reply_says_why(
    activities, client, county, nc
):
    plan = training_of(county)
    on_leave, retired = county.teachers(county.lead(1))[1:3]
    await _leave(nc, county, on_leave, reg.LeaveKind.MATERNITY, date(2025, 9, 1))
    retirement = reg.TeacherRetired(
        county_code=county.code, teacher_id=retired, effective_on=date(2025, 9, 30)
    )
    await publish_registry(nc, county.code, [("teacher", retired, [retirement])])
    await eventually(lambda: caught_up(activities), what="the leave and the retirement")
    assert all(r.ok for r in await send_all(client, county.code, plan.commands[:3]))
    lecturer = v1.ParticipantEntry(teacher_id=plan.people[0][0], role=v1.ParticipantRole.LECTURER)
    for teacher, reason in (
        (on_leave, "on maternity leave since 2025-09-01"),
        (retired, "retired"),
    ):
        absent = v1.ParticipantEntry(teacher_id=teacher, role=v1.ParticipantRole.ATTENDEE)
        reply = await client.send(
            county.code,
            v1.RegisterParticipants(activity_id=plan.activity_id, participants=[lecturer, absent]),
        )
        assert reply.error is not None and reply.error.rule == "TeacherAvailable"
        assert reason in reply.error.message and str(plan.held_on) in reply.error.message
        assert not reply.events  # the lecturer was not registered either: all or nothing


async def test_a_teacher_on_leave_on_the_day_signs_in_only_once_back_at_work(
    activities, client, county, nc
):
    plan = training_of(county)
    aid, teacher = plan.activity_id, county.teachers(county.lead(1))[3]
    assert all(r.ok for r in await send_all(client, county.code, plan.commands[:4]))
    # Registered while working; the sick leave, recorded later, began the day before.
    await _leave(nc, county, teacher, reg.LeaveKind.SICK, plan.held_on - timedelta(days=1))
    await eventually(lambda: caught_up(activities), what="the sick leave")
    assert (await client.send(county.code, v1.MarkActivityHeld(activity_id=aid))).ok
    signed = await client.send(
        county.code, v1.SignIn(activity_id=aid, teacher_id=teacher, signed_in_at=time(14))
    )
    assert signed.error is not None and signed.error.rule == "TeacherAvailable"
    assert "on sick leave" in signed.error.message
    assert (await client.send(county.code, v1.SignIn(activity_id=aid, teacher_id=teacher))).ok
    # The registry then records the teacher back at work on the day itself: signed in.
    back = reg.TeacherLeaveEnded(
        county_code=county.code, teacher_id=teacher, effective_on=plan.held_on
    )
    await publish_registry(nc, county.code, [("teacher", teacher, [back])])
    await eventually(lambda: caught_up(activities), what="the end of the leave")
    again = await client.send(
        county.code, v1.SignIn(activity_id=aid, teacher_id=teacher, signed_in_at=time(14))
    )
    assert again.ok and again.events[0].data["status"] == "present"


async def test_a_dissolved_community_requests_nothing_from_its_dissolution_on(
    activities, client, county, nc
):
    dissolved_on = date(2025, 10, 1)
    dissolution = reg.CommunityDissolved(
        community_id=county.community(5),
        county_code=county.code,
        effective_on=dissolved_on,
        reason="合并",
    )
    await publish_registry(nc, county.code, [("community", county.community(5), [dissolution])])
    await eventually(lambda: caught_up(activities), what="the dissolution")

    def request(n: int, day: date, community: str) -> v1.RequestActivity:
        return v1.RequestActivity(
            activity_id=f"a{county.code}-dis{n}",
            activity_kind="lesson_delivery",
            title="送教",
            community_id=community,
            proposed_on=day,
            requested_by="教研室",
        )

    late = await client.send(county.code, request(1, date(2025, 10, 15), county.community(5)))
    assert late.error is not None and late.error.rule == "ActiveCommunity"
    assert f"dissolved on {dissolved_on}" in late.error.message
    assert (await client.send(county.code, request(2, date(2025, 9, 20), county.community(5)))).ok
    unknown = await client.send(county.code, request(3, date(2025, 9, 20), "c-nowhere"))
    assert unknown.error is not None and unknown.error.code is ErrorCode.NOT_FOUND
