"""The demo of the whole system, on the embedded defaults (or on given servers).

One run: the four services start (embedded nats-server and SQLite unless told otherwise);
the demo county is imported from the shipped workbook through the registry's import; a
semester of activities (308 activities, about 5,000 sign-ins) goes through the command bus;
the quota report, the hours per school and the notifications sent (to a local SMTP sink)
are shown; then a changed rule set is replayed into a shadow ledger and its diff shown.
Every figure shown is returned in :class:`DemoFigures`, which the end-to-end test checks.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select

from contracts import Command
from eventlog.commandbus import CommandClient
from eventlog.connection import connect
from eventlog.service import Service
from services.credits.replay import Replay
from services.credits.reporting import diff_summary, school_changes
from services.notify.tables import deliveries
from services.registry.importing.checks import Known
from services.registry.importing.run import import_file
from yanpei.demo.county import DEMO_COUNTY, WORKBOOK
from yanpei.demo.semester import Plan, semester
from yanpei.demo.setup import mail_sink, write_config, write_proposal
from yanpei.progress import phase_bars, single_bar
from yanpei.runtime import running_system
from yanpei.settings import Settings

__all__ = ["DemoFigures", "run_demo"]

SEMESTER_DAY = "2025-12-31"
"""The day the reports look at: the end of the demo county's autumn semester."""


@dataclass
class DemoFigures:
    """What the demo did and found."""

    imported_rows: dict[str, int] = field(default_factory=dict)
    activities: int = 0
    commands: int = 0
    refused: list[str] = field(default_factory=list)
    sign_ins: int = 0
    quota_states: dict[str, int] = field(default_factory=dict)
    hours: dict[str, Any] = field(default_factory=dict)
    notifications: dict[str, int] = field(default_factory=dict)
    replay: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


async def _import_county(nats_url: str, console: Console, figures: DemoFigures) -> None:
    console.rule(f"1. The registry: {DEMO_COUNTY.name} ({DEMO_COUNTY.code}) from {WORKBOOK.name}")
    nc = await connect(nats_url, "yanpei-demo-import")
    try:
        with single_bar(console, "importing the workbook") as progress:
            report = await import_file(
                WORKBOOK, client=CommandClient(nc, timeout=60), known=Known(), progress=progress
            )
    finally:
        await nc.close()
    if report.problems:
        raise RuntimeError(f"the demo workbook did not import: {report.problems[:3]}")
    figures.imported_rows = dict(report.rows)
    table = Table(title="imported")
    table.add_column("sheet")
    table.add_column("rows", justify="right")
    for sheet, rows in report.rows.items():
        table.add_row(sheet, str(rows))
    console.print(table)


async def _send_semester(
    nats_url: str, plans: list[Plan], console: Console, figures: DemoFigures
) -> None:
    console.rule("2. A semester of activities through the command bus")
    nc = await connect(nats_url, "yanpei-demo-semester")
    client = CommandClient(nc, timeout=60)
    gate = asyncio.Semaphore(24)
    total = sum(len(p.commands) for p in plans)
    done = 0
    try:
        with single_bar(console, f"{len(plans)} activities") as progress:

            async def one(plan: Plan) -> None:
                nonlocal done
                async with gate:
                    for command in plan.commands:
                        await _send(client, command, figures)
                        done += 1
                        progress(done, total)

            await asyncio.gather(*(one(p) for p in plans))
    finally:
        await nc.close()
    figures.activities = len(plans)
    figures.commands = total
    figures.sign_ins = sum(len(getattr(c, "entries", [])) for p in plans for c in p.commands)
    console.print(
        f"{total} commands for {len(plans)} activities, {figures.sign_ins} sign-ins; "
        f"{len(figures.refused)} refused"
    )


async def _send(client: CommandClient, command: Command, figures: DemoFigures) -> None:
    reply = await client.send(DEMO_COUNTY.code, command)
    if not reply.ok and reply.error is not None:
        figures.refused.append(f"{command.name}: {reply.error.message}")


async def _caught_up(services: list[Service], what: str, console: Console) -> None:
    """Wait until every projection of every service has read to the end of its streams."""
    lagging: dict[str, int] = {}
    with console.status(f"waiting for the projections ({what})"):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            healths = [await s.health() for s in services]
            lagging = {
                f"{h.service}/{name}": sum(p.lag.values())
                for h in healths
                for name, p in h.projections.items()
                if sum(p.lag.values())
            }
            if not lagging:
                return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the projections did not catch up ({what}): {lagging}")


def _service(services: list[Service], name: str) -> Any:
    return next(s for s in services if s.name == name)


async def run_demo(settings: Settings, console: Console, *, fresh: bool = True) -> DemoFigures:
    """Run the whole demo against ``settings`` (embedded NATS when no URL is given)."""
    started = time.monotonic()
    if fresh and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    config = write_config(settings.data_dir / "config")
    settings = settings.model_copy(update={"config_dir": config})
    figures = DemoFigures()
    with mail_sink(settings.data_dir / "mail") as (port, mail):
        os.environ.update(
            YANPEI_NOTIFY_SMTP_HOST="127.0.0.1",
            YANPEI_NOTIFY_SMTP_PORT=str(port),
            YANPEI_NOTIFY_TICK_SECONDS="2",
            YANPEI_NOTIFY_RETRY_BASE_SECONDS="1",
        )
        async with running_system(settings) as system:
            demo = _Demo(system.services, system.nats_url, console, figures, settings)
            await demo.run(mail)
    figures.seconds = round(time.monotonic() - started, 1)
    console.rule(f"done in {figures.seconds:.0f} s")
    return figures


