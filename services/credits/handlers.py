"""Command handlers: review, certification and corrections of a teacher's hours.

Each handler reads the live ledger for the figures (hours, entries, the rule set's review
chain), then loads the ``teacher_hours`` aggregate, decides with the pure functions of
:mod:`services.credits.reviewing`, and appends: load → decide → append, retried on a
concurrent write, idempotent per command id (``eventlog.commandbus.execute``).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from contracts.credits import v1
from contracts.replies import NotFound
from eventlog.commandbus import CommandMeta, execute
from eventlog.intake import CommandIntake
from eventlog.store import AppendResult, EventStore
from eventlog.subjects import AggregateRef
from services.credits.queries import Explanation, LedgerQueries
from services.credits.reviewing import DECIDER, CurrentHours, decide_review, decide_void

__all__ = ["Handlers"]


class Handlers:
    """The credits command handlers, over one event store and the live ledger."""

    def __init__(self, store: EventStore, queries: LedgerQueries) -> None:
        self.store = store
        self.queries = queries

    def register_all(self, intake: CommandIntake) -> None:
        intake.add(v1.ReviewHours, self.review_hours)
        intake.add(v1.VoidEntry, self.void_entry)

    async def _current(
        self, cmd: v1.ReviewHours | v1.VoidEntry, meta: CommandMeta
    ) -> tuple[Explanation, CurrentHours]:
        found = await asyncio.to_thread(
            self.queries.explain, cmd.teacher_id, str(cmd.period_kind), cmd.period
        )
        if found is None or found.county_code != meta.county:
            raise NotFound(
                f"no hours of teacher {cmd.teacher_id} for {cmd.period} in county {meta.county}",
                field="teacher_id",
            )
        totals = found.totals
        now = CurrentHours(
            county_code=found.county_code,
            school_id=found.school_id,
            period_kind=cmd.period_kind,
            hours=totals.hours,
            entry_ids=tuple(sorted(e.entry_id for e in found.entries)),
            rule_set_id=totals.rule_set_id,
            rule_set_version=totals.rule_set_version,
            chain=tuple(v1.ReviewStep(s) for s in found.review_chain),
        )
        return found, now

    def _ref(self, meta: CommandMeta, cmd: v1.ReviewHours | v1.VoidEntry) -> AggregateRef:
        return self.store.ref(
            meta.county, "teacher_hours", v1.teacher_hours_id(cmd.teacher_id, cmd.period)
        )

    async def review_hours(self, cmd: v1.ReviewHours, meta: CommandMeta) -> AppendResult:
        """One review step; the last approval certifies (HoursReviewed [+ HoursCertified])."""
        _, now = await self._current(cmd, meta)
        return await execute(
            self.store, self._ref(meta, cmd), DECIDER, lambda s: decide_review(s, cmd, now), meta
        )

    async def void_entry(self, cmd: v1.VoidEntry, meta: CommandMeta) -> AppendResult:
        """Void one entry of the period (EntryVoided); certified hours are taken back."""
        found, now = await self._current(cmd, meta)
        entry = _entry(found, cmd.entry_id)
        return await execute(
            self.store,
            self._ref(meta, cmd),
            DECIDER,
            lambda s: decide_void(s, cmd, now, entry),
            meta,
        )


def _entry(found: Explanation, entry_id: str) -> tuple[str, Decimal] | None:
    for entry in found.entries:
        if entry.entry_id == entry_id:
            return entry.activity_id, entry.hours
    return None
