"""Ledger versions (账本版本) and which one is live for each county.

The ledger exists in versions, each a :class:`~services.credits.ledger.LedgerProjection`
with its own tables and checkpoints, computed with its own rules: ``base`` with the rule
book shipped in ``services/credits/config/``, and one per replay with the rule file it was
given. ``credits_live`` points each county (``*``: every county without a row of its own)
at the version that answers queries and publishes; a switch is one update of that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, DateTime, Engine, MetaData, String, Table, Text, select

from eventlog.database import lock_schema, writing
from services.credits.sql import upsert

__all__ = [
    "ALL_COUNTIES",
    "BASE",
    "LedgerVersion",
    "Ledgers",
    "metadata",
]

ALL_COUNTIES = "*"
BASE = "base"
"""The ledger computed with the shipped rule book."""

metadata = MetaData()

versions = Table(
    "credits_ledgers",
    metadata,
    Column("ledger_id", String(40), primary_key=True),
    Column("county", String(10), nullable=False),  # '*' or one county
    Column("rules_text", Text),  # the rule file's text; null: the shipped rule book
    Column("rules_name", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # building | ready | live | retired
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("switched_at", DateTime(timezone=True)),  # made live, or retired
)

live = Table(
    "credits_live",
    metadata,
    Column("county", String(10), primary_key=True),
    Column("ledger_id", String(40), nullable=False),
)


@dataclass(frozen=True)
class LedgerVersion:
    """One version of the ledger: which counties it covers and which rules compute it."""

    ledger_id: str
    county: str
    rules_text: str | None
    rules_name: str
    status: str
    switched_at: datetime | None = None
    """When it was made live, or retired (None: never switched)."""

    @property
    def counties(self) -> list[str] | None:
        """The counties it reads (None: all)."""
        return None if self.county == ALL_COUNTIES else [self.county]


class Ledgers:
    """Reads and writes the ledger versions and the live pointers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def setup(self) -> None:
        """Create the tables; make ``base`` live for every county if nothing is yet."""
        with writing(self.engine) as tx:
            lock_schema(tx)
            metadata.create_all(tx)
            if tx.execute(select(live.c.county)).first() is None:
                self._add(tx, BASE, ALL_COUNTIES, None, "shipped rule book", "live")
                upsert(tx, live, {"county": ALL_COUNTIES, "ledger_id": BASE}, ["county"])

    def add(self, ledger_id: str, county: str, rules_text: str, rules_name: str) -> LedgerVersion:
        """Register a replay's ledger (``building``), or return the one already there."""
        with writing(self.engine) as tx:
            found = self._get(tx, ledger_id)
            if found is None:
                self._add(tx, ledger_id, county, rules_text, rules_name, "building")
                found = self._get(tx, ledger_id)
        assert found is not None
        return found

    @staticmethod
    def _add(
        tx: Connection, ledger_id: str, county: str, text: str | None, name: str, status: str
    ) -> None:
        tx.execute(
            versions.insert().values(
                ledger_id=ledger_id,
                county=county,
                rules_text=text,
                rules_name=name,
                status=status,
                created_at=datetime.now(UTC),
            )
        )

    def get(self, ledger_id: str) -> LedgerVersion | None:
        with self.engine.connect() as tx:
            return self._get(tx, ledger_id)

    @staticmethod
    def _get(tx: Connection, ledger_id: str) -> LedgerVersion | None:
        row = tx.execute(select(versions).where(versions.c.ledger_id == ledger_id)).first()
        if row is None:
            return None
        return LedgerVersion(
            row.ledger_id, row.county, row.rules_text, row.rules_name, row.status, row.switched_at
        )

    def mark_ready(self, ledger_id: str) -> None:
        """A replay's ledger has caught up (``building`` → ``ready``; others stay as they are)."""
        with writing(self.engine) as tx:
            tx.execute(
                versions.update()
                .where(versions.c.ledger_id == ledger_id, versions.c.status == "building")
                .values(status="ready")
            )

    def live_for(self, county: str) -> str:
        """The ledger answering for ``county`` now."""
        with self.engine.connect() as tx:
            return live_for(tx, county)

    def live_versions(self) -> list[LedgerVersion]:
        """Every version live for some county (the ones a service keeps up to date)."""
        with self.engine.connect() as tx:
            ids = sorted(set(tx.execute(select(live.c.ledger_id)).scalars()))
            found = [self._get(tx, i) for i in ids]
        return [v for v in found if v is not None]

    def switch(self, tx: Connection, ledger: LedgerVersion) -> str:
        """Make ``ledger`` live for its counties, in ``tx``; returns the previous ledger id."""
        previous = live_for(tx, ledger.county)
        if ledger.county == ALL_COUNTIES:
            tx.execute(live.delete())
        upsert(tx, live, {"county": ledger.county, "ledger_id": ledger.ledger_id}, ["county"])
        now = datetime.now(UTC)
        tx.execute(
            versions.update()
            .where(versions.c.ledger_id == ledger.ledger_id)
            .values(status="live", switched_at=now)
        )
        still_live = set(tx.execute(select(live.c.ledger_id)).scalars())
        if previous not in still_live:
            tx.execute(
                versions.update()
                .where(versions.c.ledger_id == previous)
                .values(status="retired", switched_at=now)
            )
        return previous


def live_for(tx: Connection, county: str) -> str:
    """The ledger live for ``county`` (its own pointer, else the one for every county)."""
    rows = dict(
        tx.execute(
            select(live.c.county, live.c.ledger_id).where(live.c.county.in_([county, ALL_COUNTIES]))
        ).all()
    )
    found = rows.get(county) or rows.get(ALL_COUNTIES)
    if found is None:
        raise LookupError("the credits ledger has not been set up yet")
    return found