@dataclass
class _Demo:
    services: list[Service]
    nats_url: str
    console: Console
    figures: DemoFigures
    settings: Settings

    async def run(self, mail: mailbox.Maildir) -> None:
        await _import_county(self.nats_url, self.console, self.figures)
        await _caught_up(self.services, "the registry", self.console)
        await _send_semester(self.nats_url, semester(DEMO_COUNTY), self.console, self.figures)
        await _caught_up(self.services, "the semester", self.console)
        await self.quotas()
        await self.hours()
        await self.notifications(mail)
        await self.replay()

    async def quotas(self) -> None:
        self.console.rule("3. Quotas, done against required")
        activities = _service(self.services, "activities")
        day = date.fromisoformat(SEMESTER_DAY)
        lines = await asyncio.to_thread(activities.queries.quota_report, DEMO_COUNTY.code, day, day)
        self.figures.quota_states = dict(Counter(str(line.state) for line in lines))
        per_quota = Counter((line.quota_id, str(line.state)) for line in lines)
        table = Table(title=f"quotas of {DEMO_COUNTY.name}, autumn 2025: subjects in each state")
        for column in ("quota", "state", "subjects"):
            table.add_column(column)
        for (quota, state), count in sorted(per_quota.items()):
            table.add_row(quota, state, str(count))
        self.console.print(table)

    async def hours(self) -> None:
        self.console.rule("4. Hours (学时) per school, 2025")
        credits = _service(self.services, "credits")
        await credits.keep_ledgers()
        await credits.publish()
        rows = await asyncio.to_thread(
            credits.queries.school_rollup, DEMO_COUNTY.code, "year", HOURS_YEAR
        )
        county = await asyncio.to_thread(
            credits.queries.county_rollup, DEMO_COUNTY.code, "year", HOURS_YEAR
        )
        self.figures.hours = {k: _plain(v) for k, v in county.items()}
        self.console.print(_rows_table(f"hours per school, {HOURS_YEAR}", [*rows, county]))

    async def notifications(self, mail: mailbox.Maildir) -> None:
        self.console.rule("5. Notifications sent (to the demo's local mail sink)")
        notify = _service(self.services, "notify")
        assert notify.engine is not None
        with self.console.status("waiting for notify to send what it planned"):
            counts = await _settled(notify.engine)
        self.figures.notifications = {**counts, "received": len(mail)}
        table = Table(title="deliveries by kind and status")
        for column in ("kind", "status", "messages"):
            table.add_column(column)
        for (kind, status), count in sorted(_by_kind(notify.engine).items()):
            table.add_row(kind, status, str(count))
        self.console.print(table)
        self.console.print(f"{len(mail)} e-mails arrived in {self.settings.data_dir / 'mail'}")

    async def replay(self) -> None:
        self.console.rule("6. A rule change, replayed into a shadow ledger (dry run)")
        assert self.settings.config_dir is not None
        proposal = write_proposal(
            self.settings.config_dir, self.settings.data_dir / "proposal.yaml"
        )
        credits = _service(self.services, "credits")
        assert credits.nc is not None and credits.engine is not None
        replayer = Replay(credits.nc, credits.engine, credits.book)
        shadow = replayer.register(proposal, DEMO_COUNTY.code)
        with phase_bars(self.console) as progress:
            await replayer.build(shadow, progress)
        diff = [d for d in await asyncio.to_thread(replayer.diff, shadow) if d.difference]
        summary = diff_summary(diff)
        self.figures.replay = {k: _plain(v) for k, v in summary.items()}
        self.console.print(_rows_table("who gains and who loses", [summary]))
        self.console.print(_rows_table("by school", school_changes(diff)))
        self.console.print(
            "The live ledger is untouched; `yanpei credits replay --rules FILE --apply` would "
            "switch to it and publish a correction for every changed total."
        )


HOURS_YEAR = "2025"


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _rows_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(str(column))
    for row in rows:
        table.add_row(*(str(_plain(row.get(c, ""))) for c in columns))
    return table


def _by_kind(engine: Engine) -> Counter[tuple[str, str]]:
    d = deliveries
    with engine.connect() as tx:
        rows = tx.execute(select(d.c.kind, d.c.status, func.count()).group_by(d.c.kind, d.c.status))
        return Counter({(kind, status): count for kind, status, count in rows})


async def _settled(engine: Engine, seconds: float = 120.0) -> dict[str, int]:
    """Deliveries by status once none is waiting to go out (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        statuses: Counter[str] = Counter()
        for (_, status), count in (await asyncio.to_thread(_by_kind, engine)).items():
            statuses[status] += count
        busy = statuses["pending"] + statuses["sending"]
        if (statuses and not busy) or time.monotonic() > deadline:
            return dict(statuses)
        await asyncio.sleep(0.5)
