"""The notify service's composition root: its broker, command handlers and projections."""

from __future__ import annotations

from eventlog.service import Service

NAME = "notify"


def build(*, nats_url: str, database_url: str) -> Service:
    """The notify service, wired for the given NATS server and database."""
    return Service(NAME, NAME, nats_url=nats_url, database_url=database_url)
