"""The configuration files load, and a bad one is refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.activities.configuration import CONFIG_DIR, load_county

COUNTIES = sorted(p.stem for p in (CONFIG_DIR / "counties").glob("*.yaml"))


@pytest.mark.parametrize("county", ["000000", *COUNTIES])
def test_every_county_file_loads_over_the_defaults(county):
    config = load_county(county)
    assert config.kinds and config.quotas and config.semesters


def test_a_county_file_overrides_only_its_keys():
    assert load_county("510781").sign_in_grace_days == 3
    assert load_county("000000").sign_in_grace_days == 2
    assert load_county("510781").kinds == load_county("000000").kinds


def test_a_quota_over_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError, match="unknown kinds"):
        load_county(
            "000000",
            extra={
                "quotas": {
                    "q": {"kinds": ["nope"], "per": "county", "period": "year", "required": 1}
                }
            },
        )


def test_the_issues_kinds_are_all_configured():
    kinds = set(load_county("000000").kinds)
    assert {
        "lesson_delivery",
        "class_observation",
        "same_lesson_different_designs",
        "joint_planning",
        "lecture",
        "master_teacher_clinic",
        "open_day",
        "competition",
        "school_based_training",
        "online_training",
        "parent_lecture",
        "external_training_national",
    } <= kinds


def test_the_semester_calendar_places_a_date(tmp_path: Path):
    config = load_county("510781")
    semester = config.semester_of(__import__("datetime").date(2026, 3, 1))
    assert semester is not None and semester.key == "2026-spring"


@pytest.mark.parametrize(
    ("quota", "message"),
    [
        (
            {
                "kinds": ["class_observation"],
                "per": "organiser_school",
                "period": "semester",
                "required": 1,
                "counts": "uploads",
                "upload_items": ["slides"],
            },
            "on no checklist",
        ),
        (
            {
                "kinds": ["lecture"],
                "per": "community",
                "period": "year",
                "required": 1,
                "by_stage": True,
            },
            "by_stage is for researcher quotas",
        ),
        (
            {
                "kinds": ["lecture"],
                "per": "county",
                "period": "year",
                "required": 1,
                "upload_items": ["slides"],
            },
            "upload_items need counts: uploads",
        ),
    ],
    ids=["upload-item-off-the-checklist", "by-stage-not-researcher", "upload-items-held"],
)
def test_a_malformed_quota_is_refused_with_its_reason(quota, message):
    with pytest.raises(ValidationError, match=message):
        load_county("000000", extra={"quotas": {"q": quota}})
