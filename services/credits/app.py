"""The credits service's composition root: its broker, command handlers and projections."""

from __future__ import annotations

from eventlog.service import Service

NAME = "credits"


def build(*, nats_url: str, database_url: str) -> Service:
    """The credits service, wired for the given NATS server and database."""
    return Service(NAME, NAME, nats_url=nats_url, database_url=database_url)
