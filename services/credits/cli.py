"""``yanpei credits``: explain a total, replay after a rule change, statements, reports, charts.

Reads the projection database named by ``YANPEI_DATABASE_URL``; ``replay`` also reads the
event log and, with ``--apply``, publishes through ``YANPEI_NATS_URL``. The rule book is the
shipped one, or the rule files under ``YANPEI_CREDITS_RULES`` (a folder or a file).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from eventlog import EventStore, connect
from eventlog.database import make_engine
from eventlog.deadletters import DeadLetter
from services.credits import statements
from services.credits.domain import explain as explain_lines
from services.credits.pruning import LedgerInUse, drop_ledger, ledger_versions
from services.credits.queries import LedgerQueries
from services.credits.replay import DiffRow, Replay
from services.credits.reporting import diff_summary, school_changes
from services.credits.rules import RuleBook, RuleError
from services.credits.switching import apply as apply_replay
from yanpei.settings import get_settings
from yanpei.tabular import export_path, write_rows

__all__ = ["app"]

RULES_ENV = "YANPEI_CREDITS_RULES"
app = typer.Typer(
    help="Hours (学时): explain, replay after a rule change, statements, reports.",
    no_args_is_help=True,
    add_completion=False,
)
report_app = typer.Typer(help="Hours of a teacher, a school or a county.", no_args_is_help=True)
app.add_typer(report_app, name="report")
console = Console()
T = TypeVar("T")
Year = Annotated[str | None, typer.Option("--year", help="A year, e.g. 2026.")]
Cycle = Annotated[str | None, typer.Option("--cycle", help="A cycle, e.g. 2026-2030.")]
Xlsx = Annotated[
    Path | None, typer.Option("--xlsx", help="Also write an XLSX file.", callback=export_path)
]
Csv = Annotated[
    Path | None, typer.Option("--csv", help="Also write a CSV file.", callback=export_path)
]


def rule_book() -> RuleBook:
    """The rules in force: ``YANPEI_CREDITS_RULES``, else ``$YANPEI_CONFIG_DIR/credits``, else
    the shipped ones (the same choice the running service makes)."""
    mounted = get_settings().config_dir
    where = os.environ.get(RULES_ENV) or (str(mounted / "credits") if mounted else None)
    try:
        return RuleBook.load(where) if where else RuleBook.default()
    except RuleError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = make_engine(get_settings().effective_database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _not_built(exc: Exception) -> typer.Exit:
    """Say the ledger is not there (the driver's first line, not the SQL); exit code 2."""
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    first = (str(cause).splitlines() or [type(cause).__name__])[0]
    console.print(f"[red]The credits ledger is not built yet in this database ({first}).[/red]")
    return typer.Exit(2)


def _ask(question: Callable[[LedgerQueries], T]) -> T:
    with _engine() as engine:
        try:
            return question(LedgerQueries(engine, rule_book()))
        except (LookupError, DBAPIError) as exc:
            raise _not_built(exc) from None


def _period(year: str | None, cycle: str | None) -> tuple[str, str]:
    if year and cycle:
        raise typer.BadParameter("give --year or --cycle, not both")
    if cycle:
        return "cycle", cycle
    return "year", year or str(datetime.now(ZoneInfo("Asia/Shanghai")).year)


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(
            column, justify="right" if column.startswith(("hours", "diff")) else "left"
        )
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    return table


def _export(rows: list[dict[str, Any]], *paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            console.print(f"wrote {write_rows(rows, path)} rows to {path}")


@app.command()
def explain(teacher: str, year: Year = None, cycle: Cycle = None) -> None:
    """A teacher's total for a year or cycle, line by line: activity, role, rule, version."""
    kind, period = _period(year, cycle)
    found = _ask(lambda q: q.explain(teacher, kind, period))
    if found is None:
        console.print(f"[red]No hours of {teacher} for {kind} {period}.[/red]")
        raise typer.Exit(1)
    table = Table(title=f"{teacher} ({found.school_id}, {found.county_code}): {kind} {period}")
    for column in ("line", "hours", "credits", "rule (version)", "how"):
        table.add_column(column, justify="right" if column in ("hours", "credits") else "left")
    for line in explain_lines(found.totals, found.entries):
        shown = ["" if v is None else str(v) for v in (line.hours, line.credits)]
        table.add_row(line.label, *shown, line.rule, line.note)
    for void in found.voided:
        table.add_row(f"voided {void['title']}", f"-{void['hours']}", "", "", void["reason"])
    console.print(table)
    if found.review:
        console.print(f"review: {found.review}")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


async def _build(replay: Replay, rules: Path, county: str | None) -> Any:
    shadow = replay.register(rules, county)
    with _progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"{phase}", total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        await replay.build(shadow, progress)
    return shadow


@app.command()
def replay(
    rules: Annotated[
        Path, typer.Option("--rules", exists=True, dir_okay=False, help="A rule file.")
    ],
    county: Annotated[str | None, typer.Option("--county", help="Only this county.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--apply", help="Diff only, or switch.")
    ] = True,
    report: Annotated[Path | None, typer.Option("--report", help="Diff report base path.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (for HoursCorrected).")] = "",
    allow_dead_letters: Annotated[
        bool,
        typer.Option(
            "--allow-dead-letters",
            help="Switch even if some events could not be applied (they earn nothing).",
        ),
    ] = False,
) -> None:
    """Recompute the whole ledger under a rule file beside the live one; diff; --apply switches.

    An event the new ledger cannot apply is filed as a dead letter and listed; --apply then
    refuses to switch (exit 1, the shadow kept) unless --allow-dead-letters is given.
    """
    try:
        asyncio.run(_replay(rules, county, dry_run, report, reason, allow_dead_letters))
    except RuleError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


async def _replay(
    rules: Path,
    county: str | None,
    dry_run: bool,
    report: Path | None,
    reason: str,
    allow_dead_letters: bool,
) -> None:
    url = get_settings().nats_url
    if not url:
        console.print("[red]Set YANPEI_NATS_URL to the NATS server of the running system.[/red]")
        raise typer.Exit(2)
    nc = await connect(url, "yanpei-credits-replay")
    try:
        with _engine() as engine:
            replayer = Replay(nc, engine, rule_book())
            shadow = await _build(replayer, rules, county)
            diff = [d for d in await asyncio.to_thread(replayer.diff, shadow) if d.difference]
            _show_diff(diff, report or Path(f"replay-{shadow.ledger_id}"))
            dead, known = await replayer.dead_letters(shadow)
            _show_dead_letters(dead, known, shadow.ledger_id)
            if dead and not dry_run and not allow_dead_letters:
                console.print(
                    f"[red]not switched: {len(dead)} event(s) the live ledger applied could "
                    f"not be applied under {rules.name}. Fix the rules or the events and "
                    f"replay again (the shadow {shadow.ledger_id} is kept), or pass "
                    "--allow-dead-letters.[/red]"
                )
                raise typer.Exit(1)
            if not dry_run:
                store = EventStore(nc, "credits")
                why = reason or f"rules {rules.name}"
                changed, written = await apply_replay(replayer, shadow, store, why)
                console.print(
                    f"switched to {shadow.ledger_id}: {len(changed)} totals changed, "
                    f"{written} HoursCorrected published"
                )
    finally:
        await nc.close()


def _show_dead_letters(dead: list[DeadLetter], known: int, ledger_id: str, shown: int = 20) -> None:
    if known:
        console.print(
            f"{known} event(s) could not be applied, as in the live ledger "
            f"(`yanpei deadletters` lists them)"
        )
    if not dead:
        return
    rows = [
        {"event": f"{d.stream}#{d.sequence}", "type": d.type, "reason": d.reason}
        for d in dead[:shown]
    ]
    title = f"events the live ledger applied and {ledger_id} could not apply ({len(dead)})"
    console.print(_table(title, rows))
    if len(dead) > shown:
        console.print(f"… and {len(dead) - shown} more")


def _show_diff(diff: list[DiffRow], base: Path) -> None:
    summary = diff_summary(diff)
    lines = [{"": key, "value": value} for key, value in summary.items()]
    console.print(_table("replay: who gains and who loses", lines))
    console.print(_table("by school", school_changes(diff)))
    rows = [d.as_row() for d in diff]
    _export(rows, base.with_suffix(".xlsx"), base.with_suffix(".csv"))


@app.command()
def ledgers() -> None:
    """List the ledger versions: which is live for which county, which replays are kept."""
    with _engine() as engine:
        try:
            rows = [v.as_row() for v in ledger_versions(engine)]
        except DBAPIError as exc:
            raise _not_built(exc) from None
    table = _table("ledger versions", rows)
    table.columns[0].no_wrap = True  # the id is what `drop` takes: never cut short
    table.columns[0].min_width = max(len(r["ledger"]) for r in rows) if rows else None
    console.print(table)


@app.command()
def drop(
    ledger: Annotated[str, typer.Argument(help="A ledger id from `yanpei credits ledgers`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Also a version still building (no replay running).")
    ] = False,
) -> None:
    """Drop a ledger version nobody reads (a dry run's, a retired one): tables and all."""
    with _engine() as engine:
        try:
            tables = drop_ledger(engine, ledger, force=force)
        except (LookupError, LedgerInUse) as exc:
            console.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(2) from None
        except DBAPIError as exc:
            raise _not_built(exc) from None
    console.print(f"dropped ledger {ledger}: {tables} tables")


@app.command()
def statement(
    teacher: str,
    year: Year = None,
    cycle: Cycle = None,
    format: Annotated[str, typer.Option("--format", help="html or json")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="The file to write.")] = None,
) -> None:
    """A statement of hours with a verification code (HTML or JSON)."""
    kind, period = _period(year, cycle)
    if format not in ("html", "json"):
        raise typer.BadParameter("--format html or json (PDF: print the HTML)")
    found = _ask(lambda q: q.explain(teacher, kind, period))
    if found is None:
        console.print(f"[red]No hours of {teacher} for {kind} {period}.[/red]")
        raise typer.Exit(1)
    doc = statements.document(found, datetime.now(ZoneInfo("Asia/Shanghai")).date())
    text = (
        statements.render_html(doc)
        if format == "html"
        else json.dumps(doc, ensure_ascii=False, indent=2)
    )
    target = out or Path(f"statement-{teacher}-{period.replace('/', '_')}.{format}")
    target.write_text(text, encoding="utf-8")
    console.print(f"wrote {target}: {doc['statement']['hours']} h, code {doc['code']}")


@app.command()
def verify(code_or_file: str) -> None:
    """Check a statement (its code, or its HTML/JSON file) against the ledger."""
    path = Path(code_or_file)
    if path.exists():
        verdict = _ask(lambda q: statements.verify_file(q, path))
    else:
        verdict = _ask(lambda q: statements.verify_code(q, code_or_file))
    console.print(f"[{'green' if verdict.valid else 'red'}]{verdict.message}[/]")
    if not verdict.valid:
        raise typer.Exit(1)


@report_app.command("teacher")
def report_teacher(
    teacher: str, year: Year = None, cycle: Cycle = None, xlsx: Xlsx = None, csv: Csv = None
) -> None:
    """One teacher's activities for a year or cycle, with the total and shortfall."""
    kind, period = _period(year, cycle)
    found = _ask(lambda q: q.explain(teacher, kind, period))
    if found is None:
        console.print(f"[red]No hours of {teacher} for {kind} {period}.[/red]")
        raise typer.Exit(1)
    rows = statements.statement(found)["activities"]
    console.print(_table(f"{teacher}: {kind} {period}", rows))
    t = found.totals
    console.print(f"total {t.hours} h, target {t.target} h, short {t.shortfall} h")
    _export(rows, xlsx, csv)


@report_app.command("school")
def report_school(
    county: str,
    school: str,
    year: Year = None,
    cycle: Cycle = None,
    xlsx: Xlsx = None,
    csv: Csv = None,
) -> None:
    """A school's teachers' hours for a year or cycle, with shortfalls."""
    kind, period = _period(year, cycle)
    rows = _ask(lambda q: q.totals_rows(county, kind, period, school))
    console.print(_table(f"{school} ({county}): {kind} {period}", rows))
    _export(rows, xlsx, csv)


@report_app.command("county")
def report_county(
    county: str, year: Year = None, cycle: Cycle = None, xlsx: Xlsx = None, csv: Csv = None
) -> None:
    """A county's schools for a year or cycle (teachers, hours, how many short), and the total."""
    kind, period = _period(year, cycle)
    rows = _ask(
        lambda q: [*q.school_rollup(county, kind, period), q.county_rollup(county, kind, period)]
    )
    console.print(_table(f"{county}: {kind} {period}", rows))
    _export(rows, xlsx, csv)


@app.command()
def chart(
    county: Annotated[str, typer.Option("--county", help="The county.")],
    out: Annotated[Path, typer.Option("--out", help="The PNG to write.")],
    school: Annotated[str | None, typer.Option("--school", help="Only this school.")] = None,
    year: Year = None,
    cycle: Cycle = None,
) -> None:
    """The distribution of teachers' hours per school (PNG)."""
    from services.credits.charts import hours_chart  # matplotlib: a second to import

    kind, period = _period(year, cycle)
    by_school = _ask(lambda q: q.hours_by_school(county, kind, period))
    if school:
        by_school = {school: by_school.get(school, [])}
    targets = _ask(lambda q: q.totals_rows(county, kind, period, school))
    target = max((r["target"] for r in targets), default=None)
    hours_chart(by_school, target, f"{county} {kind} {period}: hours per school", out)
    console.print(f"wrote {out} ({sum(len(v) for v in by_school.values())} teachers)")
