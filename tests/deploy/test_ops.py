"""The operators' recipes in docs/deployment.md render and validate: switching a replay to
--apply, and the restore Job (run in the shared NATS namespace)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from tests.deploy.conftest import K8S, NATS, OVERLAYS, named

OPS = K8S / "ops"


def test_the_apply_patch_turns_the_dry_run_into_a_running_apply(tmp_path: Path, render, validate):
    overlay = OVERLAYS[0]
    shutil.copy(OPS / "credits-replay-apply.yaml", tmp_path)
    kustomization = {
        "resources": [os.path.relpath(overlay, tmp_path)],
        "patches": [
            {
                "path": "credits-replay-apply.yaml",
                "target": {"kind": "Job", "name": "credits-replay"},
            }
        ],
    }
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization), encoding="utf-8")
    docs = render(tmp_path)
    (job,) = named(docs, "Job", "credits-replay-apply")
    assert not validate([job])
    assert job["spec"]["suspend"] is False
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "--apply" in command and "--dry-run" not in command
    assert command[command.index("--reason") + 1]
    assert not named(docs, "Job", "credits-replay"), "the dry run is replaced, not kept"


def test_the_restore_job_validates_and_runs_the_deployed_image(render, validate):
    (job,) = yaml.safe_load_all((OPS / "stream-restore.yaml").read_text(encoding="utf-8"))
    assert not validate([job])
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["yanpei", "restore", "--from", "/backup/BACKUP_FOLDER"]
    images = {container["image"]}
    for folder in ("base", "nats"):
        text = (K8S / folder / "kustomization.yaml").read_text(encoding="utf-8")
        images |= {f"{i['name']}:{i['newTag']}" for i in yaml.safe_load(text)["images"]}
    assert len(images) == 1, f"one yanpei image everywhere, not {sorted(images)}"
    (claim,) = [
        v for v in job["spec"]["template"]["spec"]["volumes"] if "persistentVolumeClaim" in v
    ]
    (backup,) = named(render(NATS), "CronJob", "stream-backup")
    assert claim in backup["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
