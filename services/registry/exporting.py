"""Listings as of a date, for the screen (rich tables) and for files (XLSX or CSV).

Contact data appears only in the teachers listing, masked (``138****5678``) unless the
caller asks to reveal it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table
from sqlalchemy import Engine

from services.registry.contacts import table as contact_table
from services.registry.contacts.masking import mask_email, mask_national_id, mask_phone
from services.registry.queries import RegistryReader
from services.registry.views.projections import registry_views
from yanpei import tabular

__all__ = ["LISTINGS", "Listing", "listing", "reader_for", "rich_table", "write_rows"]

Header = tuple[str, str]  # key, Chinese label
Row = dict[str, Any]

SCHOOLS: list[Header] = [
    ("school_id", "学校标识码"),
    ("school_name", "学校名称"),
    ("county_code", "区划代码"),
    ("stage", "学段"),
    ("location", "城乡类别"),
    ("governance", "隶属关系"),
    ("ownership", "办学性质"),
    ("status", "状态"),
    ("since", "起始日期"),
]
TEACHERS: list[Header] = [
    ("teacher_id", "教师编号"),
    ("teacher_name", "姓名"),
    ("county_code", "区划代码"),
    ("school_id", "学校标识码"),
    ("stage", "任教学段"),
    ("subjects", "任教学科"),
    ("title", "职称"),
    ("roles", "角色"),
    ("hire_date", "入职日期"),
    ("new_teacher", "新教师"),
    ("status", "状态"),
    ("since", "起始日期"),
]
CONTACTS: list[Header] = [("phone", "手机"), ("email", "电子邮箱"), ("national_id", "身份证号")]
COMMUNITIES: list[Header] = [
    ("community_id", "共同体编号"),
    ("community_name", "名称"),
    ("community_kind", "类型"),
    ("county_code", "牵头区县"),
    ("counties", "涉及区县"),
    ("subject", "学科"),
    ("status", "状态"),
    ("lead", "牵头学校"),
    ("partners", "协作学校数"),
    ("teachers", "成员教师数"),
    ("stations", "工作站数"),
]
MEMBERSHIPS: list[Header] = [
    ("community_id", "共同体编号"),
    ("member_kind", "成员类型"),
    ("member_id", "成员编号"),
    ("county_code", "成员区县"),
    ("role", "角色"),
    ("station_id", "工作站编号"),
    ("host_school_id", "工作站学校"),
    ("since", "加入日期"),
    ("until", "退出日期"),
]


def _flat(row: Row) -> Row:
    return {k: "、".join(v) if isinstance(v, list) else v for k, v in row.items()}


def _schools(reader: RegistryReader, county: str, on: date, reveal: bool) -> list[Row]:
    return [_flat(s.model_dump()) for s in reader.schools(county, on)]


def _teachers(reader: RegistryReader, county: str, on: date, reveal: bool) -> list[Row]:
    rows = [_flat(t.model_dump()) for t in reader.teachers(county, on)]
    contact_table.metadata.create_all(reader.engine)
    with reader.engine.connect() as tx:
        found = contact_table.read_contacts(tx, [r["teacher_id"] for r in rows])
    for row in rows:
        c = found.get(row["teacher_id"])
        values = {k: getattr(c, k) if c else None for k, _ in CONTACTS}
        if not reveal:
            values = {
                "phone": mask_phone(values["phone"]),
                "email": mask_email(values["email"]),
                "national_id": mask_national_id(values["national_id"]),
            }
        row.update({k: v or "" for k, v in values.items()})
    return rows


def _communities(reader: RegistryReader, county: str, on: date, reveal: bool) -> list[Row]:
    rows = []
    for c in reader.communities(county, on):
        row = _flat(c.model_dump(exclude={"members"}))
        by_role = [m.role for m in c.members]
        lead = next((m.member_id for m in c.members if m.role == "lead"), "")
        teachers = sum(m.member_kind == "teacher" for m in c.members)
        stations = by_role.count("station")
        rows.append(
            row
            | {"lead": lead, "partners": by_role.count("partner"), "teachers": teachers}
            | {"stations": stations}
        )
    return rows


def _memberships(reader: RegistryReader, county: str, on: date, reveal: bool) -> list[Row]:
    return [
        {"community_id": c.community_id} | m.model_dump()
        for c in reader.communities(county, on)
        for m in c.members
    ]


Listing = tuple[list[Header], Callable[[RegistryReader, str, date, bool], list[Row]]]
LISTINGS: dict[str, Listing] = {
    "schools": (SCHOOLS, _schools),
    "teachers": (TEACHERS + CONTACTS, _teachers),
    "communities": (COMMUNITIES, _communities),
    "memberships": (MEMBERSHIPS, _memberships),
}
"""Each listing: its columns, and how to read its rows."""


def listing(
    reader: RegistryReader, kind: str, county: str, on: date, reveal: bool = False
) -> tuple[list[Header], list[Row]]:
    """The columns and rows of one listing of ``county`` as of ``on``."""
    headers, rows = LISTINGS[kind]
    return headers, rows(reader, county, on, reveal)


def write_rows(path: Path, headers: Sequence[Header], rows: Sequence[Row]) -> Path:
    """Write rows to ``path`` (.csv or .xlsx) under bilingual headers."""
    tabular.write_rows(
        rows,
        path,
        [key for key, _ in headers],
        labels=[f"{zh} {key}" for key, zh in headers],
        cell=_cell,
    )
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value.isoformat() if isinstance(value, date) else value


def rich_table(
    title: str, headers: Sequence[Header], rows: Sequence[Row], limit: int = 50
) -> Table:
    """The first ``limit`` rows as a rich table with bilingual headers."""
    table = Table(title=f"{title} ({len(rows)})")
    for key, zh in headers:
        table.add_column(f"{zh}\n{key}")
    for row in rows[:limit]:
        table.add_row(*(str(_cell(row.get(key))) for key, _ in headers))
    if len(rows) > limit:
        table.caption = f"{len(rows) - limit} more rows: use --out to export them all"
    return table


def reader_for(engine: Engine) -> RegistryReader:
    """A reader over the registry's views in ``engine``."""
    return RegistryReader(engine, registry_views())
