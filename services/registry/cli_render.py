"""How the registry CLI shows things: import reports, answers, progress."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from services.registry.importing.reading import RowError
from services.registry.importing.run import ImportReport
from services.registry.importing.sending import Progress as OnProgress

__all__ = ["answer_table", "errors_table", "import_outcome", "import_summary", "progress_bar"]

ERROR_HEADERS = [("sheet", "表"), ("row", "行"), ("column", "列"), ("reason", "原因")]


def errors_table(errors: Sequence[RowError], limit: int = 200) -> Table:
    """Errors by row and column."""
    table = Table(title=f"错误 errors ({len(errors)})", show_lines=False)
    for key, zh in ERROR_HEADERS:
        table.add_column(f"{zh} {key}", style="red" if key == "reason" else None)
    for error in errors[:limit]:
        table.add_row(error.sheet, str(error.row), error.column, error.reason)
    if len(errors) > limit:
        table.caption = f"{len(errors) - limit} more: use --errors FILE to write them all"
    return table


def import_summary(report: ImportReport, preview: bool) -> Table:
    """Rows read per sheet."""
    table = Table(title="预览 preview" if preview else "导入 import")
    table.add_column("表 sheet")
    table.add_column("行 rows", justify="right")
    for sheet, rows in report.rows.items():
        table.add_row(sheet, str(rows))
    return table


def import_outcome(report: ImportReport, preview: bool) -> str:
    """One line: what was sent, or that nothing was written."""
    outcome = report.outcome
    if outcome is not None:
        return (
            f"{report.commands} commands: {outcome.written} accepted ({outcome.events} events), "
            f"{outcome.unchanged} unchanged, {len(outcome.refused)} refused"
        )
    if preview:
        return f"{report.commands} commands would be sent; nothing was written"
    return "[red]Nothing was written[/red]: fix the rows, or use --skip-invalid."


def answer_table(title: str, answer: BaseModel | None) -> Table:
    """An answer's fields, one per line (members or counts as nested lines)."""
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    if answer is None:
        table.add_row("-", "nothing on record for that date")
        return table
    for key, value in answer.model_dump(mode="json").items():
        table.add_row(key, _show(value))
    return table


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(_member(v) for v in value)
        return "、".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)


def _member(value: dict[str, Any]) -> str:
    parts = [value.get("member_kind", ""), value.get("member_id", ""), value.get("role", "")]
    return " ".join(str(p) for p in parts if p) + f" (since {value.get('since')})"


@contextmanager
def progress_bar(console: Console, what: str) -> Iterator[OnProgress]:
    """A progress bar; yields the callback that moves it."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
