"""A chart of the distribution of teachers' hours per school (PNG, matplotlib's Agg)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt

__all__ = ["hours_chart"]


def hours_chart(
    by_school: Mapping[str, Sequence[Decimal]], target: Decimal | None, title: str, out: Path
) -> Path:
    """One box (and its points) per school, with the target as a line; written to ``out``."""
    schools = sorted(by_school)
    values = [[float(h) for h in by_school[s]] for s in schools]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.6 * len(schools) + 2), 4.5))
    try:
        if schools:
            axes.boxplot(values, tick_labels=schools, showmeans=True)
            for i, points in enumerate(values, start=1):
                axes.scatter([i] * len(points), points, s=8, alpha=0.5)
        if target is not None:
            axes.axhline(float(target), linestyle="--", color="red", label=f"target {target} h")
            axes.legend(loc="upper right")
        axes.set_title(title)
        axes.set_ylabel("hours")
        axes.tick_params(axis="x", labelrotation=45)
        figure.tight_layout()
        figure.savefig(out, dpi=100)
    finally:
        plt.close(figure)
    return out
