"""Teacher profiles as credits knows them, from the registry's public teacher events.

A profile holds what targets and proration need: the county and school now, the hire date
(a new teacher, 新教师, has other targets), the first day in post and the last one (the day
before retirement).
A teacher who moves county keeps one profile, so the history earned elsewhere counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Table, select

from contracts.registry import v1 as reg

__all__ = ["TEACHER_EVENTS", "teacher_rows"]

TEACHER_EVENTS = (
    reg.TeacherRegistered,
    reg.TeacherTransferredIn,
    reg.TeacherTransferred,
    reg.TeacherRetired,
    reg.TeacherDetailsChanged,
    reg.TeacherRoleGranted,
    reg.TeacherRoleRevoked,
)


def _current(tx: Connection, table: Table, teacher_id: str) -> dict[str, Any] | None:
    row = tx.execute(select(table).where(table.c.teacher_id == teacher_id)).mappings().first()
    return dict(row) if row else None


def _arrived(known: dict[str, Any] | None, event: Any) -> dict[str, Any]:
    joined = event.effective_on
    if known and known.get("joined_on") and known["joined_on"] < joined:
        joined = known["joined_on"]
    return {
        "teacher_id": event.teacher_id,
        "county_code": event.county_code,
        "school_id": event.school_id,
        "hire_date": event.hire_date,
        "joined_on": joined,
        "left_on": None,
        "roles": json.dumps(sorted({str(r) for r in event.roles})),
    }


def _changed(known: dict[str, Any], event: Any) -> dict[str, Any] | None:
    row = dict(known)
    if isinstance(event, reg.TeacherTransferred):
        row.update(county_code=event.to_county, school_id=event.to_school_id)
    elif isinstance(event, reg.TeacherRetired):
        row["left_on"] = event.effective_on - timedelta(days=1)  # the last day in post
    elif isinstance(event, reg.TeacherDetailsChanged):
        row["hire_date"] = event.hire_date or row["hire_date"]
    else:
        roles = set(json.loads(row["roles"]))
        role = str(event.role)
        roles = roles | {role} if isinstance(event, reg.TeacherRoleGranted) else roles - {role}
        row["roles"] = json.dumps(sorted(roles))
    return row


def teacher_rows(tx: Connection, table: Table, event: Any) -> Iterator[dict[str, Any]]:
    """The profile row after ``event`` (nothing for a change to an unknown teacher)."""
    known = _current(tx, table, event.teacher_id)
    if isinstance(event, reg.TeacherRegistered | reg.TeacherTransferredIn):
        yield _arrived(known, event)
    elif known is not None:
        changed = _changed(known, event)
        if changed is not None:
            yield changed
