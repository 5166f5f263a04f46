"""The activities service's composition root: its broker, command handlers and projections."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from eventlog.service import Service
from services.activities.configuration import CountyConfig, load_county
from services.activities.facts import Registry
from services.activities.handlers import Handlers
from services.activities.queries import ActivityQueries
from services.activities.registry_view import RegistryFacts
from services.activities.views import ActivityViews

NAME = "activities"


def build(
    *,
    nats_url: str,
    database_url: str,
    counties: Iterable[str] | None = None,
    config: Callable[[str], CountyConfig] | None = None,
) -> Service:
    """The activities service, wired for the given NATS server and database.

    ``counties`` limits the views to those counties (tests sharing a server); ``config``
    gives a county's configuration (default: the files under ``config/``). Once started,
    ``service.queries`` (an :class:`ActivityQueries`) answers queries and reports.
    """
    service = Service(NAME, NAME, nats_url=nats_url, database_url=database_url)
    chosen = list(counties) if counties else None
    facts, views = RegistryFacts(chosen), ActivityViews(chosen)
    service.projections.extend([facts, views])
    config_for = config or cache(load_county)

    def wire(svc: Service) -> None:
        assert svc.engine is not None
        registry = Registry(svc.engine, facts)
        Handlers(svc, registry, config_for).register_all()
        svc.queries = ActivityQueries(svc.engine, views, registry, config_for)  # type: ignore[attr-defined]

    service.on_start(wire)
    return service
