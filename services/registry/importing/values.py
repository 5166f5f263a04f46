"""Reading cell values: dates, yes/no, lists, and enumerations in English or Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from contracts.registry import v1

__all__ = [
    "LABELS",
    "CellError",
    "in_column",
    "parse_bool",
    "parse_counties",
    "parse_county",
    "parse_date",
    "parse_enum",
    "parse_list",
    "text",
]

LABELS: dict[type[StrEnum], dict[str, str]] = {
    v1.SchoolStage: {
        "幼儿园": "kindergarten",
        "小学": "primary",
        "初中": "junior_secondary",
        "高中": "senior_secondary",
        "九年一贯制": "combined",
        "特殊教育": "special_education",
    },
    v1.SchoolLocation: {"城区": "urban", "乡镇": "town", "村": "rural", "农村": "rural"},
    v1.SchoolGovernance: {"市直": "city_direct", "县管": "county_run", "区县": "county_run"},
    v1.SchoolOwnership: {"公办": "public", "民办": "private"},
    v1.TeacherRole: {
        "教研员": "researcher",
        "兼职教研员": "part_time_researcher",
        "学科带头人": "subject_leader",
        "骨干教师": "backbone_teacher",
        "名师": "master_teacher",
    },
    v1.TeacherTitle: {
        "正高级教师": "professor_level",
        "高级教师": "senior",
        "一级教师": "first_grade",
        "二级教师": "second_grade",
        "三级教师": "third_grade",
        "未定级": "unrated",
    },
    v1.MovementKind: {"调动": "transfer", "轮岗交流": "rotation", "轮岗": "rotation"},
    v1.CommunityKind: {
        "县域1+N": "county_one_plus_n",
        "市域结对": "city_wide",
        "跨县结对": "cross_county",
        "都市圈联盟": "metropolitan_alliance",
        "学科联合教研组": "subject_group",
        "联片教研": "area_cluster",
        "名师工作室": "master_teacher_studio",
    },
    v1.SchoolMemberRole: {"牵头学校": "lead", "协作学校": "partner"},
    v1.TeacherMemberRole: {"主持人": "host", "组长": "leader", "成员": "member"},
}
_YES = {"是", "yes", "y", "true", "1", "保留"}
_NO = {"否", "no", "n", "false", "0", ""}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_SPLIT = re.compile(r"[、,，;；/|]+")


def text(value: Any) -> str:
    """A cell as trimmed text ('' for an empty cell; 12.0 → '12')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> date:
    """A date from a date cell or text like 2024-09-01, 2024/9/1 or 2024年9月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(text(value))
    if not match:
        raise ValueError(f"{text(value)!r} is not a date (write 2024-09-01)")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValueError(f"{text(value)!r} is not a day of the calendar") from None


def parse_bool(value: Any) -> bool:
    """是/否, yes/no, true/false, 1/0 (empty: no)."""
    word = text(value).lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"{text(value)!r} is not yes or no (是/否)")


def parse_list(value: Any) -> list[str]:
    """Items separated by 、 , ; / or |."""
    return [item.strip() for item in _SPLIT.split(text(value)) if item.strip()]


def parse_enum(enum: type[StrEnum], value: Any) -> str:
    """An enumeration value, written in English (``primary``) or Chinese (``小学``)."""
    word = text(value)
    found = LABELS.get(enum, {}).get(word, word.lower())
    if found not in {member.value for member in enum}:
        allowed = ", ".join(f"{m.value}" for m in enum)
        chinese = "、".join(LABELS.get(enum, {}))
        raise ValueError(
            f"{word!r} is not one of: {allowed}" + (f" ({chinese})" if chinese else "")
        )
    return found


class CellError(ValueError):
    """A value that cannot be read, and the column it is in."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def in_column(column: str, parse: Any, value: Any) -> Any:
    """``parse(value)``, naming ``column`` when it fails."""
    try:
        return parse(value)
    except ValueError as exc:
        raise CellError(column, str(exc)) from None


def parse_county(value: Any) -> str:
    """A 6-digit county division code (区划代码)."""
    code = text(value)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ValueError(f"{code!r} is not a 6-digit county code (区划代码)")
    return code


def parse_counties(value: Any) -> list[str]:
    """County codes separated by 、 , ; / or |."""
    return [parse_county(code) for code in parse_list(value)]
