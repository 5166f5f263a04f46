"""``write_overlay``: a new county's overlay renders and validates like the shipped ones, and
writing a shipped county's overlay again reproduces it byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.deploy.conftest import BASE, K8S, OVERLAYS, SHIPPED_NAMES, named
from tests.deploy.test_render import normalised
from yanpei.ops.overlay import TEMPLATE_DIR, write_overlay

TEMPLATE_MADE = ("510722",)
"""Shipped counties whose files are the template's, untouched."""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of deploy/k8s without the overlays."""
    for folder in ("base", TEMPLATE_DIR):
        shutil.copytree(K8S / folder, tmp_path / folder)
    return tmp_path


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}


def test_a_new_county_gets_an_overlay_that_renders_and_validates(root, render, validate):
    overlay = write_overlay("510703", "涪城区", root)
    assert sorted(files_of(overlay)) == [
        "activities/510703.yaml",
        "credits/510703-v1.yaml",
        "kustomization.yaml",
        "notify/510703.yaml",
    ]
    docs = render(overlay)
    assert not validate(docs)
    assert normalised(docs, "510703") == normalised(render(BASE), "000000")
    assert named(docs, "ConfigMap", "county")[0]["data"] == {"YANPEI_COUNTY": "510703"}


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_writing_a_shipped_overlay_again_changes_nothing(overlay: Path, root):
    shutil.copytree(overlay, root / "overlays" / overlay.name)
    (root / "overlays" / overlay.name / "kustomization.yaml").unlink()
    written = write_overlay(overlay.name, SHIPPED_NAMES[overlay.name], root)
    assert files_of(written) == files_of(overlay)


@pytest.mark.parametrize("county", TEMPLATE_MADE)
def test_a_template_made_overlay_is_reproduced_from_nothing(county: str, root):
    written = write_overlay(county, SHIPPED_NAMES[county], root)
    assert files_of(written) == files_of(K8S / "overlays" / county)


def test_a_proposal_is_listed_and_becomes_what_the_replay_job_replays(root, render):
    overlay = write_overlay("510703", "涪城区", root)
    proposal = overlay / "credits" / "proposed" / "510703-v2.yaml"
    proposal.parent.mkdir()
    shutil.copy(overlay / "credits" / "510703-v1.yaml", proposal)
    write_overlay("510703", "涪城区", root)
    text = (overlay / "kustomization.yaml").read_text(encoding="utf-8")
    assert "replay.yaml=credits/proposed/510703-v2.yaml" in text
    assert "- credits/510703-v1.yaml" in text


@pytest.mark.parametrize("code", ["51078", "5107810", "abcdef", "../510781", "５１０７８１"])
def test_a_county_code_is_six_digits(code: str, root):
    with pytest.raises(ValueError, match="six digits"):
        write_overlay(code, "x", root)
    assert not (root / "overlays").exists()


@pytest.mark.parametrize("name", ["", "  ", "江油市\nnamespace: x"])
def test_a_county_name_is_one_line(name: str, root):
    with pytest.raises(ValueError, match="one line"):
        write_overlay("510781", name, root)
