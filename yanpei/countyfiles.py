"""A service's per-county configuration: ``defaults.yaml`` overlaid by the county's own file.

``<config_dir>/defaults.yaml`` holds every setting; ``<config_dir>/counties/<code>.yaml``
replaces whole top-level keys of it for one county. A file that is not YAML, or whose top
level is not a mapping, is refused with its path and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["county_settings"]


def county_settings(
    config_dir: Path, county: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The defaults, their top-level keys replaced by the county's file (if any), then
    by ``extra``."""
    merged = _read(config_dir / "defaults.yaml")
    own = config_dir / "counties" / f"{county}.yaml"
    if own.exists():
        merged.update(_read(own))
    merged.update(extra or {})
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top")
    return data
