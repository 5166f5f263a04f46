"""The agencies' AsyncAPI catalogue is committed, current, and describes every public event."""

from __future__ import annotations

from pathlib import Path

import yaml

from contracts import Event
from yanpei.ops.catalogue import ASYNCAPI_FILE, asyncapi_document, public_contracts

ROOT = Path(__file__).parents[2]


def test_the_committed_catalogue_is_current():
    committed = (ROOT / ASYNCAPI_FILE).read_text(encoding="utf-8")
    generated = asyncapi_document(yaml.safe_load(committed)["info"]["version"])
    assert committed == generated, "run `yanpei catalogue` and commit docs/catalogue/asyncapi.yaml"


def test_every_public_event_has_a_channel_with_its_schema():
    document = yaml.safe_load((ROOT / ASYNCAPI_FILE).read_text(encoding="utf-8"))
    events = [m for m in public_contracts() if issubclass(m, Event)]
    assert {m.context for m in events} >= {"registry", "activities", "credits", "system"}
    for model in events:
        channel = document["channels"][model.wire_type()]
        assert channel["address"].startswith("evt.{county}.")
        assert channel["address"].endswith(f".{model.name}")
    schemas = document["components"]["schemas"]
    for field in next(m for m in events if m.name == "SchoolRegistered").model_fields:
        assert field in schemas["SchoolRegistered"]["properties"]


def test_internal_contracts_are_not_in_the_catalogue():
    document = yaml.safe_load((ROOT / ASYNCAPI_FILE).read_text(encoding="utf-8"))
    assert not any("Contact" in channel for channel in document["channels"])
