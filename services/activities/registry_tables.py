"""The tables of the activities' copy of the registry (``act_reg_*``), for one generation.

Every fact that changes over time is a row with the date it takes effect and the stream
sequence of its event, so "as of a date" is the last row on or before it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table

__all__ = ["registry_tables"]

_ID = String(64)


def _dated(name: str, metadata: MetaData, suffix: str, *columns: Column[Any]) -> Table:
    """A teacher's timeline: one row per change, keyed by teacher and sequence."""
    return Table(
        f"act_reg_{name}{suffix}",
        metadata,
        Column("teacher_id", _ID, primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("effective_on", Date),
        *columns,
    )


def _organisation(metadata: MetaData, suffix: str) -> dict[str, Table]:
    return {
        "schools": Table(
            f"act_reg_schools{suffix}",
            metadata,
            Column("school_id", _ID, primary_key=True),
            Column("county", String(6)),
            Column("school_name", String(200)),
            Column("stage", String(30)),
        ),
        "communities": Table(
            f"act_reg_communities{suffix}",
            metadata,
            Column("community_id", _ID, primary_key=True),
            Column("county", String(6)),
            Column("community_name", String(200)),
            Column("formed_on", Date, nullable=True),
            Column("dissolved_on", Date, nullable=True),
        ),
    }


def _memberships(metadata: MetaData, suffix: str) -> dict[str, Table]:
    def table(name: str, member: str) -> Table:
        return Table(
            f"act_reg_{name}{suffix}",
            metadata,
            Column("community_id", _ID, primary_key=True),
            Column(member, _ID, primary_key=True),
            Column("joined_on", Date, primary_key=True),
            Column("left_on", Date, nullable=True),
            Column("member_role", String(20)),
        )

    return {
        "memberships": table("memberships", "school_id"),
        "teacher_memberships": table("teacher_memberships", "teacher_id"),
    }


def _teachers(metadata: MetaData, suffix: str) -> dict[str, Table]:
    return {
        "assignments": _dated(
            "assignments", metadata, suffix, Column("school_id", _ID), Column("county", String(6))
        ),
        "roles": Table(
            f"act_reg_roles{suffix}",
            metadata,
            Column("teacher_id", _ID, primary_key=True),
            Column("seq", Integer, primary_key=True),
            Column("role", String(40), primary_key=True),
            Column("effective_on", Date),
            Column("granted", Boolean),
        ),
        "stages": _dated("stages", metadata, suffix, Column("stage", String(30))),
        "statuses": _dated(
            "statuses", metadata, suffix, Column("status", String(20)), Column("detail", String(40))
        ),
    }


def registry_tables(metadata: MetaData, suffix: str) -> dict[str, Table]:
    """Schools, communities, memberships of schools and teachers, teachers' timelines."""
    return {
        **_organisation(metadata, suffix),
        **_memberships(metadata, suffix),
        **_teachers(metadata, suffix),
    }
