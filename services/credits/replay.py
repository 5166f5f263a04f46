"""Replaying the history under another rule set: a shadow ledger, its diff, the switch.

``build`` computes a new ledger version from sequence 1 into its own tables beside the live
one (the live one keeps answering); its checkpoints are written with its rows, so a replay
killed at any point and started again resumes where it stopped and ends equal to one never
interrupted. The replay's id is derived from the county and the rule file's text, so the
same command finds the same replay. ``diff`` compares every total of the shadow with the
live one. ``apply`` catches the shadow up, switches the county's live pointer to it and
records the corrections in one transaction, then publishes ``HoursCorrected`` for each
(deterministic command ids: publishing again after a crash writes nothing twice).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from nats.aio.client import Client
from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import DBAPIError

from eventlog.deadletters import DeadLetter, DeadLetters
from eventlog.projection import ProjectionRunner
from eventlog.reader import last_sequence
from eventlog.streams import stream_name
from services.credits.computing import evaluator_for
from services.credits.grandfathering import Grandfather
from services.credits.ledger import LedgerProjection, ledger_projection_name
from services.credits.ledgers import ALL_COUNTIES, Ledgers, LedgerVersion, live, live_for
from services.credits.refreshing import refresh_dirty
from services.credits.rules import RuleBook, load_rule_set
from services.credits.sql import dec

__all__ = ["DiffRow", "Replay", "replay_id"]

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase is a stream name, or ``totals``."""


def replay_id(rules_text: str, county: str) -> str:
    """The replay's id: the same rule file and county give the same replay (resumable)."""
    digest = hashlib.sha256(f"{county}\n{rules_text}".encode()).hexdigest()
    return f"r{digest[:12]}"


@dataclass(frozen=True)
class DiffRow:
    """One total, before (live) and after (shadow)."""

    teacher_id: str
    county_code: str
    school_id: str
    period_kind: str
    period: str
    before: Decimal
    after: Decimal
    before_shortfall: Decimal
    after_shortfall: Decimal
    rule_set_id: str
    rule_set_version: str

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    def as_row(self) -> dict[str, Any]:
        """For the XLSX/CSV report."""
        return {
            "teacher_id": self.teacher_id,
            "county_code": self.county_code,
            "school_id": self.school_id,
            "period_kind": self.period_kind,
            "period": self.period,
            "hours_before": self.before,
            "hours_after": self.after,
            "difference": self.difference,
            "shortfall_before": self.before_shortfall,
            "shortfall_after": self.after_shortfall,
            "rule_set": f"{self.rule_set_id}@{self.rule_set_version}",
        }


