"""Review and certification through the command bus: the chain, rejections, corrections."""

from __future__ import annotations

import pytest
from nats.aio.client import Client
from pydantic import ValidationError

from contracts.credits import v1
from eventlog.commandbus import CommandClient
from services.credits.app import CreditsService
from tests.integration.credits.conftest import hours_events, publish_golden, settle
from tests.unit.credits.golden import EXPECTED_V1, YEAR

YEAR_ = str(YEAR)


def review(teacher: str, step: str, outcome: str = "approved", reason: str = "") -> v1.ReviewHours:
    return v1.ReviewHours(
        teacher_id=teacher,
        period=YEAR_,
        period_kind=v1.PeriodKind.YEAR,
        step=v1.ReviewStep(step),
        outcome=v1.ReviewOutcome(outcome),
        reason=reason,
        reviewer=f"{step} office",
    )


def void(teacher: str, entry_id: str) -> v1.VoidEntry:
    return v1.VoidEntry(
        teacher_id=teacher,
        period=YEAR_,
        period_kind=v1.PeriodKind.YEAR,
        entry_id=entry_id,
        reason="the lecture was not given",
        voided_by="county office",
    )


async def test_hours_go_up_the_chain_and_certified_hours_are_final(
    credits: CreditsService, nc: Client, code: str, client: CommandClient
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    teacher = f"{code}-g-t2"

    early = await client.send(code, review(teacher, "county"))
    assert not early.ok and early.error and early.error.rule == "review_chain_order"
    assert (await client.send(code, review(teacher, "school"))).ok
    rejected = await client.send(code, review(teacher, "county", "rejected", "no sign-in sheet"))
    assert rejected.ok and rejected.events[0].data["next_step"] == "school"
    assert not (await client.send(code, review(teacher, "county"))).ok, "back to the school"
    assert (await client.send(code, review(teacher, "school"))).ok
    certified = await client.send(code, review(teacher, "county"))
    assert certified.ok and [e.type for e in certified.events] == [
        "credits.HoursReviewed.v1",
        "credits.HoursCertified.v1",
    ]
    assert certified.events[1].data["hours"] == str(EXPECTED_V1["g-t2"])
    final = await client.send(code, review(teacher, "school"))
    assert not final.ok and final.error and final.error.rule == "certified_is_final"
    names = [e.name for e in await hours_events(nc, code, teacher, YEAR_)]
    assert names.count("HoursReviewed") == 4 and names.count("HoursCertified") == 1


async def test_a_void_takes_certified_hours_back_never_an_edit(
    credits: CreditsService, nc: Client, code: str, client: CommandClient
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    teacher = f"{code}-g-t2"
    for step in ("school", "county"):
        assert (await client.send(code, review(teacher, step))).ok
    found = credits.queries.explain(teacher, "year", YEAR_)
    assert found is not None
    lecture = next(e for e in found.entries if e.activity_id.endswith("g05"))

    voided = await client.send(code, void(teacher, lecture.entry_id))
    assert voided.ok and voided.events[0].data["was_certified"] is True
    twice = await client.send(code, void(teacher, lecture.entry_id))
    assert not twice.ok and twice.error and twice.error.rule == "void_once"
    await settle(credits)
    after = credits.queries.explain(teacher, "year", YEAR_)
    assert after is not None and after.totals.hours == EXPECTED_V1["g-t2"] - lecture.hours
    assert [v["activity_id"] for v in after.voided] == [lecture.activity_id]
    assert after.review and after.review["certified_hours"] == str(EXPECTED_V1["g-t2"])


async def test_a_rejection_needs_a_reason_and_an_unknown_teacher_is_not_found(
    credits: CreditsService, nc: Client, code: str, client: CommandClient
) -> None:
    await publish_golden(nc, code)
    await settle(credits)
    with pytest.raises(ValidationError, match="a rejection needs a reason"):
        review(f"{code}-g-t1", "school", "rejected", " ")
    unknown = await client.send(code, review(f"{code}-nobody", "school"))
    assert not unknown.ok and unknown.error and unknown.error.code == "not_found"
