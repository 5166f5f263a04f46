"""``yanpei activities``: calendar, one activity, checklists, quota report, exports, imports.

Reads the projection database named by ``YANPEI_DATABASE_URL``; the training import also
sends commands to the running system through ``YANPEI_NATS_URL``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from contracts import Command
from contracts.activities import v1
from contracts.replies import CommandReply
from eventlog import connect
from eventlog.commandbus import CommandClient
from eventlog.database import make_engine
from eventlog.store import EventStore
from services.activities import importing
from services.activities.announcing import announce_quotas
from services.activities.configuration import CONFIG_DIR, load_county
from services.activities.domain.quotas import QuotaLine
from services.activities.facts import Registry
from services.activities.queries import ActivityQueries
from services.activities.registry_view import RegistryFacts
from services.activities.views import ActivityViews
from yanpei.settings import get_settings
from yanpei.tabular import export_path, write_rows

__all__ = ["app"]

app = typer.Typer(
    help="Teaching-research activities (教研活动): calendar, attendance, quotas, imports.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
T = TypeVar("T")
Export = Annotated[
    Path | None,
    typer.Option("--export", help="Also write a .csv or .xlsx file.", callback=export_path),
]
Day = Annotated[str, typer.Option(help="A date, YYYY-MM-DD.")]
Today = Annotated[
    str | None,
    typer.Option(help="The day the report is made, YYYY-MM-DD (default: today, in China)."),
]


def _date(value: str | None) -> date:
    if value is None:
        return datetime.now(ZoneInfo("Asia/Shanghai")).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def config_dir() -> Path:
    """The configuration in use: ``$YANPEI_CONFIG_DIR/activities`` if set, else the shipped."""
    mounted = get_settings().config_dir
    return mounted / "activities" if mounted else CONFIG_DIR


def _ask(question: Callable[[ActivityQueries], T]) -> T:
    engine = make_engine(get_settings().effective_database_url)
    facts = RegistryFacts()
    config = cache(partial(load_county, config_dir=config_dir()))
    queries = ActivityQueries(engine, ActivityViews(), Registry(engine, facts), config)
    try:
        return question(queries)
    except (LookupError, DBAPIError) as exc:
        console.print(f"[red]The activities views are not built yet ({type(exc).__name__}).[/red]")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _show(title: str, rows: list[dict[str, Any]], export: Path | None) -> None:
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    console.print(table)
    if export is not None:
        console.print(f"wrote {write_rows(rows, export)} rows to {export}")


@app.command()
def calendar(
    county: str,
    start: Day,
    end: Day,
    community: str | None = None,
    school: str | None = None,
    teacher: str | None = None,
    export: Export = None,
) -> None:
    """Activities of a county between two dates, for a community, school or teacher."""
    rows = _ask(
        lambda q: q.calendar(
            county,
            _date(start),
            _date(end),
            community_id=community,
            school_id=school,
            teacher_id=teacher,
        )
    )
    _show(f"{county}: {start} – {end}", rows, export)


@app.command()
def activity(activity_id: str, export: Export = None) -> None:
    """One activity with its participants, attendance, results and materials."""
    found = _ask(lambda q: q.activity(activity_id))
    if found is None:
        console.print(f"[red]No activity {activity_id}.[/red]")
        raise typer.Exit(1)
    people, files = found.pop("participants"), found.pop("materials")
    console.print(found)
    _show("participants", [{k: v for k, v in p.items() if k != "record"} for p in people], export)
    _show("materials", files, None)


@app.command()
def checklist(county: str, activity_id: str) -> None:
    """What is still missing from an activity's checklist, overall and per teacher."""
    missing = _ask(lambda q: q.checklist(county, activity_id))
    rows = [
        {"who": who or "(activity)", "missing": ", ".join(items)}
        for who, items in missing.items()
        if items
    ]
    _show(f"missing for {activity_id}", rows, None)


@app.command("quota-report")
def quota_report(county: str, on: Day, today: Today = None, export: Export = None) -> None:
    """Done versus required for every quota, in the periods containing --on."""
    lines = _ask(lambda q: q.quota_report(county, _date(on), _date(today)))
    rows = [{k: str(v) for k, v in asdict(line).items()} for line in lines]
    _show(f"quotas of {county} around {on}", rows, export)


@app.command("import-training")
def import_training(
    county: str,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    preview: Annotated[
        bool, typer.Option("--preview", help="Check every row; write nothing.")
    ] = False,
) -> None:
    """Import external training results (CSV/XLSX), previewed first."""
    kinds = set(load_county(county).kinds)

    def check(q: ActivityQueries) -> importing.ImportReport:
        return importing.preview(
            path, lambda t: q.registry.teacher_on(t, date.max) is not None, kinds
        )

    report = _ask(check)
    if not preview and report.valid:
        report = asyncio.run(_apply(report, county))
    for row, problem in report.problems:
        console.print(f"row {row}: {problem}")
    console.print(
        f"{len(report.valid)} valid rows, {len(report.problems)} problems, "
        f"{report.written} written, {report.duplicates} already there"
    )
    if report.problems:
        raise typer.Exit(1)


def _nats_url() -> str:
    url = get_settings().nats_url
    if not url:
        console.print("[red]Set YANPEI_NATS_URL to the NATS server of the running system.[/red]")
        raise typer.Exit(2)
    return url


async def _apply(report: importing.ImportReport, county: str) -> importing.ImportReport:
    nc = await connect(_nats_url(), "yanpei-activities-cli")
    try:
        return await importing.apply(report, CommandClient(nc, timeout=30), county)
    finally:
        await nc.close()


@app.command("sign-in")
def sign_in(
    county: str,
    activity_id: str,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Sign in a whole sheet (teacher_id, signed_in_at, signed_out_at): all rows or none."""
    entries, problems = importing.sign_in_sheet(path)
    for row, problem in problems:
        console.print(f"row {row}: {problem}")
    if problems or not entries:
        raise typer.Exit(1)
    command = v1.SignInMany(activity_id=activity_id, entries=entries)
    reply = asyncio.run(_send(county, command))
    if not reply.ok:
        console.print(f"[red]{reply.error.message if reply.error else 'refused'}[/red]")
        raise typer.Exit(1)
    console.print(f"{len(reply.events)} sign-ins recorded")


async def _send(county: str, command: Command) -> CommandReply:
    nc = await connect(_nats_url(), "yanpei-activities-cli")
    try:
        return await CommandClient(nc, timeout=30).send(county, command)
    finally:
        await nc.close()


@app.command("announce-quotas")
def announce(county: str, on: Day, today: Today = None) -> None:
    """Write QuotaMet / QuotaUnreachable for the periods containing --on (each only once)."""
    lines = _ask(lambda q: q.quota_report(county, _date(on), _date(today)))
    written = asyncio.run(_announce(county, lines))
    console.print(f"{written} new quota announcements")


async def _announce(county: str, lines: list[QuotaLine]) -> int:
    nc = await connect(_nats_url(), "yanpei-activities-cli")
    try:
        return await announce_quotas(EventStore(nc, "activities"), county, lines)
    finally:
        await nc.close()
