"""A small county-year (510781, 2026) for the golden tests: six teachers, 24 participations.

Hours are worked out by hand below for the two versions of 510781's rules:
``config/510781-v1.yaml`` (2021.1) and ``config/proposed/510781-v2.yaml`` (2026.1), which
differ in three ways: excellent earns 1.25x, a lecturer earns 3x at a lecture (was 2x), and
online training counts at most 12 h a year (was 20). The credits service reuses this fixture
for its replay dry-run diff, so the names below are a stable API.

Every record has scheduled = attended minutes, attendance present, checklist complete,
unless its comment says otherwise. Weights: presenter 2, lecturer 2, evaluator 1.5,
attendee and organiser 1.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from contracts.activities.v1 import (
    ActivityLevel,
    AttendanceStatus,
    ParticipantRole,
    ParticipationRecord,
    ParticipationSource,
    Result,
)
from services.credits.domain import TeacherProfile
from tests.unit.credits.builders import CERTIFICATE, COUNTY, record

__all__ = [
    "EXPECTED_ENTRIES_V1",
    "EXPECTED_ENTRIES_V2",
    "EXPECTED_SHORTFALL_V1",
    "EXPECTED_SHORTFALL_V2",
    "EXPECTED_TARGETS",
    "EXPECTED_V1",
    "EXPECTED_V2",
    "YEAR",
    "golden_differences",
    "golden_profiles",
    "golden_records",
]

YEAR = 2026
SCHOOL, COUNTY_, CITY, PROVINCE, NATIONAL = (
    ActivityLevel.SCHOOL,
    ActivityLevel.COUNTY,
    ActivityLevel.CITY,
    ActivityLevel.PROVINCE,
    ActivityLevel.NATIONAL,
)
PRESENTER, LECTURER, ATTENDEE, EVALUATOR = (
    ParticipantRole.PRESENTER,
    ParticipantRole.LECTURER,
    ParticipantRole.ATTENDEE,
    ParticipantRole.EVALUATOR,
)
EXTERNAL = ParticipationSource.EXTERNAL
PASSED, EXCELLENT, FAILED = Result.PASSED, Result.EXCELLENT, Result.FAILED


def _t1() -> list[ParticipationRecord]:
    """g-t1: a lecture, two school-based trainings, a long online course."""
    return [
        record("g01", "g-t1", kind="lecture", on=date(2026, 3, 5)),  # 3 h
        record(
            "g02",
            "g-t1",
            kind="school_based_training",
            level=SCHOOL,
            result=PASSED,
            reflection=1200,
            minutes=120,
            on=date(2026, 3, 20),
        ),  # fixed 12 h
        record(
            "g03",
            "g-t1",
            kind="school_based_training",
            level=SCHOOL,
            result=EXCELLENT,
            reflection=1500,
            minutes=120,
            on=date(2026, 4, 17),
        ),  # 12 h; v2 15 h
        record(
            "g04",
            "g-t1",
            kind="online_training",
            level=NATIONAL,
            minutes=1800,
            result=PASSED,
            source=EXTERNAL,
            certificate=CERTIFICATE,
            on=date(2026, 2, 28),
        ),  # 30 h earned, online cap 20 (v2: 12)
    ]


def _t2() -> list[ParticipationRecord]:
    """g-t2: gives a lecture, misses a quarter of another, delivers a lesson, a city course."""
    return [
        record(
            "g05", "g-t2", kind="lecture", role=LECTURER, minutes=120, on=date(2026, 3, 12)
        ),  # 2 h x 2 = 4 h; v2 x 3 = 6 h
        record(
            "g06",
            "g-t2",
            kind="lecture",
            minutes=120,
            attended=90,
            attendance=AttendanceStatus.LEFT_EARLY,
            on=date(2026, 4, 9),
        ),  # missed 25%: 0
        record(
            "g07", "g-t2", kind="lesson_delivery", role=PRESENTER, minutes=90, on=date(2026, 5, 14)
        ),  # 1.5 h x 2 = 3 h
        record(
            "g08",
            "g-t2",
            kind="external_training_city",
            level=CITY,
            minutes=1440,
            result=PASSED,
            source=EXTERNAL,
            certificate=CERTIFICATE,
            on=date(2026, 7, 20),
        ),  # 24 h centralised
    ]


def _t3() -> list[ParticipationRecord]:
    """g-t3, a new teacher from 10 March: a county course with excellence, and little else."""
    return [
        record(
            "g09",
            "g-t3",
            kind="external_training_county",
            minutes=960,
            result=EXCELLENT,
            on=date(2026, 8, 20),
        ),  # 16 h; v2 x 1.25 = 20 h
        record(
            "g10", "g-t3", kind="class_observation", level=SCHOOL, minutes=45, on=date(2026, 4, 21)
        ),  # 0.75 h, rounded half up to 0.8 h
        record(
            "g11",
            "g-t3",
            kind="school_based_training",
            level=SCHOOL,
            result=PASSED,
            reflection=800,
            minutes=120,
            on=date(2026, 4, 17),
        ),  # reflection short: 0
        record(
            "g12",
            "g-t3",
            kind="competition",
            role=PRESENTER,
            minutes=120,
            result=FAILED,
            on=date(2026, 11, 6),
        ),  # failed: 0
    ]


def _t4() -> list[ParticipationRecord]:
    """g-t4: a busy practitioner over the practice cap, one open day without materials."""
    return [
        record(
            "g13",
            "g-t4",
            kind="lesson_delivery",
            role=PRESENTER,
            minutes=240,
            school_id="s2",
            on=date(2026, 3, 26),
        ),  # 4 h x 2 = 8 h
        record(
            "g14",
            "g-t4",
            kind="same_lesson_different_designs",
            role=PRESENTER,
            minutes=240,
            result=PASSED,
            school_id="s2",
            on=date(2026, 4, 23),
        ),  # 8 h
        record(
            "g15",
            "g-t4",
            kind="joint_planning",
            level=SCHOOL,
            role=EVALUATOR,
            minutes=240,
            school_id="s2",
            on=date(2026, 5, 7),
        ),  # 4 h x 1.5 = 6 h
        record(
            "g16",
            "g-t4",
            kind="master_teacher_clinic",
            role=PRESENTER,
            minutes=300,
            school_id="s2",
            on=date(2026, 6, 4),
        ),  # 5 h x 2 = 10 h; practice 32 > cap 30
        record(
            "g17",
            "g-t4",
            kind="open_day",
            level=SCHOOL,
            role=PRESENTER,
            minutes=180,
            checklist_complete=False,
            school_id="s2",
            on=date(2026, 10, 15),
        ),  # presenter's checklist incomplete: 0
        record(
            "g18",
            "g-t4",
            kind="reading_club",
            level=SCHOOL,
            minutes=60,
            school_id="s2",
            on=date(2026, 10, 22),
        ),  # no rule for this kind: 0
    ]


def _t5() -> list[ParticipationRecord]:
    """g-t5: online courses (one without a certificate) and a short lecture given."""
    return [
        record(
            "g19",
            "g-t5",
            kind="online_training",
            level=NATIONAL,
            minutes=900,
            result=EXCELLENT,
            source=EXTERNAL,
            certificate=CERTIFICATE,
            school_id="s2",
            on=date(2026, 2, 27),
        ),  # 15 h; v2 x 1.25 = 18.75 -> 18.8 h, counted 12
        record(
            "g20",
            "g-t5",
            kind="online_training",
            level=NATIONAL,
            minutes=600,
            result=PASSED,
            source=EXTERNAL,
            school_id="s2",
            on=date(2026, 12, 1),
        ),  # no certificate: 0
        record(
            "g21",
            "g-t5",
            kind="lecture",
            role=LECTURER,
            minutes=90,
            school_id="s2",
            on=date(2026, 9, 24),
        ),  # 1.5 h x 2 = 3 h; v2 x 3 = 4.5 h
    ]


def _t6() -> list[ParticipationRecord]:
    """g-t6, who left on 30 June: absent once, a parent lecture, a very long province course."""
    return [
        record(
            "g22",
            "g-t6",
            kind="lecture",
            attended=0,
            attendance=AttendanceStatus.ABSENT,
            school_id="s3",
            on=date(2026, 3, 5),
        ),  # absent: 0
        record(
            "g23",
            "g-t6",
            kind="parent_lecture",
            level=SCHOOL,
            role=LECTURER,
            minutes=60,
            school_id="s3",
            on=date(2026, 5, 22),
        ),  # 1 h x 2 = 2 h practice
        record(
            "g24",
            "g-t6",
            kind="external_training_province",
            level=PROVINCE,
            minutes=12000,
            result=PASSED,
            source=EXTERNAL,
            certificate=CERTIFICATE,
            school_id="s3",
            on=date(2026, 6, 15),
        ),  # 200 h, capped at 150 h per activity
    ]


def golden_records() -> list[ParticipationRecord]:
    """The county-year's 24 participation records, in activity-id order."""
    return [*_t1(), *_t2(), *_t3(), *_t4(), *_t5(), *_t6()]


