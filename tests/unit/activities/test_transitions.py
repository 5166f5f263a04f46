"""Every command in every status: accepted where the life cycle allows it, refused elsewhere."""

from __future__ import annotations

import pytest

from contracts.replies import NotFound, RuleBroken
from services.activities.domain.rules import TRANSITIONS
from services.activities.domain.state import Status
from tests.unit.activities.builders import DECISIONS, fold, state_in

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
