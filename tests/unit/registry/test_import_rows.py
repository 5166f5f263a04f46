"""Reading import rows: values, headers, encodings, templates, errors by column (no I/O
beyond temporary files)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from contracts.registry import v1
from services.registry.importing.checks import Known, check_rows
from services.registry.importing.planning import plan
from services.registry.importing.reading import read_file
from services.registry.importing.sending import command_id
from services.registry.importing.templates import write_template
from services.registry.importing.values import parse_bool, parse_date, parse_enum, parse_list
from tests.fixtures.registry.workbook import write_csv, write_workbook
from tests.unit.registry.builders import HOME, OTHER


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-09-01", date(2024, 9, 1)),
        ("2024/9/1", date(2024, 9, 1)),
        ("2024.09.01", date(2024, 9, 1)),
        ("2024年9月1日", date(2024, 9, 1)),
        (datetime(2024, 9, 1, 0, 0), date(2024, 9, 1)),
    ],
)
def test_dates_are_read_in_the_ways_people_write_them(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2023-02-30", "next week", "2024-13-01"])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("enum", "raw", "value"),
    [
        (v1.SchoolStage, "小学", "primary"),
        (v1.SchoolStage, "Junior_Secondary", "junior_secondary"),
        (v1.SchoolLocation, "村", "rural"),
        (v1.TeacherRole, "骨干教师", "backbone_teacher"),
        (v1.CommunityKind, "名师工作室", "master_teacher_studio"),
    ],
)
def test_enumerations_are_read_in_english_or_chinese(enum, raw, value):
    assert parse_enum(enum, raw) == value


def test_an_unknown_enumeration_value_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"primary.*小学"):
        parse_enum(v1.SchoolStage, "大学")


@pytest.mark.parametrize(("raw", "value"), [("是", True), ("no", False), ("", False), (1, True)])
def test_yes_and_no(raw, value):
    assert parse_bool(raw) is value


def test_lists_split_on_chinese_and_latin_separators():
    assert parse_list("语文、数学,英语；科学") == ["语文", "数学", "英语", "科学"]


TEACHER = {
    "teacher_id": "T1",
    "teacher_name": "张三",
    "county_code": HOME,
    "school_id": "S1",
    "stage": "小学",
    "subjects": "数学",
    "title": "一级教师",
    "roles": "骨干教师",
    "hire_date": "2015-09-01",
    "effective_on": "2016-09-01",
}


def test_a_gb18030_csv_with_chinese_headers_is_read(tmp_path: Path):
    path = write_csv(tmp_path / "teachers.csv", "teachers", [TEACHER], encoding="gb18030")
    sheets, errors = read_file(path)
    assert errors == []
    assert [s.sheet.kind for s in sheets] == ["teachers"]
    assert sheets[0].rows[0].cells["teacher_name"] == "张三"


def test_a_missing_required_column_is_an_error_on_the_header_row(tmp_path: Path):
    rows = [{k: v for k, v in TEACHER.items() if k != "hire_date"}]
    path = write_csv(tmp_path / "t.csv", "teachers", rows)
    text = path.read_text(encoding="utf-8-sig").replace("入职日期 hire_date", "备注 remark")
    path.write_text(text, encoding="utf-8-sig")
    _, errors = read_file(path, kind="teachers")
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (1, "hire_date", "missing column 入职日期 hire_date")
    ]


@pytest.mark.parametrize("kind", ["teachers", "all"])
def test_a_template_reads_back_with_no_error_and_no_row(tmp_path: Path, kind):
    sheets, errors = read_file(write_template(kind, tmp_path / f"{kind}.xlsx"))
    assert errors == []
    assert sum(len(s.rows) for s in sheets) == 0
    assert len(sheets) == (6 if kind == "all" else 1)


def _errors(tmp_path: Path, rows: list[dict], known: Known | None = None):
    path = write_workbook(tmp_path / "t.xlsx", {"teachers": rows})
    sheets, errors = read_file(path)
    parsed, _, row_errors = plan(sheets)
    known = known or Known(counties={HOME, OTHER}, schools={"S1": HOME, "S9": OTHER})
    return [(e.row, e.column, e.reason) for e in errors + row_errors + check_rows(parsed, known)]


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"teacher_name": ""}, "teacher_name", "required"),
        ({"hire_date": "2023-02-30"}, "hire_date", "not a day of the calendar"),
        ({"stage": "大学"}, "stage", "is not one of"),
        ({"roles": "校长"}, "roles", "is not one of"),
        ({"school_id": "S404"}, "school_id", "neither in the file nor in the registry"),
        ({"school_id": "S9"}, "school_id", f"is in county {OTHER}"),
        ({"phone": "12345"}, "phone", "not a phone number"),
        ({"national_id": "110105194912310029"}, "national_id", "check character"),
        ({"teacher_id": "T 1"}, "teacher_id", "should match pattern"),
        ({"email": "zhang@"}, "email", "not an e-mail address"),
        ({"county_code": "51078"}, "county_code", "not a 6-digit county code"),
    ],
    ids=[
        "required",
        "bad-date",
        "stage",
        "role",
        "no-school",
        "school-elsewhere",
        "phone",
        "national-id",
        "id-characters",
        "email",
        "county-code",
    ],
)
def test_each_bad_cell_is_one_error_at_its_row_and_column(tmp_path: Path, changes, column, reason):
    found = _errors(tmp_path, [TEACHER, TEACHER | {"teacher_id": "T2"} | changes])
    assert len(found) == 1, found
    assert found[0][:2] == (3, column)
    assert reason in found[0][2]


def test_a_duplicate_key_is_an_error_on_the_later_row(tmp_path: Path):
    assert _errors(tmp_path, [TEACHER, TEACHER]) == [(3, "teacher_id", "duplicate of row 2")]


def test_command_ids_follow_the_content_so_a_reimport_repeats_them(tmp_path: Path):
    def ids(rows: list[dict]) -> list[str]:
        sheets, _ = read_file(write_workbook(tmp_path / "t.xlsx", {"teachers": rows}))
        return [command_id(p) for p in plan(sheets)[1]]

    assert ids([TEACHER]) == ids([TEACHER])
    assert ids([TEACHER]) != ids([TEACHER | {"title": "高级教师"}])