def golden_profiles() -> dict[str, TeacherProfile]:
    """The six teachers; g-t3 is new from 10 March 2026, g-t6 left on 30 June 2026."""
    plain = {"g-t1": "s1", "g-t2": "s1", "g-t4": "s2", "g-t5": "s2"}
    profiles = {t: TeacherProfile(t, COUNTY, s, date(2015, 9, 1)) for t, s in plain.items()}
    profiles["g-t3"] = TeacherProfile("g-t3", COUNTY, "s1", date(2026, 3, 10), new_teacher=True)
    profiles["g-t6"] = TeacherProfile(
        "g-t6", COUNTY, "s3", date(2010, 9, 1), left_on=date(2026, 6, 30)
    )
    return dict(sorted(profiles.items()))


_SAME = {
    "g01": D("3.0"),
    "g02": D("12.0"),
    "g04": D("30.0"),
    "g06": D("0"),
    "g07": D("3.0"),
    "g08": D("24.0"),
    "g10": D("0.8"),
    "g11": D("0"),
    "g12": D("0"),
    "g13": D("8.0"),
    "g14": D("8.0"),
    "g15": D("6.0"),
    "g16": D("10.0"),
    "g17": D("0"),
    "g18": D("0"),
    "g20": D("0"),
    "g22": D("0"),
    "g23": D("2.0"),
    "g24": D("150.0"),
}
EXPECTED_ENTRIES_V1: dict[str, D] = {
    **_SAME,
    "g03": D("12.0"),
    "g05": D("4.0"),
    "g09": D("16.0"),
    "g19": D("15.0"),
    "g21": D("3.0"),
}
"""Hours per activity id (one teacher each) under 2021.1, before yearly caps."""
EXPECTED_ENTRIES_V2: dict[str, D] = {
    **_SAME,
    "g03": D("15.0"),
    "g05": D("6.0"),
    "g09": D("20.0"),
    "g19": D("18.8"),
    "g21": D("4.5"),
}
"""Hours per activity id under 2026.1: excellent x1.25, lecturer x3 at lectures."""

