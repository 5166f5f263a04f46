"""External training records (国培/省培/市培/县培, online courses) from CSV/XLSX.

Preview checks every row and writes nothing; apply sends one ``RecordExternalTraining``
per valid row, with a command id derived from the file's batch name and the record id, so
importing the same file again writes nothing twice. Bad rows are reported by row number.
"""

from __future__ import annotations

import asyncio
import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.activities import v1
from eventlog.commandbus import CommandClient

__all__ = ["COLUMNS", "ImportReport", "apply", "preview", "read_rows", "sign_in_sheet"]

COLUMNS = (
    "record_id",
    "teacher_id",
    "activity_kind",
    "activity_level",
    "title",
    "provider",
    "held_on",
    "minutes",
    "result",
    "certificate_ref",
    "issuer",
    "issued_on",
)
_NAMESPACE = uuid.UUID("6f1c1f0e-6a5b-4c8e-9d8e-0c8a3c1b7a11")


@dataclass
class ImportReport:
    """What an import found (and, when applied, what it wrote)."""

    valid: list[tuple[int, v1.RecordExternalTraining]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    written: int = 0
    duplicates: int = 0


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(sheet row number, values by column) of a .csv or .xlsx file; row 1 is the header."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                yield n, {k.strip(): (v.strip() or None) for k, v in row.items() if k}
        return
    from openpyxl import load_workbook  # only for a workbook: it is slow to import

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() for h in next(rows)]
    for n, values in enumerate(rows, start=2):
        yield n, {h: (None if v in ("", None) else v) for h, v in zip(header, values, strict=False)}


def _command(batch: str, n: int, row: dict[str, Any]) -> v1.RecordExternalTraining:
    certificate = None
    if row.get("certificate_ref"):
        certificate = v1.Certificate(
            certificate_ref=str(row["certificate_ref"]),
            issuer=str(row.get("issuer") or row.get("provider")),
            issued_on=row.get("issued_on"),
        )
    return v1.RecordExternalTraining(
        activity_id=str(row.get("record_id") or ""),
        import_batch=batch,
        row_number=n,
        activity_kind=row.get("activity_kind"),
        activity_level=row.get("activity_level"),
        title=row.get("title"),
        provider=row.get("provider"),
        teacher_id=str(row.get("teacher_id")),
        held_on=row.get("held_on"),
        minutes=row.get("minutes"),
        result=row.get("result"),
        certificate=certificate,
    )


def preview(path: Path, known_teacher: Callable[[str], bool], kinds: set[str]) -> ImportReport:
    """Check every row; write nothing."""
    report, seen = ImportReport(), set()
    for n, row in read_rows(path):
        try:
            cmd = _command(path.name, n, row)
        except ValidationError as exc:
            report.problems += [
                (n, f"{'.'.join(map(str, e['loc']))}: {e['msg']}") for e in exc.errors()
            ]
            continue
        problem = (
            f"unknown activity kind {cmd.activity_kind}"
            if cmd.activity_kind not in kinds
            else f"the registry knows no teacher {cmd.teacher_id}"
            if not known_teacher(cmd.teacher_id)
            else f"record {cmd.activity_id} appears twice"
            if cmd.activity_id in seen
            else None
        )
        seen.add(cmd.activity_id)
        if problem:
            report.problems.append((n, problem))
        else:
            report.valid.append((n, cmd))
    return report


async def apply(
    report: ImportReport, client: CommandClient, county: str, concurrency: int = 32
) -> ImportReport:
    """Send the valid rows of a previewed import; refusals join the problems by row."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int, cmd: v1.RecordExternalTraining) -> None:
        command_id = str(uuid.uuid5(_NAMESPACE, f"{county}/{cmd.activity_id}"))
        async with gate:
            reply = await client.send(county, cmd, command_id=command_id)
        if not reply.ok:
            report.problems.append((n, reply.error.message if reply.error else "refused"))
        elif reply.duplicate:
            report.duplicates += 1
        else:
            report.written += 1

    await asyncio.gather(*(one(n, cmd) for n, cmd in report.valid))
    report.problems.sort()
    return report


def _time(value: Any) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    return time.fromisoformat(str(value).strip())


def sign_in_sheet(path: Path) -> tuple[list[v1.SignInEntry], list[tuple[int, str]]]:
    """A sign-in sheet (columns teacher_id, signed_in_at, signed_out_at): lines and bad rows."""
    entries, problems = [], []
    for n, row in read_rows(path):
        try:
            entries.append(
                v1.SignInEntry(
                    teacher_id=str(row.get("teacher_id") or ""),
                    signed_in_at=_time(row.get("signed_in_at")),
                    signed_out_at=_time(row.get("signed_out_at")),
                )
            )
        except (ValidationError, ValueError) as exc:
            problems.append((n, str(exc).splitlines()[0]))
    return entries, problems
