"""The import sheets: their columns, with Chinese and English headers, in import order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from contracts.registry import v1
from services.registry.importing.values import (
    parse_bool,
    parse_counties,
    parse_county,
    parse_date,
    parse_enum,
    parse_list,
    text,
)

__all__ = ["SHEETS", "Column", "Sheet", "sheet_named"]


@dataclass(frozen=True)
class Column:
    """One column: its key (the English header), Chinese header, and how to read it."""

    key: str
    zh: str
    required: bool = False
    parse: Callable[[Any], Any] = text
    note: str = ""

    @property
    def header(self) -> str:
        """The header a template writes: Chinese, then English."""
        return f"{self.zh} {self.key}"


@dataclass(frozen=True)
class Sheet:
    """One kind of row: its name in both languages, columns, and natural key."""

    kind: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def title(self) -> str:
        """The sheet's name in a workbook: Chinese, then English."""
        return f"{self.zh} {self.kind}"

    def column(self, key: str) -> Column:
        """The column named ``key``."""
        return next(c for c in self.columns if c.key == key)


def _enum(enum: Any) -> Callable[[Any], str]:
    return partial(parse_enum, enum)


def _c(key: str, zh: str, parse: Callable[[Any], Any] = text, note: str = "") -> Column:
    return Column(key, zh, True, parse, note)


def _o(key: str, zh: str, parse: Callable[[Any], Any] = text, note: str = "") -> Column:
    return Column(key, zh, False, parse, note)


_DATE = "YYYY-MM-DD"
_COUNTY = _c("county_code", "区划代码", parse_county, "6 digits, e.g. 510781")
SHEETS: dict[str, Sheet] = {
    s.kind: s
    for s in (
        Sheet(
            "counties",
            "区县",
            (
                _COUNTY,
                _c("county_name", "区县名称"),
                _c("city", "所属市州"),
                _c("province", "所属省份"),
                _c("effective_on", "生效日期", parse_date, _DATE),
            ),
            ("county_code",),
        ),
        Sheet(
            "schools",
            "学校",
            (
                _COUNTY,
                _c("school_id", "学校标识码"),
                _c("school_name", "学校名称"),
                _c("stage", "学段", _enum(v1.SchoolStage)),
                _c("location", "城乡类别", _enum(v1.SchoolLocation)),
                _c("governance", "隶属关系", _enum(v1.SchoolGovernance)),
                _c("ownership", "办学性质", _enum(v1.SchoolOwnership)),
                _c("effective_on", "登记日期", parse_date, _DATE),
                _o("closed_on", "停办日期", parse_date, _DATE),
            ),
            ("school_id",),
        ),
        Sheet(
            "teachers",
            "教师",
            (
                _c("teacher_id", "教师编号"),
                _c("teacher_name", "姓名"),
                _COUNTY,
                _c("school_id", "学校标识码"),
                _c("stage", "任教学段", _enum(v1.SchoolStage)),
                _c("subjects", "任教学科", parse_list, "separate with 、"),
                _c("title", "职称", _enum(v1.TeacherTitle)),
                _o("roles", "角色", parse_list, "separate with 、"),
                _c("hire_date", "入职日期", parse_date, _DATE),
                _c("effective_on", "到校日期", parse_date, _DATE),
                _o("retired_on", "退休日期", parse_date, _DATE),
                _o("phone", "手机", note="personal data"),
                _o("email", "电子邮箱", note="personal data"),
                _o("national_id", "身份证号", note="personal data"),
            ),
            ("teacher_id",),
        ),
        Sheet(
            "communities",
            "共同体",
            (
                _c("community_id", "共同体编号"),
                _c("community_name", "共同体名称"),
                _c("community_kind", "类型", _enum(v1.CommunityKind)),
                _c("county_code", "牵头区县", parse_county, "the county keeping the record"),
                _c("counties", "涉及区县", parse_counties, "home county first, separate with 、"),
                _o("subject", "学科"),
                _c("effective_on", "成立日期", parse_date, _DATE),
            ),
            ("community_id",),
        ),
        Sheet(
            "memberships",
            "成员",
            (
                _c("community_id", "共同体编号"),
                _c("county_code", "牵头区县", parse_county),
                _c("member_kind", "成员类型", note="school 学校 / teacher 教师 / station 工作站"),
                _c("member_county", "成员区县", parse_county),
                _c("member_id", "成员编号", note="school id, teacher id, or station host school"),
                _o("member_role", "角色", note="lead/partner, host/leader/member"),
                _o("station_id", "工作站编号"),
                _o("station_name", "工作站名称"),
                _c("joined_on", "加入日期", parse_date, _DATE),
                _o("left_on", "退出日期", parse_date, _DATE),
            ),
            ("community_id", "member_kind", "member_id", "joined_on"),
        ),
        Sheet(
            "transfers",
            "调动",
            (
                _c("teacher_id", "教师编号"),
                _c("county_code", "调出区县", parse_county),
                _c("to_county", "调入区县", parse_county),
                _c("to_school_id", "调入学校"),
                _c("movement", "类型", _enum(v1.MovementKind)),
                _c("effective_on", "生效日期", parse_date, _DATE),
                _o("planned_return_on", "计划返回日期", parse_date, _DATE),
                _o("keep_roles", "保留角色", parse_bool, "是/否"),
            ),
            ("teacher_id", "effective_on"),
        ),
    )
}
"""Every sheet, in the order an import applies them."""


def sheet_named(name: str) -> Sheet | None:
    """The sheet a workbook tab or ``--kind`` names (English, Chinese, or both)."""
    words = name.replace("_", " ").split()
    for sheet in SHEETS.values():
        if sheet.kind in words or sheet.zh in words or name.strip() in (sheet.kind, sheet.zh):
            return sheet
    return None
