"""Listing ledger versions and dropping the ones nobody reads.

Every replay leaves a whole ledger beside the live one: a dry run's stays ``ready``, the
one an ``--apply`` replaced becomes ``retired``, a replay killed and never resumed stays
``building``. Each holds a full set of tables (entries, totals, teachers, reviews…) in one
or more generations. Dropping a version removes those tables, its checkpoints and its row
in one transaction; a version live for some county is never dropped, and one still
``building`` or just retired only when asked to (a replay or a service may be writing it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, MetaData, select

from eventlog.checkpoints import bookkeeping
from eventlog.database import lock_schema, writing
from eventlog.projection import generation_suffix
from services.credits.ledger import ledger_projection_name, version_tables
from services.credits.ledgers import Ledgers, LedgerVersion, live, versions

__all__ = ["LedgerInUse", "VersionRow", "drop_ledger", "ledger_versions"]


RETIRED_GRACE = timedelta(minutes=5)
"""How long a retired version is kept from ``drop``: a running credits service stops
reading it at its next timer tick (every 10 s by default), not at the switch itself."""


class LedgerInUse(ValueError):
    """The version answers for a county, was retired moments ago, or a replay may still
    be writing it."""


@dataclass(frozen=True)
class VersionRow:
    """One ledger version, as ``yanpei credits ledgers`` lists it."""

    ledger_id: str
    county: str
    rules_name: str
    status: str
    created_at: datetime
    switched_at: datetime | None
    live_for: tuple[str, ...]

    def as_row(self) -> dict[str, str]:
        return {
            "ledger": self.ledger_id,
            "county": self.county,
            "rules": self.rules_name,
            "status": self.status,
            "live for": ", ".join(self.live_for),
            "created": f"{self.created_at:%Y-%m-%d %H:%M}",
            "switched": f"{self.switched_at:%Y-%m-%d %H:%M}" if self.switched_at else "",
        }


def ledger_versions(engine: Engine) -> list[VersionRow]:
    """Every ledger version, oldest first, with the counties it is live for."""
    with engine.connect() as tx:
        pointers = tx.execute(select(live.c.county, live.c.ledger_id)).all()
        rows = tx.execute(select(versions).order_by(versions.c.created_at)).all()
        return [
            VersionRow(
                ledger_id=row.ledger_id,
                county=row.county,
                rules_name=row.rules_name,
                status=row.status,
                created_at=row.created_at,
                switched_at=row.switched_at,
                live_for=tuple(sorted(c for c, lid in pointers if lid == row.ledger_id)),
            )
            for row in rows
        ]


def _refuse_if_busy(ledger: LedgerVersion) -> None:
    """A version still building, or retired within :data:`RETIRED_GRACE`, may be written."""
    if ledger.status == "building":
        raise LedgerInUse(
            f"ledger {ledger.ledger_id} is still building (a replay may be writing it); "
            "drop it with --force once no replay runs"
        )
    when = ledger.switched_at
    if ledger.status != "retired" or when is None:
        return
    retired = when.replace(tzinfo=when.tzinfo or UTC)  # SQLite gives it back naive
    if datetime.now(UTC) - retired < RETIRED_GRACE:
        ready = (retired + RETIRED_GRACE).strftime("%H:%M:%S UTC")
        raise LedgerInUse(
            f"ledger {ledger.ledger_id} was retired at {retired:%H:%M:%S} UTC and running "
            f"services may still be reading it; drop it after {ready}, or with --force"
        )


def drop_ledger(engine: Engine, ledger_id: str, *, force: bool = False) -> int:
    """Drop a version's tables, checkpoints and row; returns the number of tables dropped.

    Raises LookupError for an unknown id and :class:`LedgerInUse` for a version live for
    some county, and, unless ``force``, for one still ``building`` or retired within
    :data:`RETIRED_GRACE`.
    """
    with writing(engine) as tx:
        lock_schema(tx)
        ledger = Ledgers._get(tx, ledger_id)  # read where it is dropped: no switch between
        if ledger is None:
            raise LookupError(f"no ledger version {ledger_id!r} (see `yanpei credits ledgers`)")
        pointing = select(live.c.county).where(live.c.ledger_id == ledger_id)
        counties = sorted(tx.execute(pointing).scalars())
        if counties:
            raise LedgerInUse(
                f"ledger {ledger_id} is live for {', '.join(counties)}; "
                "apply another version for them first"
            )
        if not force:
            _refuse_if_busy(ledger)
        name = ledger_projection_name(ledger_id)
        dropped = 0
        for generation in bookkeeping.generations_of(tx, name):
            metadata = MetaData()
            tables = list(
                version_tables(metadata, ledger_id, generation_suffix(generation)).values()
            )
            metadata.drop_all(tx, tables=tables, checkfirst=True)
            dropped += len(tables)
        bookkeeping.forget(tx, name)
        tx.execute(versions.delete().where(versions.c.ledger_id == ledger_id))
    return dropped
