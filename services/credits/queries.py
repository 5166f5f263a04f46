"""Questions the live ledger answers: a teacher's total explained, reports, roll-ups.

Every answer comes from the ledger version live for the county now (``credits_live``), so
a replay building a shadow version beside it changes nothing here until it is switched.
A teacher's total is computed from the entries on the spot (never stale); reports read
the totals table, which the service refreshes on a timer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from services.credits.computing import Evaluator, evaluator_for
from services.credits.domain.ledger import LedgerEntry
from services.credits.domain.totals import Totals
from services.credits.ledger import LedgerProjection
from services.credits.ledgers import Ledgers, LedgerVersion, live_for
from services.credits.refreshing import live_entries
from services.credits.rules import RuleBook
from services.credits.sql import dec

__all__ = ["Explanation", "LedgerQueries", "Located"]


@dataclass(frozen=True)
class Located:
    """A ledger version with its tables, as queries use it."""

    version: LedgerVersion
    projection: LedgerProjection
    tables: Mapping[str, Table]


@dataclass(frozen=True)
class Explanation:
    """A teacher's total for a period, line by line."""

    teacher_id: str
    county_code: str
    school_id: str
    ledger_id: str
    totals: Totals
    entries: list[LedgerEntry]
    voided: list[dict[str, Any]]
    review_chain: tuple[str, ...]
    review: dict[str, Any] | None


class LedgerQueries:
    """Read-only questions to the live ledger of each county."""

    def __init__(self, engine: Engine, base: RuleBook) -> None:
        self.engine = engine
        self.base = base
        self.ledgers = Ledgers(engine)
        self._located: dict[str, Located] = {}

    def locate(self, tx: Connection, ledger_id: str) -> Located:
        """The tables of a ledger version (cached per version)."""
        if ledger_id not in self._located:
            version = Ledgers._get(tx, ledger_id)
            if version is None:
                raise LookupError(f"no ledger version {ledger_id}")
            projection = LedgerProjection(version, self.evaluator(version))
            tables = projection.live_tables(tx)
            self._located[ledger_id] = Located(version, projection, tables)
        return self._located[ledger_id]

    def evaluator(self, version: LedgerVersion) -> Evaluator:
        return evaluator_for(version, self.base)

    def live(self, tx: Connection, county: str) -> Located:
        """The ledger version answering for ``county``."""
        return self.locate(tx, live_for(tx, county))

    def teacher_county(self, tx: Connection, teacher_id: str) -> str | None:
        """The teacher's county, from whichever live ledger knows the teacher."""
        for version in self.ledgers.live_versions():
            t = self.locate(tx, version.ledger_id).tables
            for table in (t["teachers"], t["entries"]):
                county = tx.execute(
                    select(table.c.county_code).where(table.c.teacher_id == teacher_id).limit(1)
                ).scalar()
                if county:
                    return str(county)
        return None

    def explain(self, teacher_id: str, period_kind: str, period: str) -> Explanation | None:
        """The teacher's total for a year or cycle with every entry that makes it."""
        with self.engine.connect() as tx:
            county = self.teacher_county(tx, teacher_id)
            if county is None:
                return None
            where = self.live(tx, county)
            entries = live_entries(tx, where.tables, [teacher_id]).get(teacher_id, [])
            profile = _profile(tx, where.tables["teachers"], teacher_id)
            voided = _voided(tx, where.tables, teacher_id)
            review = _review(tx, where.tables["reviews"], teacher_id, period_kind, period)
        evaluator = where.projection.evaluator
        found = [
            t
            for t in (evaluator.totals(teacher_id, profile, entries) if entries else [])
            if t.kind == period_kind and t.period == period
        ]
        if not found:
            return None
        totals = found[0]
        mine = [e for e in entries if e.year in totals.years]
        school = profile["school_id"] if profile else mine[-1].school_id
        years = totals.years or (0,)
        rules = evaluator.period_rules(county, years[0], years[-1])
        chain = tuple(rules.review_chain) if rules else ("school", "county")
        ledger_id = where.version.ledger_id
        return Explanation(
            teacher_id, county, school, ledger_id, totals, mine, voided, chain, review
        )

    def totals_rows(
        self, county: str, period_kind: str, period: str, school: str | None = None
    ) -> list[dict[str, Any]]:
        """Every teacher's totals of the county (or one school) for a period."""
        with self.engine.connect() as tx:
            t = self.live(tx, county).tables["totals"]
            query = select(t).where(
                t.c.county_code == county, t.c.period_kind == period_kind, t.c.period == period
            )
            if school:
                query = query.where(t.c.school_id == school)
            rows = tx.execute(query.order_by(t.c.school_id, t.c.teacher_id)).mappings().all()
        return [_report_row(r) for r in rows]

    def school_rollup(self, county: str, period_kind: str, period: str) -> list[dict[str, Any]]:
        """Per school: teachers, hours, mean and median, how many short and by how much."""
        by_school: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.totals_rows(county, period_kind, period):
            by_school[row["school_id"]].append(row)
        return [_rollup(school, rows) for school, rows in sorted(by_school.items())]

    def county_rollup(self, county: str, period_kind: str, period: str) -> dict[str, Any]:
        """The county as a whole."""
        return _rollup(county, self.totals_rows(county, period_kind, period))

    def hours_by_school(
        self, county: str, period_kind: str, period: str
    ) -> dict[str, list[Decimal]]:
        """Each school's teachers' hours (for a distribution chart)."""
        found: dict[str, list[Decimal]] = defaultdict(list)
        for row in self.totals_rows(county, period_kind, period):
            found[row["school_id"]].append(row["hours"])
        return dict(found)


