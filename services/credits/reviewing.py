"""Review and certification of a teacher's hours for a period (学时审核与认定), pure.

The aggregate is one teacher's hours in one period (``teacher_hours``). Steps follow the
rule set's chain (school → county, → city where it says so); each approves or rejects with
a reason. Approval at the last step certifies the hours: final. A rejection sends the hours
back to the first step. A correction voids an entry (``EntryVoided``): never an edit; it
takes certified hours back, and the changed total must be reviewed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from contracts import Contract, Event
from contracts.credits import v1
from contracts.replies import NotFound, RuleBroken
from eventlog.commandbus import Decider

__all__ = ["DECIDER", "CurrentHours", "HoursState", "decide_review", "decide_void", "evolve"]


@dataclass(frozen=True)
class HoursState:
    """What the log says of one teacher's period: the review position and what is certified."""

    position: int = 0
    certified_entries: frozenset[str] = frozenset()
    certified_hours: Decimal | None = None
    voided: frozenset[str] = frozenset()
    history: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CurrentHours:
    """The live ledger's figures for the period, looked up by the handler."""

    county_code: str
    school_id: str
    period_kind: v1.PeriodKind
    hours: Decimal
    entry_ids: tuple[str, ...]
    rule_set_id: str
    rule_set_version: str
    chain: tuple[v1.ReviewStep, ...]


def evolve(state: HoursState, event: Contract) -> HoursState:
    """The state after one event of the aggregate."""
    if isinstance(event, v1.HoursReviewed):
        approved = event.outcome is v1.ReviewOutcome.APPROVED
        return replace(state, position=state.position + 1 if approved else 0)
    if isinstance(event, v1.HoursCertified):
        return replace(
            state,
            position=0,
            certified_entries=frozenset(event.entry_ids),
            certified_hours=event.hours,
        )
    if isinstance(event, v1.EntryVoided):
        return replace(state, position=0, voided=state.voided | {event.entry_id})
    return state


DECIDER = Decider(initial=HoursState, evolve=evolve)


def _common(cmd: v1.ReviewHours | v1.VoidEntry, now: CurrentHours) -> dict[str, object]:
    return {
        "county_code": now.county_code,
        "teacher_id": cmd.teacher_id,
        "school_id": now.school_id,
        "period": cmd.period,
        "period_kind": cmd.period_kind,
    }


def _due_step(state: HoursState, now: CurrentHours) -> v1.ReviewStep:
    if state.certified_hours is not None and frozenset(now.entry_ids) == state.certified_entries:
        raise RuleBroken(
            f"these hours ({state.certified_hours} h) are certified and final; "
            "a correction voids an entry first",
            rule="certified_is_final",
        )
    return now.chain[min(state.position, len(now.chain) - 1)]


def _following(state: HoursState, now: CurrentHours, approved: bool) -> v1.ReviewStep:
    """The step after this one: the next up the chain, or back to the first."""
    return now.chain[state.position + 1] if approved else now.chain[0]


def decide_review(state: HoursState, cmd: v1.ReviewHours, now: CurrentHours) -> Sequence[Event]:
    """One review step: refused unless it is the step due; the last approval certifies."""
    due = _due_step(state, now)
    if cmd.step is not due:
        raise RuleBroken(
            f"the {cmd.step.value} review is not due: the {due.value} review comes next",
            field="step",
            rule="review_chain_order",
        )
    approved = cmd.outcome is v1.ReviewOutcome.APPROVED
    last = approved and state.position + 1 >= len(now.chain)
    reviewed = v1.HoursReviewed(
        **_common(cmd, now),
        step=cmd.step,
        outcome=cmd.outcome,
        reason=cmd.reason,
        reviewer=cmd.reviewer,
        hours=now.hours,
        entry_ids=list(now.entry_ids),
        next_step=None if last else _following(state, now, approved),
    )
    if not last:
        return [reviewed]
    certified = v1.HoursCertified(
        **_common(cmd, now),
        rule_set_id=now.rule_set_id,
        rule_set_version=now.rule_set_version,
        hours=now.hours,
        entry_ids=list(now.entry_ids),
        certified_by=cmd.reviewer,
    )
    return [reviewed, certified]


def decide_void(
    state: HoursState,
    cmd: v1.VoidEntry,
    now: CurrentHours,
    entry: tuple[str, Decimal] | None,
) -> Sequence[Event]:
    """Void one entry of the period (``entry``: its activity and hours, None if unknown)."""
    if cmd.entry_id in state.voided:
        raise RuleBroken(f"entry {cmd.entry_id} is voided already", rule="void_once")
    if entry is None:
        raise NotFound(
            f"no entry {cmd.entry_id} in {cmd.teacher_id}'s {cmd.period}", field="entry_id"
        )
    activity_id, hours = entry
    return [
        v1.EntryVoided(
            **_common(cmd, now),
            entry_id=cmd.entry_id,
            activity_id=activity_id,
            hours=hours,
            reason=cmd.reason,
            voided_by=cmd.voided_by,
            was_certified=cmd.entry_id in state.certified_entries,
        )
    ]
