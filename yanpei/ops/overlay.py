"""A county's kustomize overlay (县区部署): ``deploy/k8s/overlays/<code>/``.

An overlay holds the county's settings and nothing else: its namespace, its county label,
``YANPEI_COUNTY`` and its own configuration files (activity calendar, rule sets, notification
settings). Everything else comes from ``deploy/k8s/base``. The shipped overlays were written
by :func:`write_overlay`, so onboarding a county makes the same kind of overlay.

The county's files are copied from ``deploy/k8s/county-template/`` only when missing: once
written they belong to the county and are edited there. ``kustomization.yaml`` is derived
from the files present, so writing the overlay again after adding a rule set or a proposal
(``credits/proposed/``) lists it; the newest proposal is what the ``credits-replay`` Job
replays, or the newest rule set in force when there is none.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template
from typing import Any

import yaml

__all__ = ["COUNTY_LABEL", "TEMPLATE_FILES", "namespace_for", "write_overlay"]

COUNTY_LABEL = "yanpei.cn/county"
TEMPLATE_DIR = "county-template"
TEMPLATE_FILES = {
    "activities.yaml": "activities/{code}.yaml",
    "credits.yaml": "credits/{code}-v1.yaml",
    "notify.yaml": "notify/{code}.yaml",
}
"""Template file -> where it goes in the overlay."""
RULE_SUFFIXES = (".yaml", ".yml", ".toml")
"""Rule-set files the credits service reads (activities and notify read ``<code>.yaml``)."""

_COUNTY_CODE = re.compile(r"[0-9]{6}")
_HEADER = """\
# {name} ({code}): written by yanpei.ops.overlay.write_overlay; county settings only.
# Write it again instead of editing it (docs/deployment.md); the county's own files beside
# it (activities/, credits/, notify/) are edited in place.
"""


def namespace_for(county_code: str) -> str:
    """The county's namespace, ``yanpei-<code>``."""
    return f"yanpei-{county_code}"


def write_overlay(county_code: str, name: str, root: Path = Path("deploy/k8s")) -> Path:
    """Write ``<root>/overlays/<county_code>/`` and return its path.

    Args:
        county_code: The six-digit administrative division code (行政区划代码).
        name: The county's name, e.g. ``三台县``; it goes into comments only.
        root: The folder holding ``base/``, ``county-template/`` and ``overlays/``.

    Raises:
        ValueError: ``county_code`` is not six digits, or ``name`` is empty or has a line break.
    """
    if not _COUNTY_CODE.fullmatch(county_code):
        raise ValueError(f"a county code is six digits, got {county_code!r}")
    if not name.strip() or not name.isprintable():
        raise ValueError(f"a county name is one line of text, got {name!r}")
    overlay = root / "overlays" / county_code
    _copy_template(root / TEMPLATE_DIR, overlay, county_code, name)
    text = _HEADER.format(name=name, code=county_code) + _dump(_kustomization(overlay, county_code))
    (overlay / "kustomization.yaml").write_text(text, encoding="utf-8")
    return overlay


def _copy_template(template: Path, overlay: Path, code: str, name: str) -> None:
    """Copy each template file the overlay lacks, with the county's code and name in it."""
    for source, target in TEMPLATE_FILES.items():
        path = overlay / target.format(code=code)
        if path.exists():
            continue
        text = Template((template / source).read_text(encoding="utf-8"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.substitute(code=code, name=name), encoding="utf-8")


def _files(overlay: Path, folder: str, suffixes: tuple[str, ...] = (".yaml",)) -> list[str]:
    """The files directly in ``folder`` of the overlay, relative to it, sorted."""
    found = (p for p in (overlay / folder).glob("*") if p.is_file() and p.suffix in suffixes)
    return sorted(p.relative_to(overlay).as_posix() for p in found)


def _generator(name: str, behavior: str, **entries: list[str]) -> dict[str, Any]:
    return {"name": name, "behavior": behavior, **entries}


def _kustomization(overlay: Path, code: str) -> dict[str, Any]:
    """The overlay's kustomization: the base with the county's settings laid over it."""
    rules = _files(overlay, "credits", RULE_SUFFIXES)
    proposals = _files(overlay, "credits/proposed", RULE_SUFFIXES)
    generators = [
        _generator("county", "replace", literals=[f"YANPEI_COUNTY={code}"]),
        _generator("activities-county", "replace", files=_files(overlay, "activities")),
        _generator("notify-county", "replace", files=_files(overlay, "notify")),
    ]
    if rules:
        generators.append(_generator("credits-rules", "merge", files=rules))
    if proposals or rules:
        replayed = (proposals or rules)[-1]
        generators.append(
            _generator("credits-replay", "replace", files=[f"replay.yaml={replayed}"])
        )
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": namespace_for(code),
        "resources": ["../../base"],
        "labels": [{"pairs": {COUNTY_LABEL: code}, "includeTemplates": True}],
        "configMapGenerator": generators,
    }


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
