"""yanpei refuses a NATS server older than 2.12, with a clear error."""

from __future__ import annotations

import asyncio
import json

import pytest

from eventlog import ServerTooOld, connect
from eventlog.connection import check_server_version


@pytest.mark.parametrize(
    ("version", "ok"),
    [("2.9.25", False), ("2.11.9", False), ("2.12.0", True), ("v2.15.1", True), ("3.0.0", True)],
)
def test_minimum_version(version: str, ok: bool):
    if ok:
        check_server_version(version)
    else:
        with pytest.raises(ServerTooOld, match=r"needs nats-server >= 2\.12"):
            check_server_version(version)


async def test_connect_refuses_an_old_server_speaking_the_protocol():
    """A server that introduces itself as 2.9 (as Debian's does) is refused at connect."""

    async def old_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        info = {
            "server_id": "OLD",
            "version": "2.9.25",
            "proto": 1,
            "headers": True,
            "max_payload": 1048576,
            "jetstream": True,
        }
        writer.write(f"INFO {json.dumps(info)}\r\n".encode())
        await writer.drain()
        while line := await reader.readline():
            if line.startswith(b"PING"):
                writer.write(b"PONG\r\n")
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(old_server, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(ServerTooOld, match=r"runs 2\.9\.25"):
            await connect(f"nats://127.0.0.1:{port}", "too-old-test", max_reconnect_attempts=0)


async def test_connect_accepts_the_embedded_server(nats_server):
    nc = await connect(nats_server.url, "version-test")
    assert nc.is_connected
    await nc.close()
