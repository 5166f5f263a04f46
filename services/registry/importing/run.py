"""An import from start to end: read, check, then send (or only report, in a preview)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from eventlog.commandbus import CommandClient
from services.registry.importing.checks import Known, check_rows
from services.registry.importing.planning import plan
from services.registry.importing.reading import RowError, read_file
from services.registry.importing.sending import Outcome, Progress, send_all
from services.registry.importing.sheets import SHEETS
from services.registry.queries import RegistryReader

__all__ = ["ImportReport", "import_file", "known_in"]


@dataclass
class ImportReport:
    """What an import found and did."""

    rows: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    commands: int = 0
    outcome: Outcome | None = None

    @property
    def sent(self) -> bool:
        """Whether any command was sent."""
        return self.outcome is not None

    @property
    def problems(self) -> list[RowError]:
        """Errors found before sending and refusals while sending, in file order."""
        refused = self.outcome.refused if self.outcome else []
        order = list(SHEETS)
        return sorted(
            [*self.errors, *refused],
            key=lambda e: (order.index(e.sheet) if e.sheet in order else -1, e.row, e.column),
        )


def known_in(reader: RegistryReader | None) -> Known:
    """What the registry holds now (nothing when there is no reader)."""
    if reader is None:
        return Known()
    try:
        ids = reader.current_ids()
    except (LookupError, DBAPIError):  # no views built yet (or no tables): an empty registry
        return Known()
    return Known(
        counties=set(ids["counties"]),
        schools=dict(ids["schools"]),
        teachers=dict(ids["teachers"]),
        communities=dict(ids["communities"]),
    )


async def import_file(
    path: Path,
    *,
    client: CommandClient | None,
    known: Known,
    kind: str | None = None,
    preview: bool = False,
    skip_invalid: bool = False,
    concurrency: int = 200,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path``: nothing is sent in a preview, nor when a row is invalid unless
    ``skip_invalid`` (then the valid rows are sent and the others reported)."""
    sheets, errors = read_file(path, kind)
    parsed, planned, row_errors = plan(sheets)
    errors += row_errors + check_rows(parsed, known)
    report = ImportReport({s.sheet.kind: len(s.rows) for s in sheets}, errors, len(planned))
    if preview or (errors and not skip_invalid) or client is None:
        return report
    invalid = {(e.sheet, e.row) for e in errors}
    chosen = [p for p in planned if (p.sheet, p.row) not in invalid]
    report.commands = len(chosen)
    report.outcome = await send_all(client, chosen, concurrency=concurrency, progress=progress)
    return report
