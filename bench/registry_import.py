"""Registry import benchmark: 20,000 teachers from one XLSX workbook, end to end.

One run:

1. writes a workbook (two counties, ``--schools`` schools, ``--teachers`` teachers with
   contact data for about 70 %, in the sheets and columns of ``yanpei registry import``);
2. starts a nats-server (embedded, unless ``--nats-url``) and the registry service in a
   process of its own, as ``yanpei dev`` would, with its projections in a fresh SQLite file
   (or ``--database-url``);
3. imports the workbook the way ``yanpei registry import`` does (read, check every row,
   then ``--concurrency`` commands in flight), and times it;
4. waits until the registry views have applied everything (the service's health reply
   shows no lag), checks the teacher count, then imports the same file again (every
   command answered ``duplicate``, no event written).

Figures go to stdout, the last line being one JSON object: rows/s of the import, teachers/s,
peak RSS of the importing process, of the service process and of the nats-server.

    .venv/bin/python bench/registry_import.py --teachers 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventlog.commandbus import CommandClient  # noqa: E402
from eventlog.connection import connect  # noqa: E402
from eventlog.reader import last_sequence  # noqa: E402
from eventlog.service import Health, health_subject  # noqa: E402
from services.registry.importing.checks import Known  # noqa: E402
from services.registry.importing.run import import_file  # noqa: E402
from tests.fixtures.registry.generate import roster  # noqa: E402
from yanpei.natsserver import EmbeddedNatsServer  # noqa: E402

HOME, OTHER = "519901", "519902"
SERVICE = """
import asyncio, signal, sys
from services.registry.app import build

async def main():
    service = build(nats_url=sys.argv[1], database_url=sys.argv[2], counties=sys.argv[3:])
    async with service:
        print("ready", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

asyncio.run(main())
"""


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident set of a process (this one by default), in MB."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_service(nats_url: str, database_url: str) -> subprocess.Popen[str]:
    """The registry in a process of its own; returns once it says it is ready."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", SERVICE, nats_url, database_url, HOME, OTHER],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        raise SystemExit("the registry service did not start")
    return child


async def views_done(nc: Any, timeout: float = 600) -> float:
    """Seconds until the service's views have no lag."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        reply = await nc.request(health_subject("registry"), b"", timeout=10)
        health = Health.model_validate_json(reply.data)
        if health.status != "ok":
            raise SystemExit(f"the registry service is {health.status}: a projection task died")
        if all(sum(p.lag.values()) == 0 for p in health.projections.values()):
            return time.perf_counter() - started
        await asyncio.sleep(0.2)
    raise SystemExit("the views did not catch up")


async def timed_import(path: Path, client: CommandClient, concurrency: int) -> tuple[Any, float]:
    started = time.perf_counter()
    report = await import_file(path, client=client, known=Known(), concurrency=concurrency)
    return report, time.perf_counter() - started


async def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    sample = roster(HOME, OTHER, schools=args.schools, teachers=args.teachers - 100)
    started = time.perf_counter()
    path = sample.write(folder / "roster.xlsx")
    rows = sum(len(r) for r in sample.sheets.values())
    took = time.perf_counter() - started
    print(f"workbook: {rows} rows in {took:.1f}s ({path})", file=sys.stderr)
    async with AsyncExitStack() as stack:
        if not args.keep:  # runs last: after the server and the service have stopped
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        server = None
        url = args.nats_url
        if url is None:
            server = await stack.enter_async_context(EmbeddedNatsServer(folder / "nats"))
            url = server.url
        database_url = args.database_url or f"sqlite:///{folder / 'registry.db'}"
        service = start_service(url, database_url)
        try:
            return await measure(args, url, path, rows, service, server)
        finally:
            service.terminate()
            service.wait(timeout=60)


class Usage:
    """CPU seconds of the importer, the service and the nats-server since creation."""

    def __init__(self, service_pid: int, server_pid: int | None) -> None:
        self.pids = {"importer": os.getpid(), "service": service_pid, "nats_server": server_pid}
        self.start = {k: cpu_seconds(p) for k, p in self.pids.items() if p}

    def since(self) -> dict[str, float]:
        return {k: round(cpu_seconds(self.pids[k]) - v, 1) for k, v in self.start.items()}


async def measure(args, url, path, rows, service, server) -> dict[str, Any]:
    nc = await connect(url, "bench-registry-import")
    client = CommandClient(nc, timeout=120)
    usage = Usage(service.pid, server.pid if server else None)
    report, seconds = await timed_import(path, client, args.concurrency)
    if report.problems:
        raise SystemExit(f"the import was refused: {report.problems[:5]}")
    cpu = usage.since()
    lag_seconds = await views_done(nc)
    end = await last_sequence(nc, "EVT_REGISTRY")
    again, again_seconds = await timed_import(path, client, args.concurrency)
    assert again.outcome is not None and again.outcome.written == 0
    assert await last_sequence(nc, "EVT_REGISTRY") == end
    await nc.close()
    return {
        "teachers": args.teachers,
        "rows": rows,
        "commands": report.commands,
        "import_seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "teachers_per_second": round(args.teachers / seconds),
        "views_caught_up_after_import_seconds": round(lag_seconds, 2),
        "reimport_seconds": round(again_seconds, 2),
        "reimport_rows_per_second": round(rows / again_seconds),
        "peak_rss_mb": peak_rss(service, server),
        "cpu_seconds_during_import": cpu,
        **setting(args),
    }


def peak_rss(service: subprocess.Popen[str], server: Any) -> dict[str, float | None]:
    return {
        "importer": round(peak_rss_mb(), 1),
        "service": round(peak_rss_mb(service.pid), 1),
        "nats_server": round(peak_rss_mb(server.pid), 1) if server and server.pid else None,
    }


def setting(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "concurrency": args.concurrency,
        "database": "sqlite" if args.database_url is None else args.database_url.split(":")[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "load_average": round(os.getloadavg()[0], 2),
        "date": date.today().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teachers", type=int, default=20000)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--nats-url")
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(
        f"imported {result['rows']} rows ({result['teachers']} teachers) in "
        f"{result['import_seconds']}s: {result['rows_per_second']} rows/s; "
        f"peak RSS {result['peak_rss_mb']}"
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
