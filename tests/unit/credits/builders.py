"""Participation records, profiles and rule sets for the credits unit tests."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from contracts.activities.v1 import (
    ActivityLevel,
    AttendanceStatus,
    Certificate,
    Evidence,
    ParticipantRole,
    ParticipationRecord,
    ParticipationSource,
    Result,
)
from services.credits.domain import TeacherProfile
from services.credits.rules import CONFIG_DIR, PROPOSED_DIR, RuleSet, parse_rule_set

COUNTY = "510781"
RECORDED_AT = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
DEFAULT_FILE = CONFIG_DIR / "default.yaml"
V1_FILE = CONFIG_DIR / "510781-v1.yaml"
V2_FILE = PROPOSED_DIR / "510781-v2.yaml"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "credits-rules.md"
CERTIFICATE = Certificate(certificate_ref="C-1", issuer="国家智慧教育平台")


def document(path: Path = DEFAULT_FILE) -> dict[str, Any]:
    """A shipped rule file's raw document, to alter in a test."""
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return copy.deepcopy(loaded)


def rules_with(path: Path = DEFAULT_FILE, **changes: Any) -> RuleSet:
    """A shipped rule set with top-level fields replaced."""
    return parse_rule_set({**document(path), **changes}, str(path))


def record(
    activity_id: str = "a1",
    teacher_id: str = "t1",
    *,
    kind: str = "lecture",
    level: ActivityLevel = ActivityLevel.COUNTY,
    role: ParticipantRole = ParticipantRole.ATTENDEE,
    minutes: int = 180,
    attended: int | None = None,
    result: Result | None = None,
    reflection: int = 0,
    certificate: Certificate | None = None,
    on: date = date(2026, 4, 15),
    source: ParticipationSource = ParticipationSource.ACTIVITY,
    school_id: str = "s1",
    attendance: AttendanceStatus = AttendanceStatus.PRESENT,
    checklist_complete: bool = True,
) -> ParticipationRecord:
    """One participation; by default an attendee's full 3 hours at a county lecture."""
    return ParticipationRecord(
        activity_id=activity_id,
        activity_county=COUNTY,
        source=source,
        activity_kind=kind,
        activity_level=level,
        title=f"{kind} {activity_id}",
        category_hints=[],
        activity_date=on,
        teacher_id=teacher_id,
        teacher_county=COUNTY,
        school_id=school_id,
        role=role,
        scheduled_minutes=minutes,
        attended_minutes=minutes if attended is None else attended,
        attendance=attendance,
        assessed=result is not None,
        result=result,
        evidence=Evidence(
            reflection_chars=reflection,
            checklist_complete=checklist_complete,
            certificate=certificate,
        ),
        revision=1,
        recorded_at=RECORDED_AT,
    )


def profile(
    teacher_id: str = "t1",
    joined_on: date | None = None,
    new_teacher: bool = False,
    left_on: date | None = None,
) -> TeacherProfile:
    """A teacher of school s1 in the sample county."""
    return TeacherProfile(teacher_id, COUNTY, "s1", joined_on, new_teacher, left_on)
