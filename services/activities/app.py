"""The activities service's composition root: its broker, command handlers and projections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from zoneinfo import ZoneInfo

from eventlog.intake import CommandIntake
from eventlog.service import Service
from services.activities.announcing import announce_due
from services.activities.configuration import CONFIG_DIR, CountyConfig, load_county
from services.activities.facts import Registry
from services.activities.handlers import Handlers
from services.activities.queries import ActivityQueries
from services.activities.registry_view import RegistryFacts
from services.activities.views import ActivityViews

NAME = "activities"
COMMAND_WORKERS = 64
"""Commands an instance handles at once (see eventlog.intake)."""
ANNOUNCE_EVERY = 3600.0
"""Seconds between two looks for quotas met or missed (QuotaMet / QuotaUnreachable)."""
TIME_ZONE = ZoneInfo("Asia/Shanghai")


class ActivitiesService(Service):
    """The activities :class:`Service`, with its queries once started."""

    _queries: ActivityQueries | None = None

    @property
    def queries(self) -> ActivityQueries:
        """Calendar, activity, checklists and quota report (after ``start``)."""
        assert self._queries is not None, "the service has not started"
        return self._queries


def build(
    *,
    nats_url: str,
    database_url: str,
    counties: Iterable[str] | None = None,
    config: Callable[[str], CountyConfig] | None = None,
    announce_every: float | None = ANNOUNCE_EVERY,
    config_dir: Path | None = None,
) -> ActivitiesService:
    """The activities service, wired for the given NATS server and database.

    ``counties`` limits the views to those counties (tests sharing a server); ``config``
    gives a county's configuration (default: the files under ``config/``); every
    ``announce_every`` seconds (None: never) met and missed quotas are announced;
    ``config_dir`` replaces the shipped ``config/`` folder (a mounted ConfigMap). Once
    started, ``service.queries`` answers queries and reports.
    """
    service = ActivitiesService(NAME, NAME, nats_url=nats_url, database_url=database_url)
    chosen = list(counties) if counties else None
    facts, views = RegistryFacts(chosen), ActivityViews(chosen)
    service.projections.extend([facts, views])
    config_for = config or cache(partial(load_county, config_dir=config_dir or CONFIG_DIR))
    service.on_start(_wiring(service, facts, views, config_for))
    if announce_every is not None:
        service.every(announce_every, _announcer(service, config_for), "quota announcements")
    return service


def _wiring(
    service: ActivitiesService,
    facts: RegistryFacts,
    views: ActivityViews,
    config_for: Callable[[str], CountyConfig],
) -> Callable[[Service], Awaitable[None]]:
    """On start: the command handlers on their intake, then the queries."""

    async def wire(svc: Service) -> None:
        assert svc.engine is not None and svc.nc is not None
        registry = Registry(svc.engine, facts)
        intake = CommandIntake(NAME, COMMAND_WORKERS)
        Handlers(svc, registry, config_for).register_all(intake)
        await intake.start(svc.nc)
        service._queries = ActivityQueries(svc.engine, views, registry, config_for)

    return wire


def _announcer(
    service: ActivitiesService, config_for: Callable[[str], CountyConfig]
) -> Callable[[Service], Awaitable[None]]:
    """Each time: announce what is met today or was missed in a period ended lately."""

    async def announce(svc: Service) -> None:
        assert svc.store is not None
        today = datetime.now(TIME_ZONE).date()
        await announce_due(svc.store, service.queries, config_for, today)

    return announce