def _profile(tx: Connection, table: Table, teacher_id: str) -> dict[str, Any] | None:
    row = tx.execute(select(table).where(table.c.teacher_id == teacher_id)).mappings().first()
    return dict(row) if row else None


def _review(
    tx: Connection, table: Table, teacher_id: str, period_kind: str, period: str
) -> dict[str, Any] | None:
    row = (
        tx.execute(
            select(table).where(
                table.c.teacher_id == teacher_id,
                table.c.period_kind == period_kind,
                table.c.period == period,
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _voided(tx: Connection, tables: Mapping[str, Table], teacher_id: str) -> list[dict[str, Any]]:
    v, e = tables["voids"], tables["entries"]
    rows = tx.execute(
        select(v, e.c.hours, e.c.year, e.c.cycle, e.c.title)
        .join(e, (e.c.teacher_id == v.c.teacher_id) & (e.c.activity_id == v.c.activity_id))
        .where(v.c.teacher_id == teacher_id)
    ).mappings()
    return [dict(r) for r in rows]


def _report_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    categories = json.loads(row["categories"])["categories"]
    return {
        "teacher_id": row["teacher_id"],
        "school_id": row["school_id"],
        "period": row["period"],
        "hours": dec(row["hours"]),
        "credits": dec(row["credits"]),
        "target": dec(row["target"]),
        "shortfall": dec(row["shortfall"]),
        **{f"hours_{k}": dec(v["counted"]) for k, v in sorted(categories.items())},
        "rule_set": f"{row['rule_set_id']}@{row['rule_set_version']}",
    }


def _rollup(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    hours = [r["hours"] for r in rows]
    short = [r for r in rows if r["shortfall"] > 0]
    return {
        "name": name,
        "teachers": len(rows),
        "hours": sum(hours, Decimal(0)),
        "mean": (sum(hours, Decimal(0)) / len(hours)).quantize(Decimal("0.1")) if hours else 0,
        "median": median(hours) if hours else 0,
        "short": len(short),
        "shortfall": sum((r["shortfall"] for r in short), Decimal(0)),
    }
