"""Operations the CLI runs against the running system: imports and rebuilds."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sqlalchemy import Engine

from eventlog.commandbus import CommandClient
from eventlog.connection import connect
from eventlog.projection import ProjectionRunner
from eventlog.store import EventStore
from services.registry.contacts.book import ContactBook
from services.registry.exporting import reader_for
from services.registry.importing.run import ImportReport, import_file, known_in
from services.registry.importing.sending import Progress
from services.registry.views.projections import registry_views

__all__ = ["import_with_client", "rebuild_all"]


async def import_with_client(
    path: Path,
    engine: Engine,
    nats_url: str | None,
    *,
    kind: str | None = None,
    preview: bool = False,
    skip_invalid: bool = False,
    concurrency: int = 200,
    progress: Callable[[], AbstractContextManager[Progress]] | None = None,
) -> ImportReport:
    """Check ``path`` against the registry in ``engine``; send it unless previewing."""
    known = known_in(reader_for(engine))
    if nats_url is None or preview:
        return await import_file(path, client=None, known=known, kind=kind, preview=True)
    nc = await connect(nats_url, "yanpei-registry-import")
    try:
        with progress() if progress else nullcontext(None) as update:
            return await import_file(
                path,
                client=CommandClient(nc, timeout=60),
                known=known,
                kind=kind,
                skip_invalid=skip_invalid,
                concurrency=concurrency,
                progress=update,
            )
    finally:
        await nc.close()


async def rebuild_all(nats_url: str, engine: Engine) -> list[str]:
    """Rebuild every registry view (blue/green) and the contacts table; one line each."""
    nc = await connect(nats_url, "yanpei-registry-rebuild")
    lines = []
    try:
        for view in registry_views():
            report = await ProjectionRunner(nc, engine, view).rebuild()
            lines.append(
                f"{view.name}: generation {report.generation} from {report.events} events "
                f"in {report.seconds:.1f}s; rows (old, new) {report.rows}"
            )
        contacts = ContactBook(nc, EventStore(nc, "registry"), engine)
        lines.append(f"registry_contacts: {await contacts.rebuild()} events applied")
    finally:
        await nc.close()
    return lines
