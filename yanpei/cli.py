"""The ``yanpei`` command line."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eventlog.connection import connect
from eventlog.deadletters import DeadLetters
from eventlog.service import Health, health_subject
from eventlog.streams import declare_streams
from services import SERVICES
from services.activities import cli as activities_cli
from services.credits import cli as credits_cli
from services.notify import cli as notify_cli
from services.registry import cli as registry_cli
from yanpei import serving
from yanpei.ops import cli as ops_cli
from yanpei.runtime import RunningSystem, nats_url_for, running_system
from yanpei.settings import get_settings

app = typer.Typer(
    help="yanpei: teaching-research-training (教科研培) for county education bureaus.",
    no_args_is_help=True,
    add_completion=False,
)
streams_app = typer.Typer(help="The event streams.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Events a projection could not apply.", no_args_is_help=True)
probe_app = typer.Typer(help="Probes for Kubernetes.", no_args_is_help=True)
app.add_typer(streams_app, name="streams")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(probe_app, name="probe")
app.add_typer(ops_cli.nats_app, name="nats")
app.add_typer(ops_cli.county_app, name="county")
app.add_typer(ops_cli.agency_app, name="agency")
app.command("backup")(ops_cli.backup)
app.command("restore")(ops_cli.restore)
app.add_typer(registry_cli.app, name="registry")
app.add_typer(activities_cli.app, name="activities")
app.add_typer(credits_cli.app, name="credits")
app.add_typer(notify_cli.app, name="notify")

console = Console()


def _logging() -> None:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("faststream").setLevel(logging.WARNING)


def health_table(healths: list[Health]) -> Table:
    """Services and their projections, one row each."""
    table = Table(title="yanpei services")
    for column in ("service", "status", "NATS", "commands", "projections (lag)", "uptime s"):
        table.add_column(column)
    for h in healths:
        lags = ", ".join(f"{n} ({sum(p.lag.values())})" for n, p in h.projections.items())
        table.add_row(
            h.service,
            "[green]ok[/green]" if h.status == "ok" else f"[red]{h.status}[/red]",
            h.nats_server,
            str(len(h.commands)),
            lags or "-",
            f"{h.uptime_seconds:.1f}",
        )
    return table


async def _ask_health(
    url: str, names: tuple[str, ...] = SERVICES, county: str | None = None
) -> list[Health]:
    nc = await connect(url, "yanpei-cli")
    try:
        answers = []
        for name in names:
            reply = await nc.request(health_subject(name, county), b"", timeout=5)
            answers.append(Health.model_validate_json(reply.data))
        return answers
    finally:
        await nc.close()


async def _dev(check: bool) -> bool:
    settings = get_settings()
    async with running_system(settings) as system:
        _describe(system)
        healths = await _ask_health(system.nats_url)
        console.print(health_table(healths))
        healthy = all(h.status == "ok" for h in healths)
        if check:
            return healthy
        console.print("Running. Ctrl-C stops.")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        return healthy


def _describe(system: RunningSystem) -> None:
    where = (
        f"embedded nats-server {system.embedded.version} at {system.nats_url}"
        if system.embedded
        else f"NATS at {system.nats_url}"
    )
    console.print(f"[bold]NATS:[/bold] {where}")
    console.print(f"[bold]Projections:[/bold] {system.database_url}")


@app.command()
def dev(
    check: bool = typer.Option(False, "--check", help="Start, report health, stop."),
) -> None:
    """Run all four services on the configured (or embedded) NATS and database."""
    _logging()
    healthy = asyncio.run(_dev(check))
    raise typer.Exit(0 if healthy else 1)


@app.command()
def demo(
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the previous demo's data instead of starting anew.")
    ] = False,
) -> None:
    """The whole system on the embedded defaults: a county, a semester, reports, a replay."""
    _logging()
    settings = get_settings()
    from yanpei.demo.run import run_demo  # the whole sample county: import it when asked

    settings = settings.model_copy(update={"data_dir": settings.data_dir / "demo"})
    console.rule("yanpei demo")
    figures = asyncio.run(run_demo(settings, console, fresh=not keep))
    if figures.refused:
        console.print(f"[yellow]{len(figures.refused)} commands were refused, e.g.:[/yellow]")
        for line in figures.refused[:5]:
            console.print(f"  {line}")


@app.command()
def health(
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="Ask only this service (repeatable); exit 1 unless ok."),
    ] = None,
) -> None:
    """Ask each running service for its health (needs YANPEI_NATS_URL)."""
    settings = get_settings()
    if not settings.nats_url:
        raise typer.BadParameter("set YANPEI_NATS_URL to the NATS server the services use")
    names = tuple(service) if service else SERVICES
    unknown = sorted(set(names) - set(SERVICES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}; known: {SERVICES}")
    try:
        healths = asyncio.run(_ask_health(settings.nats_url, names, settings.county))
    except Exception as exc:  # no answer is an unhealthy answer
        console.print(f"[red]no health answer: {exc!r}[/red]")
        raise typer.Exit(1) from exc
    console.print(health_table(healths))
    raise typer.Exit(0 if all(h.status == "ok" for h in healths) else 1)


@app.command("catalogue")
def catalogue_doc(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the committed document is out of date.")
    ] = False,
) -> None:
    """Write the agencies' AsyncAPI catalogue of events and commands (docs/catalogue/)."""
    from importlib.metadata import version

    from yanpei.ops.catalogue import ASYNCAPI_FILE, asyncapi_document

    document = asyncapi_document(version("yanpei"))
    if check:
        current = ASYNCAPI_FILE.read_text(encoding="utf-8") if ASYNCAPI_FILE.exists() else ""
        if current != document:
            console.print(f"[red]{ASYNCAPI_FILE} is out of date: run `yanpei catalogue`[/red]")
            raise typer.Exit(1)
        console.print(f"{ASYNCAPI_FILE} is up to date.")
        return
    ASYNCAPI_FILE.parent.mkdir(parents=True, exist_ok=True)
    ASYNCAPI_FILE.write_text(document, encoding="utf-8")
    console.print(f"Wrote {ASYNCAPI_FILE}")


