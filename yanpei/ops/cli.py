"""Operators' commands: NATS users, counties, agencies, the province roll-up, backups.

Everything that decides who may do what is generated from ``deploy/tenancy.yaml``:
``county onboard`` and ``agency add`` edit it and regenerate the NATS accounts file and
the county's Kubernetes overlay, so the three never drift apart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eventlog.connection import connect
from eventlog.streams import declare_streams
from yanpei.ops import backup as backups
from yanpei.ops.natsconfig import Passwords, accounts_conf, users_of
from yanpei.ops.overlay import write_overlay
from yanpei.ops.province import declare_province_stream
from yanpei.ops.tenancy import (
    PUBLIC_CONTEXTS,
    TENANCY_FILE,
    Agency,
    Tenancy,
    TenancyError,
    load_tenancy,
    save_tenancy,
)
from yanpei.progress import phase_bars
from yanpei.settings import Settings, get_settings

__all__ = ["agency_app", "backup", "county_app", "nats_app", "restore"]

ACCOUNTS_FILE = Path("deploy/k8s/nats/accounts.conf")
K8S_ROOT = Path("deploy/k8s")

console = Console()
nats_app = typer.Typer(help="The NATS server's users and permissions.", no_args_is_help=True)
county_app = typer.Typer(help="Counties sharing this deployment.", no_args_is_help=True)
agency_app = typer.Typer(help="Agencies subscribing to counties' events.", no_args_is_help=True)

TenancyOption = Annotated[Path, typer.Option("--tenancy", help="The tenancy file.")]
AccountsOption = Annotated[
    Path, typer.Option("--accounts", help="Where to write the NATS accounts file.")
]


def _passwords(settings: Settings) -> Passwords:
    return Passwords(settings.secrets_dir)


def _load(path: Path) -> Tenancy:
    try:
        return load_tenancy(path)
    except TenancyError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _write_accounts(tenancy: Tenancy, accounts: Path, passwords: Passwords) -> None:
    accounts.parent.mkdir(parents=True, exist_ok=True)
    accounts.write_text(accounts_conf(tenancy, passwords), encoding="utf-8")
    console.print(f"NATS accounts: {accounts} ({len(users_of(tenancy))} users)")


@nats_app.command("config")
def nats_config(
    tenancy: TenancyOption = TENANCY_FILE, accounts: AccountsOption = ACCOUNTS_FILE
) -> None:
    """Write the NATS accounts, users and permissions generated from the tenancy file."""
    settings = get_settings()
    _write_accounts(_load(tenancy), accounts, _passwords(settings))
    console.print(f"Passwords are kept in {settings.secrets_dir} (never commit them).")


@nats_app.command("users")
def nats_users(tenancy: TenancyOption = TENANCY_FILE) -> None:
    """List the NATS users and what each may publish and subscribe to."""
    table = Table(title="NATS users")
    for column in ("user", "publish", "subscribe"):
        table.add_column(column)
    for user in users_of(_load(tenancy)):
        perms = user.permissions or {}
        pub = perms.get("publish", {})
        sub = perms.get("subscribe", {})
        table.add_row(
            user.name,
            "anything" if not perms else _rules(pub),
            "anything" if not perms else _rules(sub),
        )
    console.print(table)


def _rules(rules: dict[str, list[str]]) -> str:
    allow = ", ".join(rules.get("allow", []))
    deny = ", ".join(rules.get("deny", []))
    return "\n".join(part for part in (allow, f"[red]deny {deny}[/red]" if deny else "") if part)


@county_app.command("onboard")
def county_onboard(
    code: Annotated[str, typer.Argument(help="The county's six-digit code.")],
    name: Annotated[str, typer.Option("--name", help="The county's name.")],
    tenancy: TenancyOption = TENANCY_FILE,
    accounts: AccountsOption = ACCOUNTS_FILE,
    k8s: Annotated[Path, typer.Option("--k8s", help="The kustomize root.")] = K8S_ROOT,
    declare: Annotated[
        bool, typer.Option("--declare/--no-declare", help="Declare streams on YANPEI_NATS_URL.")
    ] = True,
) -> None:
    """Add a county: tenancy entry, NATS users, overlay, streams and the province roll-up."""
    settings = get_settings()
    try:
        updated = _load(tenancy).with_county(code, name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    save_tenancy(updated, tenancy)
    _write_accounts(updated, accounts, _passwords(settings))
    console.print(f"Overlay: {write_overlay(code, name, k8s)}")
    if declare and settings.nats_url:
        declared = asyncio.run(_declare(settings.nats_url, updated))
        console.print(f"Streams: {', '.join(declared)}")
    elif declare:
        console.print("[yellow]YANPEI_NATS_URL unset: streams not declared[/yellow]")
    console.print(f"[green]County {code} {name} onboarded.[/green]")


async def _declare(url: str, tenancy: Tenancy) -> list[str]:
    nc = await connect(url, "yanpei-ops")
    try:
        js = nc.jetstream()
        names = await declare_streams(js)
        return [*names, await declare_province_stream(js, tenancy)]
    finally:
        await nc.close()


@county_app.command("list")
def county_list(tenancy: TenancyOption = TENANCY_FILE) -> None:
    """The counties of this deployment."""
    table = Table(title="Counties")
    table.add_column("code")
    table.add_column("name")
    for county in _load(tenancy).counties:
        table.add_row(county.code, county.name)
    console.print(table)


@agency_app.command("add")
def agency_add(
    name: Annotated[str, typer.Argument(help="The agency's short name, e.g. city-archive.")],
    counties: Annotated[str, typer.Option("--counties", help="Comma-separated county codes.")],
    events: Annotated[
        str,
        typer.Option("--events", help=f"Comma-separated contexts: {', '.join(PUBLIC_CONTEXTS)}."),
    ],
    tenancy: TenancyOption = TENANCY_FILE,
    accounts: AccountsOption = ACCOUNTS_FILE,
    server: Annotated[
        str, typer.Option("--server", help="The NATS URL the agency will use.")
    ] = "nats://nats.example.org:4222",
) -> None:
    """Issue subscribe-only credentials limited to the counties' public events."""
    settings = get_settings()
    try:
        agency = Agency(name=name, counties=_split(counties), contexts=_split(events))
        updated = _load(tenancy).with_agency(agency)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    save_tenancy(updated, tenancy)
    passwords = _passwords(settings)
    _write_accounts(updated, accounts, passwords)
    url = passwords.url(f"agency-{name}", server)
    subjects = [f"evt.{c}.{x}.>" for c in agency.counties for x in agency.contexts]
    console.print(f"Agency {name} may subscribe to: {', '.join(subjects)}; publish: nothing.")
    console.print(f"Its connection URL (hand it over privately): {url}")


