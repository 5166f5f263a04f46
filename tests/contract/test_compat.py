"""The compatibility checker on deliberately broken, and deliberately harmless, changes."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, create_model

from contracts.compat import accepts_all, incompatibilities
from contracts.schema_forms import resolve_refs


class Stage(StrEnum):
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"


class PrimaryOnly(StrEnum):
    PRIMARY = "primary"


class AnyStage(StrEnum):
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"


class Address(BaseModel):
    street: str
    postcode: int


class AddressWithTextPostcode(BaseModel):
    street: str
    postcode: str


class SchoolAddress(BaseModel):
    """The same shape as Address under another class name (another ``$defs`` key)."""

    street: str
    postcode: int


class SchoolRegistered(BaseModel):
    """The old schema every case changes."""

    school_id: Annotated[str, Field(pattern=r"^[0-9]{10}$")]
    school_name: Annotated[str, Field(max_length=60)]
    pupils: int
    stage: Stage
    address: Address
    opened_on: date | None = None
    classes: list[Address] = []


def changed(*, drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """The schema of SchoolRegistered with fields dropped, replaced or added."""
    kept = {
        name: (info.annotation, info)
        for name, info in SchoolRegistered.model_fields.items()
        if name not in drop
    }
    return create_model("SchoolRegistered", **{**kept, **fields}).model_json_schema()


OLD = SchoolRegistered.model_json_schema()

BREAKING = {
    "field removed": (changed(drop=("pupils",)), "$.pupils", "property removed"),
    "field renamed": (
        changed(drop=("school_name",), display_name=(Annotated[str, Field(max_length=60)], ...)),
        "$.school_name",
        "renamed to 'display_name'",
    ),
    "type changed int to str": (
        changed(pupils=(str, ...)),
        "$.pupils",
        "type changed from integer to string",
    ),
    "new required field": (changed(headteacher=(str, ...)), "$.headteacher", "new required"),
    "optional field became required": (
        changed(opened_on=(date | None, ...)),
        "$.opened_on",
        "became required",
    ),
    "enum narrowed": (
        changed(stage=(PrimaryOnly, ...)),
        "$.stage",
        "enum value(s) removed: ['junior_secondary']",
    ),
    "nested model field type changed": (
        changed(address=(AddressWithTextPostcode, ...)),
        "$.address.postcode",
        "type changed from integer to string",
    ),
    "list item field type changed": (
        changed(classes=(list[AddressWithTextPostcode], [])),
        "$.classes[*].postcode",
        "type changed from integer to string",
    ),
    "null no longer accepted": (
        changed(opened_on=(date, date(2000, 9, 1))),
        "$.opened_on",
        "null is no longer accepted",
    ),
    "format changed": (
        changed(opened_on=(datetime | None, None)),
        "$.opened_on",
        "format changed from 'date' to 'date-time'",
    ),
    "max length tightened": (
        changed(school_name=(Annotated[str, Field(max_length=30)], ...)),
        "$.school_name",
        "constraints tightened: maxLength 60 -> 30",
    ),
    "pattern narrowed": (
        changed(school_id=(Annotated[str, Field(pattern=r"^1[0-9]{9}$")], ...)),
        "$.school_id",
        "pattern narrowed",
    ),
}

COMPATIBLE = {
    "unchanged": changed(),
    "new optional field": changed(motto=(str | None, None)),
    "widened type int to int | str": changed(pupils=(int | str, ...)),
    "widened type int to float": changed(pupils=(float, ...)),
    "new enum value": changed(stage=(AnyStage, ...)),
    "required field became optional": changed(pupils=(int | None, None)),
    "nested model class renamed": changed(address=(SchoolAddress, ...)),
    "max length relaxed": changed(school_name=(Annotated[str, Field(max_length=90)], ...)),
    "pattern widened": changed(school_id=(Annotated[str, Field(pattern=r"^[0-9]{10,12}$")], ...)),
    "format dropped": changed(opened_on=(str | None, None)),
}


@pytest.mark.parametrize(("new", "path", "words"), BREAKING.values(), ids=BREAKING.keys())
def test_a_breaking_change_is_named_with_its_path(new, path, words):
    reasons = incompatibilities(OLD, new)
    assert any(r.startswith(f"{path}:") and words in r for r in reasons), reasons


@pytest.mark.parametrize("new", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_a_compatible_change_passes(new):
    assert incompatibilities(OLD, new) == []


def test_a_rename_also_reports_the_new_required_name():
    new = BREAKING["field renamed"][0]
    assert "$.display_name: new required property; stored messages may lack it" in (
        incompatibilities(OLD, new)
    )


def test_annotations_alone_never_break():
    new = changed(pupils=(int, Field(description="Pupils enrolled", title="Enrolment")))
    assert incompatibilities(OLD, new) == []


def test_plain_jsonsubschema_calls_a_new_optional_field_a_break():
    """Why objects are closed first: pydantic's open objects admit any extra value."""
    from jsonsubschema import isSubschema

    new = COMPATIBLE["new optional field"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert not isSubschema(resolve_refs(OLD), resolve_refs(new))
    assert accepts_all(OLD, new)


def test_plain_jsonsubschema_misses_a_removed_field():
    """Why removals come from the walk: an open new schema still admits the old field."""
    from jsonsubschema import isSubschema

    new = BREAKING["field removed"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert isSubschema(resolve_refs(OLD), resolve_refs(new))


class Topic(BaseModel):
    title: str
    subtopics: list[Topic] = []


class TopicWithNumber(BaseModel):
    title: int
    subtopics: list[TopicWithNumber] = []


def test_recursive_models_are_compared_without_recursing_forever():
    old = Topic.model_json_schema()
    assert incompatibilities(old, old) == []
    assert incompatibilities(old, TopicWithNumber.model_json_schema()) == [
        "$.title: type changed from string to integer"
    ]


def test_resolve_refs_inlines_defs_and_keeps_sibling_keywords():
    schema = {
        "$defs": {"Stage": {"enum": ["primary"], "type": "string"}},
        "properties": {"stage": {"$ref": "#/$defs/Stage", "description": "The stage"}},
        "type": "object",
    }
    assert resolve_refs(schema) == {
        "properties": {
            "stage": {"enum": ["primary"], "type": "string", "description": "The stage"}
        },
        "type": "object",
    }
