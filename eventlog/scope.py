"""Which county a running copy of a service answers for, when several share one NATS.

A deployment may run one copy of each service per county (a Kubernetes overlay per
county) against one shared NATS cluster. Those copies must not take each other's commands,
share each other's durable consumers (a projector deletes and recreates its own), or answer
each other's health requests. The composition root sets the scope once
(:func:`scoped_to`) before building the services; command intake, projection consumers and
health subjects read it. Unscoped (the default, and the single-process ``yanpei dev``), a
copy serves every county.

The projections of a scoped copy still read every county's public events: correct (events
of other counties are simply not asked about) at the price of some redundant work.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["current_county", "scoped_to"]

_COUNTY: ContextVar[str | None] = ContextVar("yanpei_county_scope", default=None)
_CODE = re.compile(r"^[0-9]{6}$")


def current_county() -> str | None:
    """The county this copy answers for; None: every county."""
    return _COUNTY.get()


@contextlib.contextmanager
def scoped_to(county: str | None) -> Iterator[None]:
    """Build and run services inside this block to scope them to ``county``."""
    if county is not None and not _CODE.fullmatch(county):
        raise ValueError(f"county scope must be a six-digit county code, not {county!r}")
    token = _COUNTY.set(county)
    try:
        yield
    finally:
        _COUNTY.reset(token)
