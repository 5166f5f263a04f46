"""Every command in every status: accepted where the life cycle allows it, refused elsewhere."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.activities import v1
from contracts.replies import NotFound, RuleBroken
from services.activities.domain import lifecycle
from services.activities.domain.rules import TRANSITIONS
from services.activities.domain.state import Status
from tests.unit.activities.builders import (
    AID,
    CTX,
    DECISIONS,
    fold,
    review_cmd,
    schedule_cmd,
    state_in,
)

CASES = [(command, status) for command in sorted(TRANSITIONS) for status in Status]


def test_every_command_of_the_life_cycle_has_a_decision():
    assert set(DECISIONS) == set(TRANSITIONS)


@pytest.mark.parametrize(("command", "status"), CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_a_command_is_accepted_exactly_in_the_statuses_the_life_cycle_allows(command, status):
    state = state_in(status)
    if status in TRANSITIONS[command]:
        events = DECISIONS[command](state)
        assert events
        fold(events, state)  # the new state folds without error
    else:
        with pytest.raises((RuleBroken, NotFound)) as refused:
            DECISIONS[command](state)
        if status is not Status.NEW:
            assert refused.value.rule == "ActivityLifeCycle"
            assert str(status) in refused.value.message


@pytest.mark.parametrize(
    ("command", "after"),
    [
        ("ReviewActivityPlan", Status.APPROVED),
        ("ScheduleActivity", Status.SCHEDULED),
        ("RescheduleActivity", Status.SCHEDULED),
        ("CancelActivity", Status.CANCELLED),
        ("MarkActivityHeld", Status.HELD),
        ("CloseActivity", Status.CLOSED),
        ("ResubmitActivityPlan", Status.REQUESTED),
    ],
)
def test_a_legal_transition_leads_to_its_status(command, after):
    before = next(s for s in Status if s in TRANSITIONS[command])
    state = state_in(before)
    assert fold(DECISIONS[command](state), state).status is after


@pytest.mark.parametrize(
    ("outcome", "after"),
    [
        (v1.PlanOutcome.APPROVED, Status.APPROVED),
        (v1.PlanOutcome.RETURNED, Status.RETURNED),
        (v1.PlanOutcome.REJECTED, Status.REJECTED),
    ],
)
def test_each_review_outcome_leads_to_its_status(outcome, after):
    state = state_in(Status.REQUESTED)
    assert fold(lifecycle.review(state, review_cmd(outcome), CTX), state).status is after


def test_a_plan_returned_then_resubmitted_is_reviewed_again_and_keeps_its_new_title():
    state = state_in(Status.RETURNED)
    resubmit = v1.ResubmitActivityPlan(activity_id=AID, title="修订后的方案", changes="补充目标")
    state = fold(lifecycle.resubmit(state, resubmit, CTX), state)
    assert (state.status, state.title) == (Status.REQUESTED, "修订后的方案")
    state = fold(lifecycle.review(state, review_cmd(v1.PlanOutcome.APPROVED), CTX), state)
    assert state.status is Status.APPROVED


def test_a_reschedule_moves_the_day_and_keeps_the_activity_scheduled():
    state = state_in(Status.SCHEDULED)
    later = schedule_cmd(v1.RescheduleActivity, reason="冲突", held_on=date(2025, 10, 29))
    moved = fold(lifecycle.reschedule(state, later, CTX, "c2"), state)
    assert moved.status is Status.SCHEDULED and moved.schedule is not None
    assert (moved.schedule.held_on, moved.community_id) == (date(2025, 10, 29), "c2")


@pytest.mark.parametrize(
    ("command", "after"),
    [("RequestActivity", Status.REQUESTED), ("RecordExternalTraining", Status.CLOSED)],
)
def test_a_new_activity_starts_by_a_request_or_as_an_imported_record(command, after):
    assert fold(DECISIONS[command](state_in(Status.NEW))).status is after
