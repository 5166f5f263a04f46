"""The tables of one ledger version, named ``<prefix><table>`` (the caller adds a suffix).

Hours and credits are decimal strings (exact on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, Text

__all__ = ["ledger_tables"]


def _entries(metadata: MetaData, name: str) -> Table:
    """One entry per teacher and activity: the latest revision's, as the rules rate it."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("activity_id", String(64), primary_key=True),
        Column("revision", Integer, nullable=False),
        Column("entry_id", String(40), nullable=False),
        Column("school_id", String(64), nullable=False),
        Column("county_code", String(10), nullable=False),
        Column("activity_kind", String(40), nullable=False),
        Column("activity_level", String(20), nullable=False),
        Column("role", String(20), nullable=False),
        Column("title", String(200), nullable=False),
        Column("activity_date", Date, nullable=False),
        Column("year", Integer, nullable=False),
        Column("cycle", String(9), nullable=False),
        Column("category", String(40), nullable=False),
        Column("hours", String(20), nullable=False),
        Column("credits", String(20), nullable=False),
        Column("rule_id", String(40), nullable=False),
        Column("rule_set_id", String(64), nullable=False),
        Column("rule_set_version", String(40), nullable=False),
        Column("reason", Text, nullable=False),
        Column("source_event_ids", Text, nullable=False),
    )


def _teachers(metadata: MetaData, name: str) -> Table:
    """Each teacher's profile: county and school now, hire date, days in post, roles."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("county_code", String(10), nullable=False),
        Column("school_id", String(64), nullable=False),
        Column("hire_date", Date),
        Column("joined_on", Date),
        Column("left_on", Date),
        Column("roles", Text, nullable=False, default="[]"),
    )


def _voids(metadata: MetaData, name: str) -> Table:
    """Participations taken off the ledger by a correction (``EntryVoided``)."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("activity_id", String(64), primary_key=True),
        Column("entry_id", String(40), nullable=False),
        Column("reason", Text, nullable=False),
        Column("voided_by", String(200), nullable=False),
        Column("event_id", String(100), nullable=False),
    )


def _reviews(metadata: MetaData, name: str) -> Table:
    """Where each teacher's period stands in review, and what was certified."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("period_kind", String(5), primary_key=True),
        Column("period", String(9), primary_key=True),
        Column("last_step", String(10)),
        Column("last_outcome", String(10)),
        Column("reason", Text),
        Column("next_step", String(10)),
        Column("certified_hours", String(20)),
        Column("certified_entries", Text),
        Column("certified_by", String(200)),
        Column("certified_event_id", String(100)),
    )


def _dirty(metadata: MetaData, name: str) -> Table:
    """Teachers whose totals wait for a refresh, with the sequence that marked them."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("mark", Integer, nullable=False),
    )


def _totals(metadata: MetaData, name: str) -> Table:
    """Each teacher's total per year and per cycle, after caps, against the target."""
    return Table(
        name,
        metadata,
        Column("teacher_id", String(64), primary_key=True),
        Column("period_kind", String(5), primary_key=True),
        Column("period", String(9), primary_key=True),
        Column("county_code", String(10), nullable=False, index=True),
        Column("school_id", String(64), nullable=False),
        Column("hours", String(20), nullable=False),
        Column("credits", String(20), nullable=False),
        Column("target", String(20), nullable=False),
        Column("shortfall", String(20), nullable=False),
        Column("rule_set_id", String(64), nullable=False),
        Column("rule_set_version", String(40), nullable=False),
        Column("categories", Text, nullable=False),
        Column("complete", Boolean, nullable=False, default=True),
    )


_TABLES = {
    "entries": _entries,
    "teachers": _teachers,
    "voids": _voids,
    "reviews": _reviews,
    "dirty": _dirty,
    "totals": _totals,
}


def ledger_tables(metadata: MetaData, prefix: str, suffix: str = "") -> dict[str, Table]:
    """Every table of one ledger version, by base name."""
    return {base: make(metadata, f"{prefix}{base}{suffix}") for base, make in _TABLES.items()}
