"""The registry's read tables, declared per generation suffix.

Every view keeps its facts (the source of its other tables, written insert-once) and the
versions or intervals derived from them (rewritten per entity on each batch).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, MetaData, String, Table, Text

__all__ = [
    "community_tables",
    "facts_table",
    "organisation_tables",
    "teacher_tables",
]


def _span(name: str, metadata: MetaData, key: str, *columns: Column, indexes=()) -> Table:
    """A versions table: one row per entity and date range."""
    table = Table(
        name,
        metadata,
        Column(key, String(64), primary_key=True),
        Column("valid_from", Date, primary_key=True),
        Column("valid_to", Date, nullable=True),
        *columns,
    )
    for i, cols in enumerate(indexes):
        Index(f"ix_{name}_{i}", *(table.c[c] for c in cols))
    return table


def facts_table(metadata: MetaData, name: str) -> Table:
    """Dated facts, one row per (entity, attribute, event); ``value`` is JSON text."""
    return Table(
        name,
        metadata,
        Column("kind", String(16), primary_key=True),
        Column("entity", String(64), primary_key=True),
        Column("attribute", String(100), primary_key=True),
        Column("sequence", BigInteger, primary_key=True, autoincrement=False),
        Column("county", String(6), nullable=False),
        Column("effective_on", Date, nullable=False),
        Column("value", Text, nullable=False),
    )


def organisation_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    """Counties and schools."""
    return {
        "facts": facts_table(metadata, f"registry_org_facts{suffix}"),
        "counties": _span(
            f"registry_county_versions{suffix}",
            metadata,
            "county_code",
            Column("name", String(200), nullable=False),
            Column("city", String(200), nullable=False),
            Column("province", String(200), nullable=False),
        ),
        "schools": _span(
            f"registry_school_versions{suffix}",
            metadata,
            "school_id",
            Column("county", String(6), nullable=False),
            Column("name", String(200), nullable=False),
            Column("stage", String(30), nullable=False),
            Column("location", String(30), nullable=False),
            Column("governance", String(30), nullable=False),
            Column("ownership", String(30), nullable=False),
            Column("status", String(20), nullable=False),
            indexes=[("county", "valid_from")],
        ),
    }


def teacher_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    """Teachers."""
    return {
        "facts": facts_table(metadata, f"registry_teacher_facts{suffix}"),
        "teachers": _span(
            f"registry_teacher_versions{suffix}",
            metadata,
            "teacher_id",
            Column("county", String(6), nullable=False),
            Column("school_id", String(64), nullable=False),
            Column("name", String(100), nullable=False),
            Column("stage", String(30), nullable=False),
            Column("subjects", Text, nullable=False),
            Column("title", String(30), nullable=False),
            Column("hire_date", Date, nullable=False),
            Column("roles", Text, nullable=False),
            Column("status", String(20), nullable=False),
            indexes=[("county", "valid_from"), ("school_id",)],
        ),
    }


def community_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    """Communities and their memberships."""
    return {
        "facts": facts_table(metadata, f"registry_community_facts{suffix}"),
        "communities": _span(
            f"registry_community_versions{suffix}",
            metadata,
            "community_id",
            Column("county", String(6), nullable=False),
            Column("name", String(200), nullable=False),
            Column("kind", String(40), nullable=False),
            Column("counties", Text, nullable=False),
            Column("subject", String(200), nullable=True),
            Column("status", String(20), nullable=False),
            indexes=[("county",)],
        ),
        "members": _members(metadata, f"registry_memberships{suffix}"),
    }


def _members(metadata: MetaData, name: str) -> Table:
    table = Table(
        name,
        metadata,
        Column("community_id", String(64), primary_key=True),
        Column("member_kind", String(16), primary_key=True),
        Column("member_id", String(80), primary_key=True),
        Column("valid_from", Date, primary_key=True),
        Column("valid_to", Date, nullable=True),
        Column("member_county", String(6), nullable=False),
        Column("role", String(20), nullable=False),
        Column("station_id", String(64), nullable=True),
        Column("station_name", String(200), nullable=True),
        Column("host_school_id", String(64), nullable=True),
    )
    Index(f"ix_{name}_member", table.c.member_kind, table.c.member_id)
    return table
