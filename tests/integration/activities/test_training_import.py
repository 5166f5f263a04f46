"""External training results imported from a sheet: preview, apply, re-apply, by row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from contracts.activities import v1
from services.activities import importing
from tests.fixtures.activities.registry import County, registry_events
from tests.integration.activities.conftest import caught_up, publish_registry, sample_config
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _sheet(path: Path, county: County) -> Path:
    teacher = county.teachers(county.lead(1))[0]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(importing.COLUMNS))
    sheet.append(
        [
            f"x{county.code}-1",
            teacher,
            "online_training",
            None,
            "寒假教师研修",
            "国家智慧教育平台",
            date(2026, 2, 28),
            600,
            "passed",
            "ZH-2026-0001",
            "国家智慧教育平台",
            date(2026, 3, 2),
        ]
    )
    sheet.append(
        [
            f"x{county.code}-2",
            teacher,
            "external_training_province",
            None,
            "省培",
            "省教育厅",
            date(2025, 11, 20),
            1440,
            "excellent",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            f"x{county.code}-3",
            "nobody",
            "online_training",
            None,
            "x",
            "y",
            date(2026, 2, 28),
            60,
            "passed",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            f"x{county.code}-4",
            teacher,
            "holiday",
            None,
            "x",
            "y",
            date(2026, 2, 28),
            60,
            "passed",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            f"x{county.code}-5",
            teacher,
            "online_training",
            None,
            "x",
            "y",
            "not a date",
            60,
            "passed",
            None,
            None,
            None,
        ]
    )
    book.save(path)
    return path


async def test_a_sheet_is_previewed_then_applied_once(activities, nc, code, client, tmp_path):
    county = County(code)
    await publish_registry(nc, code, registry_events(county))
    await eventually(lambda: caught_up(activities), what="the registry facts")
    path = _sheet(tmp_path / "training.xlsx", county)
    registry = activities.queries.registry
    kinds = set(sample_config(code).kinds)

    report = importing.preview(path, lambda t: registry.teacher_on(t, date.max) is not None, kinds)
    assert [n for n, _ in report.valid] == [2, 3]
    assert [n for n, _ in report.problems] == [4, 5, 6]
    assert "nobody" in report.problems[0][1] and "holiday" in report.problems[1][1]
    assert "held_on" in report.problems[2][1]

    applied = await importing.apply(report, client, code)
    assert (applied.written, applied.duplicates) == (2, 0)
    again = importing.preview(path, lambda t: registry.teacher_on(t, date.max) is not None, kinds)
    assert (await importing.apply(again, client, code)).duplicates == 2

    await eventually(lambda: caught_up(activities), what="the views")
    detail = activities.queries.activity(f"x{code}-1")
    assert detail["source"] == "external" and detail["kind"] == "online_training"
    record = v1.ParticipationRecord.model_validate_json(detail["participants"][0]["record"])
    assert record.evidence.certificate is not None
    assert record.evidence.certificate.certificate_ref == "ZH-2026-0001"
    assert (record.attended_minutes, record.result, record.activity_level) == (
        600,
        v1.Result.PASSED,
        v1.ActivityLevel.NATIONAL,
    )
