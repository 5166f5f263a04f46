"""`yanpei backup` and `yanpei restore` from the command line, between two real servers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contracts.system.v1 import ServiceStarted
from eventlog import NEW, EventStore
from eventlog.connection import connect
from eventlog.streams import declare_streams, stream_name
from yanpei.cli import app
from yanpei.natsserver import EmbeddedNatsServer

pytestmark = pytest.mark.integration


async def _write_events(url: str, count: int) -> None:
    nc = await connect(url, "test-writer")
    try:
        await declare_streams(nc.jetstream())
        store = EventStore(nc, "system")
        for i in range(count):
            ref = store.ref("510781", "service", f"cli-backup-{i}")
            await store.append(ref, [_started(i)], NEW)
    finally:
        await nc.close()


def _started(i: int) -> ServiceStarted:
    return ServiceStarted(
        service="registry", instance=f"i{i}", service_version="1", started_at=datetime.now(UTC)
    )


async def _last(url: str, stream: str) -> tuple[int, int]:
    nc = await connect(url, "test-reader")
    try:
        state = (await nc.jetstream().stream_info(stream)).state
        return int(state.messages), int(state.last_seq)
    finally:
        await nc.close()


def test_backup_then_restore_into_an_empty_server_from_the_cli(
    fresh_nats_server, tmp_path: Path, tmp_path_factory
):
    asyncio.run(_write_events(fresh_nats_server.url, 25))
    original = asyncio.run(_last(fresh_nats_server.url, stream_name("system")))
    out = tmp_path / "backup"
    runner = CliRunner()
    env = {"YANPEI_NATS_URL": fresh_nats_server.url, "COLUMNS": "200"}
    backed_up = runner.invoke(app, ["backup", "--out", str(out)], env=env)
    assert backed_up.exit_code == 0, backed_up.output
    assert (out / "manifest.json").exists()

    with EmbeddedNatsServer(tmp_path_factory.mktemp("empty")) as empty:
        env = {"YANPEI_NATS_URL": empty.url, "COLUMNS": "200"}
        restored = runner.invoke(app, ["restore", "--from", str(out)], env=env)
        assert restored.exit_code == 0, restored.output
        assert "Restored." in restored.output
        assert asyncio.run(_last(empty.url, stream_name("system"))) == original
        again = runner.invoke(app, ["restore", "--from", str(out)], env=env)
        assert again.exit_code == 0 and "already restored" in again.output


def test_restore_from_a_folder_that_is_no_backup_is_refused(fresh_nats_server, tmp_path: Path):
    env = {"YANPEI_NATS_URL": fresh_nats_server.url, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["restore", "--from", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert "not a yanpei backup" in result.output
