"""`yanpei serve` runs one service as a Deployment would; the probes answer for it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

YANPEI = [sys.executable, "-m", "yanpei.cli"]


async def _yanpei(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *YANPEI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.fixture
def env(fresh_nats_server, tmp_path: Path) -> dict[str, str]:
    """One service on SQLite (serving is the same on either engine), on a server of its own
    (so its catch-up does not read every other test's events)."""
    return {
        **os.environ,
        "YANPEI_NATS_URL": fresh_nats_server.url,
        "YANPEI_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "YANPEI_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }


async def test_a_served_service_is_ready_and_alive_and_stops_on_sigterm(env):
    before = await _yanpei(env, "probe", "live", "--service", "registry")
    assert before[0] == 1 and "no heartbeat" in before[1]
    process = await asyncio.create_subprocess_exec(*YANPEI, "serve", "registry", env=env)
    try:

        async def ready() -> bool:
            return (await _yanpei(env, "health", "--service", "registry"))[0] == 0

        await eventually(ready, timeout=60, what="registry to answer its health request")
        await eventually(
            lambda: _alive(env), timeout=30, what="the registry's heartbeat to be written"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
    assert code == 0
    stale = await _yanpei(env, "probe", "live", "--service", "registry", "--max-age", "0")
    assert stale[0] == 1 and "last beat" in stale[1]


async def _alive(env: dict[str, str]) -> bool:
    return (await _yanpei(env, "probe", "live", "--service", "registry"))[0] == 0


async def test_health_of_an_unknown_service_is_refused(env):
    code, out = await _yanpei(env, "health", "--service", "grades")
    assert code == 2 and "unknown service(s): grades" in out


async def test_serve_without_a_nats_url_is_refused(env):
    code, out = await _yanpei({**env, "YANPEI_NATS_URL": ""}, "serve", "registry")
    assert code == 2 and "YANPEI_NATS_URL" in out
