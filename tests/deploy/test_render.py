"""Every overlay, the base and the shared NATS render and validate against the Kubernetes
schemas; an overlay differs from the base in county settings alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import BASE, GENERATED_KINDS, NATS, OVERLAYS, Manifest, named, unhashed
from yanpei.ops.overlay import COUNTY_LABEL, namespace_for

COUNTY_CONFIGMAPS = {"county", "activities-county", "notify-county", "credits-replay"}
"""ConfigMaps whose whole content is the county's."""


def _walk(node: Any, names: dict[str, str]) -> Any:
    """A copy with generated names unhashed and the county label dropped from every labels."""
    if isinstance(node, dict):
        out = {k: _walk(v, names) for k, v in node.items()}
        if isinstance(out.get("labels"), dict):
            out["labels"].pop(COUNTY_LABEL, None)
        return out
    if isinstance(node, list):
        return [_walk(v, names) for v in node]
    return names.get(node, node) if isinstance(node, str) else node


def normalised(docs: list[Manifest], county: str) -> dict[tuple[str, str], Manifest]:
    """The documents with the county's settings blanked, by kind and name."""
    names = {d["metadata"]["name"]: unhashed(d) for d in docs if d["kind"] in GENERATED_KINDS}
    out = {}
    for doc in (_walk(d, names) for d in docs):
        doc["metadata"].pop("namespace", None)
        if doc["kind"] == "Namespace":
            doc["metadata"]["name"] = "<county namespace>"
        if doc["kind"] == "ConfigMap":
            data = doc.get("data", {})
            own = doc["metadata"]["name"] in COUNTY_CONFIGMAPS
            doc["data"] = "<county>" if own else {k: v for k, v in data.items() if county not in k}
        out[doc["kind"], doc["metadata"]["name"]] = doc
    return out


@pytest.mark.parametrize("folder", [BASE, NATS], ids=["base", "nats"])
def test_the_base_and_the_shared_nats_render_and_validate(folder: Path, render, validate):
    docs = render(folder)
    assert not validate(docs)


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_an_overlay_renders_and_validates(overlay: Path, render, validate):
    docs = render(overlay)
    assert not validate(docs)


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_an_overlay_differs_from_the_base_only_in_county_settings(overlay: Path, render):
    county = overlay.name
    base, own = normalised(render(BASE), "000000"), normalised(render(overlay), county)
    assert sorted(own) == sorted(base), "an overlay adds or drops resources"
    for key, doc in base.items():
        assert own[key] == doc, f"{key[0]}/{key[1]} differs beyond county settings"


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_an_overlay_sets_the_county_everywhere(overlay: Path, render):
    county, docs = overlay.name, render(overlay)
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {
        namespace_for(county)
    }
    assert [d["metadata"]["name"] for d in named(docs, "Namespace")] == [namespace_for(county)]
    assert named(docs, "ConfigMap", "county")[0]["data"] == {"YANPEI_COUNTY": county}
    for kind in ("Deployment", "StatefulSet", "Job"):
        for doc in named(docs, kind):
            assert doc["spec"]["template"]["metadata"]["labels"][COUNTY_LABEL] == county
    for name in ("activities-county", "notify-county"):
        assert list(named(docs, "ConfigMap", name)[0]["data"]) == [f"{county}.yaml"]
    rule_files = named(docs, "ConfigMap", "credits-rules")[0]["data"]
    assert "default.yaml" in rule_files
    assert any(key.startswith(county) for key in rule_files)


def test_validation_is_strict(validate):
    unknown_field = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "spec": {}}
    assert validate([unknown_field]) == [
        "ConfigMap/x: Additional properties are not allowed ('spec' was unexpected) at []"
    ]
