"""Applying a replay: the switch of the live ledger, and its corrections published.

The switch and the corrections it implies are written in one transaction (the pointer row
and ``credits_corrections``); the ``HoursCorrected`` events follow, each with a command id
derived from the replay and the total, and each marked published once appended. Applying
again after a crash publishes what was left, never anything twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Column, Engine, String, Table, bindparam, select, update

from contracts.credits import v1
from eventlog.database import writing
from eventlog.store import ANY, EventStore
from services.credits.computing import parse_rules_text
from services.credits.ledgers import ALL_COUNTIES, Ledgers, LedgerVersion, metadata
from services.credits.replay import DiffRow, Replay
from services.credits.sql import dec, upsert_many

__all__ = ["announce_switch", "apply", "corrections", "publish_corrections", "switch"]

CHUNK = 64
"""Corrections appended concurrently, then marked in one transaction."""

corrections = Table(
    "credits_corrections",
    metadata,
    Column("replay_id", String(40), primary_key=True),
    Column("teacher_id", String(64), primary_key=True),
    Column("period_kind", String(5), primary_key=True),
    Column("period", String(9), primary_key=True),
    Column("county_code", String(10), nullable=False),
    Column("school_id", String(64), nullable=False),
    Column("previous_hours", String(20), nullable=False),
    Column("hours", String(20), nullable=False),
    Column("rule_set_id", String(64), nullable=False),
    Column("rule_set_version", String(40), nullable=False),
    Column("published", Boolean, nullable=False),
)


def _row(replay: str, d: DiffRow) -> dict[str, Any]:
    return {
        "replay_id": replay,
        "teacher_id": d.teacher_id,
        "period_kind": d.period_kind,
        "period": d.period,
        "county_code": d.county_code,
        "school_id": d.school_id,
        "previous_hours": str(d.before),
        "hours": str(d.after),
        "rule_set_id": d.rule_set_id,
        "rule_set_version": d.rule_set_version,
        "published": False,
    }


def switch(engine: Engine, shadow: LedgerVersion, changed: list[DiffRow]) -> bool:
    """Make ``shadow`` live and record its corrections, in one transaction.

    Returns False when it was live already (an apply run again): nothing is written then.
    """
    ledgers = Ledgers(engine)
    with writing(engine) as tx:
        metadata.create_all(tx)
        current = Ledgers._get(tx, shadow.ledger_id)
        if current is not None and current.status == "live":
            return False
        ledgers.switch(tx, shadow)
        keys = ["replay_id", "teacher_id", "period_kind", "period"]
        rows = [_row(shadow.ledger_id, d) for d in changed]
        upsert_many(tx, corrections, rows, keys)
    return True


def _event(row: Mapping[Any, Any], reason: str) -> v1.HoursCorrected:
    previous, hours = dec(row["previous_hours"]), dec(row["hours"])
    return v1.HoursCorrected(
        county_code=row["county_code"],
        teacher_id=row["teacher_id"],
        school_id=row["school_id"],
        period=row["period"],
        period_kind=row["period_kind"],
        previous_hours=previous,
        hours=hours,
        difference=hours - previous,
        rule_set_id=row["rule_set_id"],
        rule_set_version=row["rule_set_version"],
        reason=reason,
        replay_id=row["replay_id"],
    )


async def publish_corrections(engine: Engine, store: EventStore, replay: str, reason: str) -> int:
    """Append ``HoursCorrected`` for every correction of ``replay`` not yet published."""
    with engine.connect() as tx:
        rows = (
            tx.execute(
                select(corrections).where(
                    corrections.c.replay_id == replay, corrections.c.published.is_(False)
                )
            )
            .mappings()
            .all()
        )
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        await asyncio.gather(*(_append_correction(store, row, replay, reason) for row in chunk))
        await asyncio.to_thread(_mark_published, engine, chunk)
    return len(rows)


async def _append_correction(
    store: EventStore, row: Mapping[Any, Any], replay: str, reason: str
) -> None:
    hours_id = v1.teacher_hours_id(row["teacher_id"], row["period"])
    ref = store.ref(row["county_code"], "teacher_hours", hours_id)
    await store.append(ref, [_event(row, reason)], ANY, command_id=f"corr-{replay}-{hours_id}")


def _mark_published(engine: Engine, chunk: Sequence[Mapping[Any, Any]]) -> None:
    """Mark a chunk of corrections as appended, in one transaction."""
    c = corrections
    keys = ("replay_id", "teacher_id", "period_kind", "period")
    mark = update(c).where(*(c.c[k] == bindparam(f"key_{k}") for k in keys)).values(published=True)
    with writing(engine) as tx:
        tx.execute(mark, [{f"key_{k}": row[k] for k in keys} for row in chunk])


async def announce_switch(
    store: EventStore,
    shadow: LedgerVersion,
    counties: set[str],
    changed: int,
    version: tuple[str, str],
) -> None:
    """``LedgerSwitched`` in each county concerned (idempotent per replay and county)."""
    for county in sorted(counties):
        event = v1.LedgerSwitched(
            county_code=county,
            rule_set_id=version[0],
            rule_set_version=version[1],
            replay_id=shadow.ledger_id,
            changed_totals=changed,
        )
        ref = store.ref(county, "ledger", shadow.ledger_id)
        await store.append(ref, [event], ANY, command_id=f"switch-{shadow.ledger_id}-{county}")


async def apply(
    replay: Replay, shadow: LedgerVersion, store: EventStore, reason: str
) -> tuple[list[DiffRow], int]:
    """Catch the shadow up, switch to it, publish its corrections.

    Returns the changed totals and how many corrections were published by this call.
    """
    await replay.build(shadow)
    changed = [d for d in await asyncio.to_thread(replay.diff, shadow) if d.difference]
    switched = await asyncio.to_thread(switch, replay.engine, shadow, changed)
    if not switched:  # applied before: publish what may be left, from the recorded rows
        changed = await asyncio.to_thread(_recorded, replay.engine, shadow.ledger_id)
    written = await publish_corrections(replay.engine, store, shadow.ledger_id, reason)
    assert shadow.rules_text is not None, "only a replay's ledger is applied"
    rules = parse_rules_text(shadow.rules_text, shadow.rules_name)
    counties = {d.county_code for d in changed}
    if shadow.county != ALL_COUNTIES:
        counties.add(shadow.county)
    await announce_switch(store, shadow, counties, len(changed), (rules.id, rules.version))
    return changed, written


def _recorded(engine: Engine, replay: str) -> list[DiffRow]:
    with engine.connect() as tx:
        rows = tx.execute(select(corrections).where(corrections.c.replay_id == replay)).mappings()
        return [
            DiffRow(
                r["teacher_id"],
                r["county_code"],
                r["school_id"],
                r["period_kind"],
                r["period"],
                dec(r["previous_hours"]),
                dec(r["hours"]),
                dec(0),
                dec(0),
                r["rule_set_id"],
                r["rule_set_version"],
            )
            for r in rows
        ]
