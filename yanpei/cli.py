"""The ``yanpei`` command line."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer
from rich.console import Console
from rich.table import Table

from eventlog.connection import connect
from eventlog.deadletters import DeadLetters
from eventlog.service import Health, health_subject
from eventlog.streams import declare_streams
from services import SERVICES
from services.activities import cli as activities_cli
from services.registry import cli as registry_cli
from yanpei.runtime import RunningSystem, nats_url_for, running_system
from yanpei.settings import get_settings

app = typer.Typer(
    help="yanpei: teaching-research-training (教科研培) for county education bureaus.",
    no_args_is_help=True,
    add_completion=False,
)
streams_app = typer.Typer(help="The event streams.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Events a projection could not apply.", no_args_is_help=True)
app.add_typer(streams_app, name="streams")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(registry_cli.app, name="registry")
app.add_typer(activities_cli.app, name="activities")

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


async def _ask_health(url: str, names: tuple[str, ...] = SERVICES) -> list[Health]:
    nc = await connect(url, "yanpei-cli")
    try:
        answers = []
        for name in names:
            reply = await nc.request(health_subject(name), b"", timeout=5)
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
def demo() -> None:
    """The whole system on the embedded defaults: start it and show it healthy."""
    _logging()
    console.rule("yanpei demo")
    healthy = asyncio.run(_dev(check=True))
    console.print("[green]All services healthy.[/green]" if healthy else "[red]Unhealthy.[/red]")
    raise typer.Exit(0 if healthy else 1)


@app.command()
def health() -> None:
    """Ask each running service for its health (needs YANPEI_NATS_URL)."""
    settings = get_settings()
    if not settings.nats_url:
        raise typer.BadParameter("set YANPEI_NATS_URL to the NATS server the services use")
    console.print(health_table(asyncio.run(_ask_health(settings.nats_url))))


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
