"""`yanpei notify`: preview templates, read and export the delivery log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eventlog.database import make_engine
from services.notify.configuration import CONFIG_DIR, load_county
from services.notify.deliverylog import LogFilter, read_log, requeue, write_rows
from services.notify.planning import KINDS
from services.notify.rendering import UnknownTemplate
from services.notify.rendering import preview as render_preview
from services.notify.tables import STATUSES
from services.notify.ticker import upcoming
from yanpei.settings import get_settings
from yanpei.tabular import export_path

app = typer.Typer(help="The notify service.", no_args_is_help=True)
console = Console()


@app.command()
def preview(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(KINDS)}")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
) -> None:
    """Render a notification kind with sample data."""
    try:
        message = render_preview(kind, lang)
    except UnknownTemplate as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"[bold]{message.subject}[/bold]", soft_wrap=True)
    console.print(message.body, markup=False, highlight=False, soft_wrap=True)


@app.command()
def calendar(
    county: Annotated[str, typer.Argument(help="The county's division code")],
    days: Annotated[int, typer.Option(help="How far ahead")] = 31,
) -> None:
    """The dated reminders a county's settings will fire in the coming days (local time)."""
    mounted = get_settings().config_dir
    config = load_county(county, config_dir=mounted / "notify" if mounted else CONFIG_DIR)
    now = datetime.now(UTC)
    table = Table(title=f"{county}: reminders in the next {days} days ({config.time_zone})")
    for column in ("fires at", "rule", "deadline", "days before", "audience"):
        table.add_column(column)
    for when, rule, moment, audience in upcoming(config, now, now + timedelta(days=days)):
        local = when.astimezone(config.zone).strftime("%Y-%m-%d %a %H:%M")
        table.add_row(local, rule, str(moment.deadline), str(moment.days_before), audience)
    console.print(table)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date or date-time (ISO 8601)") from None
    if len(value) <= 10:
        parsed = datetime.combine(date.fromisoformat(value), time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command()
def log(
    recipient: Annotated[
        str | None, typer.Option(help="teacher:<id>, school:<id>, webhook:<name>")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="A notification kind")] = None,
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATUSES)}")] = None,
    county: Annotated[str | None, typer.Option(help="A county code")] = None,
    since: Annotated[
        str | None, typer.Option(help="Planned at or after (ISO date/time, UTC)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Planned before (ISO date/time, UTC)")] = None,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the rows to a CSV file", callback=export_path),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Write the rows to an XLSX file", callback=export_path),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows on screen")] = 200,
) -> None:
    """The delivery log, filtered; exported whole with --csv or --xlsx."""
    _check_status(status)
    export = csv or xlsx
    wanted = LogFilter(
        recipient, kind, status, county, _moment(since), _moment(until), None if export else limit
    )
    engine = make_engine(get_settings().effective_database_url)
    try:
        rows = read_log(engine, wanted)
    finally:
        engine.dispose()
    if export is not None:
        console.print(f"{write_rows(rows, export)} rows written to {export}")
        return
    _show(rows)


@app.command("requeue")
def requeue_failed(
    recipient: Annotated[str | None, typer.Option(help="Only this recipient")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind")] = None,
    county: Annotated[str | None, typer.Option(help="Only this county")] = None,
    since: Annotated[str | None, typer.Option(help="Planned at or after (ISO, UTC)")] = None,
) -> None:
    """Send failed deliveries again, with their original Message-ID / Idempotency-Key."""
    wanted = LogFilter(recipient, kind, None, county, _moment(since))
    engine = make_engine(get_settings().effective_database_url)
    try:
        count = requeue(engine, wanted, datetime.now(UTC))
    finally:
        engine.dispose()
    console.print(f"{count} failed deliveries will be sent again")


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"status is one of {', '.join(STATUSES)}")


def _show(rows: list[dict[str, object]]) -> None:
    table = Table(title=f"notify deliveries ({len(rows)})")
    shown = ("planned_at", "kind", "recipient", "channel", "status", "attempts", "last_error")
    for column in shown:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c] or "") for c in shown))
    console.print(table)
