"""Progress bars for long work (imports, semesters, backups, replays), one per phase."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["phase_bars", "single_bar"]

_COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)


@contextmanager
def phase_bars(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """Yields ``update(phase, done, total)``: one bar per phase (per stream, say)."""
    with Progress(*_COLUMNS, console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield update


@contextmanager
def single_bar(console: Console, what: str) -> Iterator[Callable[[int, int], None]]:
    """Yields ``update(done, total)`` for one bar labelled ``what``."""
    with phase_bars(console) as update:
        yield lambda done, total: update(what, done, total)
