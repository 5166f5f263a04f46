"""From projection rows to query answers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, or_

from contracts.registry.queries import CommunityMember, CommunityView, SchoolView, TeacherView
from services.registry.domain.teachers import is_new_teacher

__all__ = ["community", "member", "on_date", "school", "teacher"]


def on_date(table: Table, day: date) -> Any:
    """The rows of a versions or intervals table that hold on ``day``."""
    return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))


def school(row: Any) -> SchoolView:
    """A school version row as an answer."""
    return SchoolView(
        county_code=row.county,
        school_id=row.school_id,
        school_name=row.name,
        stage=row.stage,
        location=row.location,
        governance=row.governance,
        ownership=row.ownership,
        status=row.status,
        since=row.valid_from,
    )


def teacher(row: Any, day: date) -> TeacherView:
    """A teacher version row as an answer about ``day``."""
    return TeacherView(
        teacher_id=row.teacher_id,
        teacher_name=row.name,
        county_code=row.county,
        school_id=row.school_id,
        stage=row.stage,
        subjects=json.loads(row.subjects),
        title=row.title,
        hire_date=row.hire_date,
        new_teacher=is_new_teacher(row.hire_date, day),
        roles=json.loads(row.roles),
        status=row.status,
        since=row.valid_from,
    )


def member(row: Any) -> CommunityMember:
    """A membership row as an answer."""
    return CommunityMember(
        member_kind=row.member_kind,
        member_id=row.member_id,
        county_code=row.member_county,
        role=row.role,
        station_id=row.station_id,
        host_school_id=row.host_school_id,
        since=row.valid_from,
        until=row.valid_to,
    )


def community(row: Any, members: list[CommunityMember]) -> CommunityView:
    """A community version row, with its members, as an answer."""
    return CommunityView(
        community_id=row.community_id,
        county_code=row.county,
        community_name=row.name,
        community_kind=row.kind,
        counties=json.loads(row.counties),
        subject=row.subject,
        status=row.status,
        members=members,
    )
