"""Grandfathering policies applied to an entry recomputed under new rules."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.activities.v1 import ParticipantRole
from services.credits.domain import LedgerEntry, evaluate, regrade
from services.credits.rules import Grandfathering, load_rule_set
from tests.unit.credits.builders import V1_FILE, V2_FILE, record

V1, V2 = load_rule_set(V1_FILE), load_rule_set(V2_FILE)
BEFORE, AFTER = date(2025, 11, 20), date(2026, 3, 12)


def pair(on: date, role: ParticipantRole) -> tuple[LedgerEntry, LedgerEntry]:
    """The same lecture under v1 and v2: a lecturer gains (6 -> 9 h)."""
    rec = record(role=role, on=on)
    return evaluate(V1, rec), evaluate(V2, rec)


def losing_pair() -> tuple[LedgerEntry, LedgerEntry]:
    """An entry that loses hours under the new rules: a lecturer at 3x -> 2x."""
    rec = record(role=ParticipantRole.LECTURER, on=AFTER)
    return evaluate(V2, rec), evaluate(V1, rec)


RETRO = Grandfathering(policy="retroactive")
FROM_2026 = Grandfathering(policy="from_date", from_date=date(2026, 1, 1))
NEVER_REDUCE = Grandfathering(policy="never_reduce_certified")


@pytest.mark.parametrize(
    ("policy", "on", "certified", "keeps_old"),
    [
        (RETRO, BEFORE, True, False),
        (RETRO, AFTER, False, False),
        (FROM_2026, BEFORE, False, True),
        (FROM_2026, BEFORE, True, True),
        (FROM_2026, AFTER, True, False),
        (FROM_2026, date(2026, 1, 1), False, False),
        (NEVER_REDUCE, AFTER, True, False),  # a gain is always taken
        (NEVER_REDUCE, AFTER, False, False),
    ],
)
def test_grandfathering_of_a_gain(
    policy: Grandfathering, on: date, certified: bool, keeps_old: bool
):
    old, new = pair(on, ParticipantRole.LECTURER)
    assert new.hours > old.hours
    assert regrade(policy, old, new, certified) is (old if keeps_old else new)


@pytest.mark.parametrize(
    ("policy", "certified", "keeps_old"),
    [
        (RETRO, True, False),
        (NEVER_REDUCE, True, True),
        (NEVER_REDUCE, False, False),
        (FROM_2026, True, False),
    ],
)
def test_grandfathering_of_a_loss(policy: Grandfathering, certified: bool, keeps_old: bool):
    old, new = losing_pair()
    assert new.hours < old.hours
    kept = regrade(policy, old, new, certified)
    assert kept is (old if keeps_old else new)
    assert kept.hours >= (old.hours if keeps_old else new.hours)


def test_a_kept_entry_still_names_the_rule_version_that_earned_it():
    old, new = pair(BEFORE, ParticipantRole.LECTURER)
    kept = regrade(V2, old, new, certified=True)  # v2's own policy: from 2026-01-01
    assert (kept.rule_set_version, kept.hours) == ("2021.1", old.hours)


@pytest.mark.parametrize("policy", [RETRO, FROM_2026, NEVER_REDUCE])
def test_an_entry_without_a_predecessor_is_taken_as_is(policy: Grandfathering):
    _, new = pair(BEFORE, ParticipantRole.ATTENDEE)
    assert regrade(policy, None, new, certified=False) is new