class Replay:
    """Builds, compares and applies shadow ledgers."""

    def __init__(
        self, nc: Client, engine: Engine, base: RuleBook, *, batch_size: int = 2000
    ) -> None:
        self.nc = nc
        self.engine = engine
        self.base = base
        self.batch_size = batch_size
        self.ledgers = Ledgers(engine)

    def register(self, rules_file: Path, county: str | None) -> LedgerVersion:
        """Validate the rule file and register its replay (or find it again)."""
        load_rule_set(rules_file)  # refuses a bad file with file, path and reason
        text = rules_file.read_text(encoding="utf-8")
        where = county or ALL_COUNTIES
        self.ledgers.setup()
        return self.ledgers.add(replay_id(text, where), where, text, rules_file.name)

    def projection(self, ledger: LedgerVersion) -> LedgerProjection:
        """The ledger's projection; a replay not yet live grandfathers against the live one."""
        evaluator = evaluator_for(ledger, self.base)
        previous = self._previous_tables(ledger) if ledger.status in ("building", "ready") else None
        grandfather = Grandfather(previous, evaluator) if previous is not None else None
        return LedgerProjection(ledger, evaluator, grandfather)

    def _previous_tables(self, ledger: LedgerVersion) -> Mapping[str, Table] | None:
        """The tables of the ledger live for the replay's county (None if never built)."""
        with self.engine.connect() as tx:
            previous = self.ledgers.get(live_for(tx, ledger.county))
            if previous is None or previous.ledger_id == ledger.ledger_id:
                return None
            old = LedgerProjection(previous, evaluator_for(previous, self.base))
            try:
                return old.live_tables(tx)
            except (LookupError, DBAPIError):
                return None  # the service never ran here: nothing to protect

    async def build(self, ledger: LedgerVersion, progress: Progress | None = None) -> int:
        """Catch the shadow up with every stream, then refresh its totals; returns events."""
        projection = self.projection(ledger)
        runner = ProjectionRunner(self.nc, self.engine, projection, batch_size=self.batch_size)
        generation = await asyncio.to_thread(runner.setup)
        applied = 0
        while True:
            for context in projection.contexts:
                applied += await runner.catch_up(generation, context, progress=progress)
            if await self._caught_up(runner, generation):
                break
        tables = projection.tables(generation)

        def refreshed(done: int) -> None:
            if progress:
                progress("totals", done, done)

        await asyncio.to_thread(refresh_dirty, self.engine, tables, projection.evaluator, refreshed)
        await asyncio.to_thread(self.ledgers.mark_ready, ledger.ledger_id)
        return applied

    async def dead_letters(self, ledger: LedgerVersion) -> tuple[list[DeadLetter], int]:
        """The events the version's build could not apply though the ledger it would
        replace did, and how many more it could not apply that the live one could not either.

        Dead letters are filed in their stream, so they are known after a build resumed
        from a kill too.
        """
        letters = DeadLetters(self.nc)
        own = await letters.list(ledger_projection_name(ledger.ledger_id))
        known: set[tuple[str, int]] = set()
        for live_id in await asyncio.to_thread(self._replaced, ledger):
            known |= {
                (d.stream, d.sequence) for d in await letters.list(ledger_projection_name(live_id))
            }
        new = [d for d in own if (d.stream, d.sequence) not in known]
        return new, len(own) - len(new)

    def _replaced(self, ledger: LedgerVersion) -> set[str]:
        """The live versions that answer now for the counties ``ledger`` covers."""
        if ledger.county == ALL_COUNTIES:
            return {v.ledger_id for v in self.ledgers.live_versions()}
        try:
            return {self.ledgers.live_for(ledger.county)}
        except LookupError:
            return set()

    async def _caught_up(self, runner: ProjectionRunner, generation: int) -> bool:
        for context in runner.projection.contexts:
            end = await last_sequence(self.nc, stream_name(context))
            if await asyncio.to_thread(runner.position, generation, context) < end:
                return False
        return True

    def tables(self, ledger: LedgerVersion) -> Mapping[str, Table]:
        """The tables of a built ledger version."""
        with self.engine.connect() as tx:
            return self.projection(ledger).live_tables(tx)

    def totals(
        self, ledger: LedgerVersion, counties: set[str] | None
    ) -> dict[tuple[str, str, str], Any]:
        """A ledger's totals rows (of ``counties`` only, if given), keyed by teacher and period."""
        t = self.tables(ledger)["totals"]
        query = select(t)
        if counties is not None:
            query = query.where(t.c.county_code.in_(sorted(counties)))
        with self.engine.connect() as tx:
            rows = tx.execute(query).mappings().all()
        return {(r["teacher_id"], r["period_kind"], r["period"]): r for r in rows}

    def diff(self, shadow: LedgerVersion) -> list[DiffRow]:
        """Every total of the shadow's counties, live (refreshed first) against shadow."""
        after = self.totals(shadow, None if shadow.county == ALL_COUNTIES else {shadow.county})
        before = self._live_totals(shadow.county)
        zero = {"hours": "0", "shortfall": "0"}
        rows = []
        for key in sorted(after.keys() | before.keys()):
            old, new = before.get(key), after.get(key)
            base = new or old
            assert base is not None
            rows.append(
                DiffRow(
                    teacher_id=key[0],
                    county_code=base["county_code"],
                    school_id=base["school_id"],
                    period_kind=key[1],
                    period=key[2],
                    before=dec((old or zero)["hours"]),
                    after=dec((new or zero)["hours"]),
                    before_shortfall=dec((old or zero)["shortfall"]),
                    after_shortfall=dec((new or zero)["shortfall"]),
                    rule_set_id=base["rule_set_id"],
                    rule_set_version=base["rule_set_version"],
                )
            )
        return rows

    def _live_totals(self, county: str) -> dict[tuple[str, str, str], Any]:
        """The live totals of ``county`` (or every county), each from its live ledger."""
        with self.engine.connect() as tx:
            pointers = dict(tx.execute(select(live.c.county, live.c.ledger_id)).all())
        found: dict[tuple[str, str, str], Any] = {}
        for ledger_id in set(pointers.values()):
            version = self.ledgers.get(ledger_id)
            assert version is not None
            try:
                tables = self.tables(version)
            except (LookupError, DBAPIError):
                continue  # never built (the service has not run here): no live totals
            refresh_dirty(self.engine, tables, self.projection(version).evaluator)
            for key, row in self.totals(version, None).items():
                mine = pointers.get(row["county_code"], pointers.get(ALL_COUNTIES)) == ledger_id
                wanted = county == ALL_COUNTIES or row["county_code"] == county
                if mine and wanted:
                    found[key] = row
        return found
