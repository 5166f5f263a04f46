"""The embedded nats-server: starts, answers, keeps JetStream data across restarts, stops."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import urllib.request
from pathlib import Path

import nats
import pytest

from yanpei.natsserver import EmbeddedNatsServer, NatsServerError, read_info


async def publish(url: str, stream: str, count: int) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
    for i in range(count):
        await js.publish(f"{stream.lower()}.n", str(i).encode())
    await nc.close()


async def stored(url: str, stream: str) -> tuple[int, bytes]:
    """The number of messages in ``stream`` and the data of the last one."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    info = await js.stream_info(stream)
    last = await js.get_msg(stream, info.state.last_seq)
    await nc.close()
    return info.state.messages, last.data or b""


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url) as response:
        return dict(json.load(response))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_answers_with_jetstream_on_a_local_port(fresh_nats_server, request):
    server = fresh_nats_server
    info = read_info("127.0.0.1", server.port)
    assert info is not None and info["jetstream"] is True
    assert server.version == info["version"]
    assert tuple(int(n) for n in server.version.split(".")[:2]) >= (2, 12)
    assert server.url == f"nats://127.0.0.1:{server.port}"
    assert (server.store_dir / "jetstream").is_dir()
    assert request.node.get_closest_marker("integration"), "marked by its folder"


async def test_a_restart_keeps_the_port_and_the_stream(fresh_nats_server):
    server = fresh_nats_server
    await publish(server.url, "KEEP", 3)
    port, pid = server.port, server.pid
    await server.arestart()
    assert (server.port, server.pid != pid) == (port, True)
    assert await stored(server.url, "KEEP") == (3, b"2")


async def test_a_killed_server_starts_again_on_its_store(fresh_nats_server):
    server = fresh_nats_server
    await publish(server.url, "CRASH", 2)
    server.kill()
    assert not server.running
    await server.astart()
    assert await stored(server.url, "CRASH") == (2, b"1")


def test_stop_leaves_no_process_and_frees_the_port(tmp_path: Path):
    server = EmbeddedNatsServer(tmp_path).start()
    pid, port = server.pid, server.port
    assert pid is not None and alive(pid)
    server.stop()
    assert not alive(pid)
    assert not server.running and server.pid is None
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    assert not server.pid_path.exists()
    assert "Server Exiting" in server.log_path.read_text()


async def test_async_context_manager_and_monitoring(tmp_path: Path):
    async with EmbeddedNatsServer(tmp_path, monitoring=True) as server:
        assert server.monitor_url is not None
        health = await asyncio.to_thread(get_json, f"{server.monitor_url}/healthz")
        assert health["status"] == "ok"
    assert not server.running


def test_a_second_server_on_the_same_store_is_refused(fresh_nats_server):
    data_dir = fresh_nats_server.store_dir.parent
    with pytest.raises(NatsServerError, match=f"pid {fresh_nats_server.pid}"):
        EmbeddedNatsServer(data_dir).start()


def test_a_server_that_cannot_start_says_why(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = EmbeddedNatsServer(tmp_path, port=taken.getsockname()[1])
        with pytest.raises(NatsServerError, match="address already in use"):
            server.start()
    assert not server.running
