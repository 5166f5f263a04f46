"""The registry's public contracts: described, dated, stable, and free of contact data."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel

from contracts import Contract, Event
from contracts.export import committed_schemas, schema_of
from contracts.registry import queries, v1
from contracts.registry.internal import INTERNAL_CONTRACTS

PUBLIC: list[type[Contract]] = [*v1.EVENTS, *v1.COMMANDS]
INTERNAL = {model.wire_type() for model in INTERNAL_CONTRACTS}
CONTACT_WORDS = {"phone", "mobile", "tel", "telephone", "email", "mail", "contact", "wechat"}
CONTACT_WORDS |= {"qq", "passport", "address", "idcard", "citizen", "identity"}
CONTACT_NAMES = re.compile(r"national_?id|id_?card|id_?number|身份证|电话|手机|邮箱|住址")


def contact_fields(schema: Any, path: str = "$") -> list[str]:
    """Every property name in ``schema`` (nested models too) that looks like contact data."""
    found = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            words = set(re.split(r"[_\W]+", name.lower()))
            if words & CONTACT_WORDS or CONTACT_NAMES.search(name.lower()):
                found.append(f"{path}.{name}")
            found += contact_fields(sub, f"{path}.{name}")
        for key, sub in schema.items():
            if key != "properties":
                found += contact_fields(sub, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            found += contact_fields(sub, f"{path}[{i}]")
    return found


@cache
def registry_schemas() -> dict[str, dict[str, Any]]:
    """Every public registry schema: committed files and the code's own, by wire type."""
    committed = {k: v for k, v in committed_schemas().items() if k.startswith("registry.")}
    in_code = {m.wire_type(): schema_of(m) for m in PUBLIC}
    answers = {f"query.{m.__name__}": m.model_json_schema() for m in _query_models()}
    public = {k: v for k, v in committed.items() if k not in INTERNAL}
    return public | {f"code:{k}": v for k, v in in_code.items()} | answers


def _query_models() -> list[type[BaseModel]]:
    return [
        m
        for m in vars(queries).values()
        if isinstance(m, type)
        and issubclass(m, BaseModel)
        and m.__module__ == queries.__name__
        and not m.__name__.startswith("_")
    ]


@pytest.mark.parametrize("wire_type", sorted(registry_schemas()))
def test_no_public_registry_schema_has_a_contact_field(wire_type):
    assert contact_fields(registry_schemas()[wire_type]) == []


@pytest.mark.parametrize(
    "model", [m for m in INTERNAL_CONTRACTS if "phone" in m.model_fields], ids=lambda m: m.name
)
def test_the_scan_finds_the_contact_fields_of_the_internal_contracts(model):
    assert sorted(contact_fields(schema_of(model))) == ["$.email", "$.national_id", "$.phone"]


def test_every_committed_registry_schema_is_public_but_the_listed_internal_ones():
    committed = {k for k in committed_schemas() if k.startswith("registry.")}
    assert committed == {m.wire_type() for m in PUBLIC} | INTERNAL
    assert {m.__module__ for m in INTERNAL_CONTRACTS} == {"contracts.registry.internal"}


def _fields(model: type[BaseModel]) -> list[tuple[str, Any]]:
    found = []
    for name, info in model.model_fields.items():
        found.append((f"{model.__name__}.{name}", info))
        for arg in getattr(info.annotation, "__args__", ()) or (info.annotation,):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found += _fields(arg)
    return found


@pytest.mark.parametrize("model", [*PUBLIC, *_query_models()], ids=lambda m: m.__name__)
def test_every_field_is_described(model):
    assert model.__doc__ and all(info.description for _, info in _fields(model))


@pytest.mark.parametrize("event", v1.EVENTS, ids=lambda e: e.name)
def test_every_event_carries_its_effective_date_and_belongs_to_a_registry_aggregate(event):
    assert event.model_fields["effective_on"].annotation.__name__ == "date"
    assert event.aggregate in {"county", "school", "teacher", "community"}
    assert event.wire_type() == f"registry.{event.__name__}.v1"


ENUMS = [v for v in vars(v1).values() if isinstance(v, type) and issubclass(v, StrEnum)]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enumerations_have_stable_english_values_and_their_chinese_terms(enum):
    assert all(re.fullmatch(r"[a-z_]+", m.value) for m in enum)
    assert re.search(r"[\u4e00-\u9fff]", enum.__doc__ or "")


def test_commands_and_events_are_frozen():
    event = v1.CountyRenamed(
        county_code="510781", county_name="a", city="b", province="c", effective_on="2020-01-01"
    )
    with pytest.raises(ValueError):
        event.county_name = "x"  # type: ignore[misc]
    assert isinstance(event, Event)