def _split(values: str) -> list[str]:
    return [v.strip() for v in values.split(",") if v.strip()]


# ------------------------------------------------------------------------ backups


def backup(
    out: Annotated[Path, typer.Option("--out", help="A new directory for the backup.")],
    stream: Annotated[
        list[str] | None, typer.Option("--stream", help="Only this stream (repeatable).")
    ] = None,
) -> None:
    """Copy the event streams to a directory (one gzip JSON-lines file per stream)."""
    settings = _needs_nats()

    async def run() -> backups.BackupManifest:
        nc = await connect(settings.nats_url or "", "yanpei-backup")
        try:
            with phase_bars(console) as progress:
                return await backups.backup(nc, out, stream or None, progress)
        finally:
            await nc.close()

    try:
        manifest = asyncio.run(run())
    except backups.BackupError as exc:
        raise typer.BadParameter(str(exc)) from exc
    total = sum(s.messages for s in manifest.streams)
    console.print(
        f"[green]Backed up {total} messages of {len(manifest.streams)} streams to {out}[/green]"
    )


def restore(
    source: Annotated[Path, typer.Option("--from", help="A backup directory.")],
) -> None:
    """Restore the streams of a backup into a server where they are absent or empty."""
    settings = _needs_nats()

    async def run() -> backups.RestoreReport:
        nc = await connect(settings.nats_url or "", "yanpei-restore")
        try:
            with phase_bars(console) as progress:
                return await backups.restore(nc, source, progress)
        finally:
            await nc.close()

    try:
        report = asyncio.run(run())
    except backups.BackupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for restored in report.streams:
        console.print(f"{restored.name}: {restored.messages} messages, last #{restored.last_seq}")
    for name in report.skipped:
        console.print(f"{name}: already restored by an earlier run, left as it is")
    console.print(
        "[green]Restored.[/green] Projections on a fresh database catch up from the start; "
        "rebuild the others (their checkpoints match, the sequences are the originals)."
    )


def _needs_nats() -> Settings:
    settings = get_settings()
    if not settings.nats_url:
        raise typer.BadParameter("set YANPEI_NATS_URL to the NATS server holding the streams")
    return settings
