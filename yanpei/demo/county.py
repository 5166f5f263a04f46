"""The demo county (江油市, 510781): its schools, teachers, researchers and communities.

Five "1+N" communities, each a junior secondary lead school with three primary partner
schools; 20 teachers per school and six researchers based at the first lead school (four
for the primary stage, two for junior secondary). Partner school P41 leaves community C4
for C5 in the middle of the autumn semester, to show that a membership change affects only
later activities.

:func:`sheets` gives the rows of the registry's import workbook; ``yanpei/demo/data`` ships
them as ``jiangyou.xlsx`` (regenerate with ``python -m yanpei.demo.county``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from contracts.registry import v1 as reg
from services.registry.importing.templates import write_rows_workbook

__all__ = ["DEMO_COUNTY", "WORKBOOK", "County", "sheets"]

SCHOOLS_PER_COMMUNITY = 4
COMMUNITIES = 5
TEACHERS_PER_SCHOOL = 20
RESEARCHERS = 6
PRIMARY_RESEARCHERS = 4
OPENED = date(2020, 9, 1)
MOVE_ON = date(2025, 11, 15)
"""The day partner school P41 leaves community C4 and joins C5."""
WORKBOOK = Path(__file__).parent / "data" / "jiangyou.xlsx"

Row = dict[str, Any]


@dataclass(frozen=True)
class County:
    """Ids of the demo county's schools, teachers and communities."""

    code: str
    name: str = "江油市"

    def community(self, k: int) -> str:
        return f"c{self.code}-{k}"

    def lead(self, k: int) -> str:
        return f"s{self.code}-l{k}"

    def partner(self, k: int, j: int) -> str:
        return f"s{self.code}-p{k}{j}"

    def schools(self) -> list[str]:
        return [
            s
            for k in range(1, COMMUNITIES + 1)
            for s in (self.lead(k), *(self.partner(k, j) for j in (1, 2, 3)))
        ]

    def teachers(self, school: str) -> list[str]:
        return [f"t{school[1:]}-{n:02d}" for n in range(TEACHERS_PER_SCHOOL)]

    def researcher(self, r: int) -> str:
        return f"r{self.code}-{r}"

    def stage(self, school: str) -> reg.SchoolStage:
        return reg.SchoolStage.JUNIOR_SECONDARY if "-l" in school else reg.SchoolStage.PRIMARY

    def researcher_stage(self, r: int) -> reg.SchoolStage:
        primary = r <= PRIMARY_RESEARCHERS
        return reg.SchoolStage.PRIMARY if primary else reg.SchoolStage.JUNIOR_SECONDARY


DEMO_COUNTY = County("510781")


def sheets(county: County = DEMO_COUNTY) -> dict[str, list[Row]]:
    """The rows of each sheet of the county's import workbook."""
    return {
        "counties": [
            {
                "county_code": county.code,
                "county_name": county.name,
                "city": "绵阳市",
                "province": "四川省",
                "effective_on": OPENED,
            }
        ],
        "schools": [_school(county, s) for s in county.schools()],
        "teachers": _teachers(county),
        "communities": [_community(county, k) for k in range(1, COMMUNITIES + 1)],
        "memberships": _memberships(county),
    }


def _school(county: County, school: str) -> Row:
    number = school.rsplit("-", 1)[-1].upper()
    kind = "初级中学" if "-l" in school else "小学"
    return {
        "county_code": county.code,
        "school_id": school,
        "school_name": f"{county.name}第{number}{kind}",
        "stage": county.stage(school).value,
        "location": (reg.SchoolLocation.TOWN if "-l" in school else reg.SchoolLocation.RURAL).value,
        "governance": reg.SchoolGovernance.COUNTY_RUN.value,
        "ownership": reg.SchoolOwnership.PUBLIC.value,
        "effective_on": OPENED,
    }


def _teacher(county: County, teacher: str, school: str, stage: reg.SchoolStage) -> Row:
    return {
        "teacher_id": teacher,
        "teacher_name": f"教师{teacher[-6:]}",
        "county_code": county.code,
        "school_id": school,
        "stage": stage.value,
        "subjects": ["语文"],
        "title": reg.TeacherTitle.FIRST_GRADE.value,
        "hire_date": OPENED,
        "effective_on": OPENED,
        "email": f"{teacher}@teachers.demo.invalid",
    }


def _teachers(county: County) -> list[Row]:
    rows = [
        _teacher(county, t, school, county.stage(school))
        for school in county.schools()
        for t in county.teachers(school)
    ]
    for r in range(1, RESEARCHERS + 1):
        row = _teacher(county, county.researcher(r), county.lead(1), county.researcher_stage(r))
        rows.append({**row, "roles": [reg.TeacherRole.RESEARCHER.value]})
    return rows


def _community(county: County, k: int) -> Row:
    return {
        "community_id": county.community(k),
        "community_name": f"{county.name}第{k}教研共同体",
        "community_kind": reg.CommunityKind.COUNTY_ONE_PLUS_N.value,
        "county_code": county.code,
        "counties": [county.code],
        "effective_on": OPENED,
    }


def _member(county: County, k: int, kind: str, member: str, role: str, on: date) -> Row:
    return {
        "community_id": county.community(k),
        "county_code": county.code,
        "member_kind": kind,
        "member_county": county.code,
        "member_id": member,
        "member_role": role,
        "joined_on": on,
    }


def _memberships(county: County) -> list[Row]:
    rows = []
    for k in range(1, COMMUNITIES + 1):
        rows.append(_member(county, k, "school", county.lead(k), "lead", OPENED))
        rows += [
            _member(county, k, "school", county.partner(k, j), "partner", OPENED) for j in (1, 2, 3)
        ]
    moved = next(r for r in rows if r["member_id"] == county.partner(4, 1))
    moved["left_on"] = MOVE_ON
    rows.append(_member(county, 5, "school", county.partner(4, 1), "partner", MOVE_ON))
    return rows


if __name__ == "__main__":
    print(write_rows_workbook(WORKBOOK, sheets()))
