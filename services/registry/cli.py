"""``yanpei registry``: import, templates, questions as of a date, listings and exports.

Reads the projection database named by ``YANPEI_DATABASE_URL``; imports and rebuilds also
talk to the running system through ``YANPEI_NATS_URL``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from eventlog.database import make_engine
from services.registry import cli_render as show
from services.registry.exporting import LISTINGS, listing, reader_for, rich_table, write_rows
from services.registry.handlers.common import CHINA
from services.registry.importing.run import ImportReport
from services.registry.importing.sheets import SHEETS
from services.registry.importing.values import parse_date
from services.registry.operations import import_with_client, rebuild_all
from services.registry.queries import RegistryReader
from yanpei.settings import get_settings
from yanpei.tabular import export_path

__all__ = ["app"]

app = typer.Typer(
    help="The registry (区县, 学校, 教师, 教研共同体): import, query as of a date, export.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
T = TypeVar("T")
CHINA_TODAY = "today, in China"


def _on(value: str | None) -> date:
    if not value:
        return datetime.now(CHINA).date()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _read(ask: Callable[[RegistryReader], T]) -> T:
    """Ask the projection database, with a clear message when it is not built yet."""
    engine = make_engine(get_settings().effective_database_url)
    try:
        return ask(reader_for(engine))
    except (LookupError, DBAPIError) as exc:
        console.print(f"[red]The registry views are not built yet ({type(exc).__name__}).[/red]")
        console.print("Start the system (yanpei dev) or run: yanpei registry rebuild")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _nats_url() -> str:
    url = get_settings().nats_url
    if not url:
        console.print("[red]Set YANPEI_NATS_URL to the NATS server of the running system.[/red]")
        raise typer.Exit(2)
    return url


ON = typer.Option(None, "--on", help=f"The date (YYYY-MM-DD); default {CHINA_TODAY}.")


FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="A .xlsx or .csv file.")
]
KindOption = Annotated[str | None, typer.Option(help=f"For a CSV: {', '.join(SHEETS)}.")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Check every row; write nothing.")]
SkipOption = Annotated[bool, typer.Option("--skip-invalid", help="Write the valid rows.")]
ConcurrencyOption = Annotated[int, typer.Option(min=1, max=1000, help="Commands in flight.")]
ErrorsOption = Annotated[
    Path | None,
    typer.Option(
        "--errors", help="Write every error to this .csv or .xlsx file.", callback=export_path
    ),
]


@app.command("import")
def import_(
    file: FileArgument,
    kind: KindOption = None,
    preview: PreviewOption = False,
    skip_invalid: SkipOption = False,
    concurrency: ConcurrencyOption = 200,
    errors: ErrorsOption = None,
) -> None:
    """Import counties, schools, teachers, communities, memberships and transfers."""
    engine = make_engine(get_settings().effective_database_url)
    try:
        url = None if preview else _nats_url()
        report = asyncio.run(
            import_with_client(
                file, engine, url, kind=kind, preview=preview, skip_invalid=skip_invalid,
                concurrency=concurrency,
                progress=lambda: show.progress_bar(console, f"importing {file.name}"),
            )
        )  # fmt: skip
    finally:
        engine.dispose()
    _report(report, preview, errors)


def _report(report: ImportReport, preview: bool, errors: Path | None) -> None:
    console.print(show.import_summary(report, preview))
    problems = report.problems
    if problems:
        console.print(show.errors_table(problems))
        if errors is not None:
            write_rows(errors, show.ERROR_HEADERS, [e._asdict() for e in problems])
    console.print(show.import_outcome(report, preview))
    if problems:
        raise typer.Exit(1)


@app.command()
def template(
    kind: str = typer.Argument(..., help=f"{', '.join(SHEETS)}, or all."),
    out: Annotated[Path | None, typer.Option("--out", help="Default: <kind>.xlsx")] = None,
) -> None:
    """Write an empty import template with Chinese and English headers."""
    if kind != "all" and kind not in SHEETS:
        raise typer.BadParameter(f"choose one of {', '.join(SHEETS)}, all")
    from services.registry.importing.templates import write_template  # openpyxl, slow

    path = write_template(kind, out or Path(f"{kind}.xlsx"))
    console.print(f"wrote {path}")


def _answer(title: str, ask: Callable[[RegistryReader], Any]) -> None:
    console.print(show.answer_table(title, _read(ask)))


@app.command()
def school(school_id: str, on: str | None = ON) -> None:
    """A school as of a date."""
    day = _on(on)
    _answer(f"school {school_id} on {day}", lambda r: r.school(school_id, day))


@app.command()
def teacher(teacher_id: str, on: str | None = ON) -> None:
    """A teacher as of a date (no contact data)."""
    day = _on(on)
    _answer(f"teacher {teacher_id} on {day}", lambda r: r.teacher(teacher_id, day))


@app.command("teacher-school")
def teacher_school(teacher_id: str, on: str | None = ON) -> None:
    """The school a teacher was at on a date."""
    day = _on(on)
    _answer(f"school of {teacher_id} on {day}", lambda r: r.teacher_school(teacher_id, day))


@app.command()
def community(community_id: str, on: str | None = ON) -> None:
    """A community and its members as of a date."""
    day = _on(on)
    _answer(f"community {community_id} on {day}", lambda r: r.community(community_id, day))


@app.command("school-communities")
def school_communities(school_id: str, on: str | None = ON) -> None:
    """The communities a school belonged to on a date."""
    day = _on(on)
    found = _read(lambda r: r.school_communities(school_id, day))
    rows = [c.model_dump() for c in found]
    headers = [(k, k) for k in ("community_id", "community_name", "community_kind", "role")]
    console.print(rich_table(f"communities of {school_id} on {day}", headers, rows))


@app.command()
def summary(county: str, on: str | None = ON) -> None:
    """Schools by stage and location, communities by kind, teachers by stage."""
    day = _on(on)
    _answer(f"county {county} on {day}", lambda r: r.county_summary(county, day))


@app.command("list")
def list_(
    kind: str = typer.Argument(..., help=", ".join(LISTINGS)),
    county: str = typer.Option(..., "--county", envvar="YANPEI_COUNTY", help="County code."),
    on: str | None = ON,
    out: Annotated[
        Path | None, typer.Option("--out", help="Export to .xlsx or .csv.", callback=export_path)
    ] = None,
    reveal_contacts: bool = typer.Option(
        False, "--reveal-contacts", help="Show contact data unmasked (personal data)."
    ),
) -> None:
    """List the county's schools, teachers, communities or memberships as of a date."""
    if kind not in LISTINGS:
        raise typer.BadParameter(f"choose one of {', '.join(LISTINGS)}")
    day = _on(on)
    headers, rows = _read(lambda r: listing(r, kind, county, day, reveal_contacts))
    if out is not None:
        write_rows(out, headers, rows)
        console.print(f"wrote {len(rows)} rows to {out}")
    else:
        console.print(rich_table(f"{kind} of {county} on {day}", headers, rows))


@app.command()
def rebuild() -> None:
    """Rebuild the registry views and the contacts table from the event log."""
    engine: Engine = make_engine(get_settings().effective_database_url)
    try:
        for line in asyncio.run(rebuild_all(_nats_url(), engine)):
            console.print(line)
    finally:
        engine.dispose()
