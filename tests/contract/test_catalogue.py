"""The catalogue: from a wire type and a body to a contract, upcast to its newest version.

The contracts here live under the ``test_only`` context and are defined outside the
``contracts`` package, so schema export never sees them.
"""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from contracts import (
    Event,
    InvalidPayload,
    UnknownType,
    UnknownVersion,
    catalogue,
)
from contracts.export import contracts_in_code


class BadgeAwardedV1(Event, context="test_only", name="BadgeAwarded", version=1, aggregate="badge"):
    """v1 named the teacher ``teacher``."""

    teacher: str
    hours: int


class BadgeAwardedV2(Event, context="test_only", name="BadgeAwarded", version=2, aggregate="badge"):
    """v2 renamed it ``teacher_id``."""

    teacher_id: str
    hours: int


class BadgeAwardedV3(Event, context="test_only", name="BadgeAwarded", version=3, aggregate="badge"):
    """v3 allows half hours and adds a category."""

    teacher_id: str
    hours: float
    category: str


@catalogue.upcaster(BadgeAwardedV1)
def _badge_v1_to_v2(old: BadgeAwardedV1) -> BadgeAwardedV2:
    return BadgeAwardedV2(teacher_id=old.teacher, hours=old.hours)


@catalogue.upcaster(BadgeAwardedV2)
def _badge_v2_to_v3(old: BadgeAwardedV2) -> BadgeAwardedV3:
    return BadgeAwardedV3(teacher_id=old.teacher_id, hours=old.hours, category="general")


class Session(BaseModel):
    day: str
    hours: int


class HoursLogged(Event, context="test_only", name="HoursLogged", version=1, aggregate="log"):
    teacher_id: str
    sessions: list[Session]


class NoteTakenV1(Event, context="test_only", name="NoteTaken", version=1, aggregate="note"):
    text: str


class NoteTakenV2(Event, context="test_only", name="NoteTaken", version=2, aggregate="note"):
    """No upcaster from v1 was ever registered."""

    text: str
    author: str


class GradeGivenV1(Event, context="test_only", name="GradeGiven", version=1, aggregate="grade"):
    grade: int


class GradeGivenV2(Event, context="test_only", name="GradeGiven", version=2, aggregate="grade"):
    grade: int
    scale: str


@catalogue.upcaster(GradeGivenV1)
def _grade_upcaster_that_forgets_to_upcast(old: GradeGivenV1) -> GradeGivenV1:
    return old


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_decode_gives_the_contract():
    event = catalogue.decode(
        "test_only.HoursLogged.v1", body(teacher_id="t-1", sessions=[{"day": "mon", "hours": 2}])
    )
    assert event == HoursLogged(teacher_id="t-1", sessions=[Session(day="mon", hours=2)])


def test_unknown_fields_are_tolerated():
    event = catalogue.decode("test_only.NoteTaken.v2", body(text="hi", author="li", mood="good"))
    assert event == NoteTakenV2(text="hi", author="li")
    assert "mood" not in event.model_dump()


def test_an_unknown_type_is_refused():
    with pytest.raises(UnknownType, match=r"no contract named 'test_only\.Nothing'") as caught:
        catalogue.decode("test_only.Nothing.v1", b"{}")
    assert caught.value.code == "unknown_type"


def test_a_type_without_major_version_is_refused():
    with pytest.raises(UnknownType, match=r"<context>\.<Name>\.v<major>"):
        catalogue.decode("test_only.BadgeAwarded", b"{}")


def test_an_unknown_major_version_is_refused_naming_the_known_ones():
    with pytest.raises(UnknownVersion) as caught:
        catalogue.decode("test_only.BadgeAwarded.v9", b"{}")
    assert caught.value.code == "unknown_version"
    assert "known: [1, 2, 3]" in caught.value.reason


def test_a_body_that_is_not_json_is_an_invalid_payload():
    with pytest.raises(InvalidPayload, match="Invalid JSON") as caught:
        catalogue.decode("test_only.NoteTaken.v2", b"{not json")
    assert caught.value.code == "invalid_payload"


def test_an_invalid_payload_names_the_field_path():
    sessions = [{"day": "mon", "hours": 2}, {"day": "tue", "hours": "many"}]
    with pytest.raises(InvalidPayload) as caught:
        catalogue.decode("test_only.HoursLogged.v1", body(teacher_id="t-1", sessions=sessions))
    assert caught.value.reason.startswith("sessions.1.hours: ")
    assert caught.value.type == "test_only.HoursLogged.v1"


def test_a_missing_field_is_named():
    with pytest.raises(InvalidPayload, match="author: Field required"):
        catalogue.decode("test_only.NoteTaken.v2", body(text="hi"))


def test_v1_is_upcast_through_v2_to_v3():
    event = catalogue.decode("test_only.BadgeAwarded.v1", body(teacher="t-1", hours=3))
    assert event == BadgeAwardedV3(teacher_id="t-1", hours=3.0, category="general")


def test_v2_is_upcast_to_v3():
    event = catalogue.decode("test_only.BadgeAwarded.v2", body(teacher_id="t-1", hours=3))
    assert event == BadgeAwardedV3(teacher_id="t-1", hours=3.0, category="general")


def test_decode_without_upcasting_keeps_the_stored_version():
    event = catalogue.decode(
        "test_only.BadgeAwarded.v1", body(teacher="t-1", hours=3), upcast=False
    )
    assert event == BadgeAwardedV1(teacher="t-1", hours=3)


def test_latest_is_the_highest_major_version():
    assert catalogue.latest("test_only.BadgeAwarded") is BadgeAwardedV3
    assert catalogue.model("test_only.BadgeAwarded.v2") is BadgeAwardedV2


def test_a_missing_upcaster_is_an_error():
    with pytest.raises(UnknownVersion, match="no upcaster from v1 to v2"):
        catalogue.decode("test_only.NoteTaken.v1", body(text="hi"))


def test_an_upcaster_that_does_not_advance_is_an_error():
    with pytest.raises(TypeError, match=r"not a later version of test_only\.GradeGiven"):
        catalogue.decode("test_only.GradeGiven.v1", body(grade=3))


def test_a_wire_type_cannot_be_declared_twice():
    with pytest.raises(ValueError, match=r"test_only\.BadgeAwarded\.v1 declared twice"):

        class Impostor(Event, context="test_only", name="BadgeAwarded", version=1):
            teacher: str


def test_export_ignores_test_only_contracts():
    assert "test_only.BadgeAwarded.v1" in catalogue
    assert not [m for m in contracts_in_code() if m.context == "test_only"]