EXPECTED_V1: dict[str, D] = {
    "g-t1": D("47.0"),  # 3 + school-based min(12 + 12, 24) + online min(30, 20)
    "g-t2": D("31.0"),  # 4 + 0 + 3 + 24
    "g-t3": D("16.8"),  # 16 + 0.8
    "g-t4": D("30.0"),  # practice min(8 + 8 + 6 + 10, 30)
    "g-t5": D("18.0"),  # online min(15, 20) + 3
    "g-t6": D("152.0"),  # 2 + 150
}
"""Hours counted for 2026 per teacher under 2021.1."""
EXPECTED_V2: dict[str, D] = {
    "g-t1": D("39.0"),  # 3 + school-based min(12 + 15, 24) + online min(30, 12)
    "g-t2": D("33.0"),  # 6 + 0 + 3 + 24
    "g-t3": D("20.8"),  # 20 + 0.8
    "g-t4": D("30.0"),  # unchanged
    "g-t5": D("16.5"),  # online min(18.8, 12) + 4.5
    "g-t6": D("152.0"),  # unchanged
}
"""Hours counted for 2026 per teacher under 2026.1."""

EXPECTED_TARGETS: dict[str, D] = {
    "g-t1": D("36.0"),
    "g-t2": D("36.0"),
    "g-t4": D("36.0"),
    "g-t5": D("36.0"),
    "g-t3": D("66.7"),  # new teacher 80 h x 10/12 months (March to December)
    "g-t6": D("18.0"),  # 36 h x 6/12 months (January to June)
}
"""The 2026 target per teacher, the same under both versions."""
EXPECTED_SHORTFALL_V1: dict[str, D] = {
    "g-t1": D("0"),
    "g-t2": D("5.0"),
    "g-t4": D("6.0"),
    "g-t5": D("18.0"),
    "g-t6": D("0"),
    "g-t3": D("49.9"),  # 66.7 - 16.8 (the centralised minimum 40 x 10/12 = 33.3 - 16 = 17.3)
}
EXPECTED_SHORTFALL_V2: dict[str, D] = {
    "g-t1": D("0"),
    "g-t2": D("3.0"),
    "g-t4": D("6.0"),
    "g-t5": D("19.5"),
    "g-t6": D("0"),
    "g-t3": D("45.9"),  # 66.7 - 20.8
}


def golden_differences() -> dict[str, D]:
    """Hours gained (+) or lost (-) per teacher by replaying 2026 with 2026.1 instead of 2021.1."""
    return {
        t: EXPECTED_V2[t] - EXPECTED_V1[t] for t in EXPECTED_V1 if EXPECTED_V2[t] != EXPECTED_V1[t]
    }