@app.command()
def serve(
    service: str = typer.Argument(..., help=f"One of {', '.join(SERVICES)}."),
) -> None:
    """Run one service in this process until SIGTERM (a Kubernetes Deployment's command)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    _logging()
    try:
        asyncio.run(serving.serve(get_settings(), service))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@probe_app.command("live")
def probe_live(
    service: str = typer.Option(..., "--service", help="The service whose heartbeat to read."),
    max_age: float = typer.Option(
        6 * serving.HEARTBEAT_SECONDS, "--max-age", help="Oldest acceptable heartbeat, seconds."
    ),
) -> None:
    """Liveness: exit 0 when the service beat within --max-age seconds (reads a file only)."""
    age = serving.heartbeat_age(get_settings(), service)
    if age is None or age > max_age:
        seen = "no heartbeat" if age is None else f"last beat {age:.0f}s ago"
        console.print(f"{service}: {seen}")
        raise typer.Exit(1)
    console.print(f"{service}: alive (beat {age:.0f}s ago)")


@streams_app.command("declare")
def streams_declare() -> None:
    """Create or update every stream with the settings in eventlog.streams."""

    async def run() -> list[str]:
        async with nats_url_for(get_settings()) as (url, _):
            nc = await connect(url, "yanpei-cli")
            try:
                return await declare_streams(nc.jetstream())
            finally:
                await nc.close()

    for name in asyncio.run(run()):
        console.print(f"declared {name}")


@deadletters_app.command("list")
def deadletters_list(
    projection: str | None = typer.Option(None, help="Only this projection's letters."),
) -> None:
    """List dead letters: which event, which projection, why."""

    async def run() -> None:
        async with nats_url_for(get_settings()) as (url, _):
            nc = await connect(url, "yanpei-cli")
            try:
                letters = await DeadLetters(nc).list(projection)
            finally:
                await nc.close()
        table = Table(title=f"dead letters ({len(letters)})")
        for column in ("projection", "stream", "sequence", "type", "attempts", "reason"):
            table.add_column(column)
        for d in letters:
            table.add_row(
                d.projection, d.stream, str(d.sequence), d.type, str(d.attempts), d.reason
            )
        console.print(table)

    asyncio.run(run())


if __name__ == "__main__":
    app()
