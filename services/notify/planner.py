"""The planner: a projection that keeps the directory and plans notifications from events.

Rows of the directory, planned deliveries (``notify_deliveries``) and the checkpoint are
written in one transaction, so every event is planned exactly once; a re-planned key (a
rebuild, two runners) is ignored by the ledger. Events older than the county's
``event_max_age_days`` when first read update the directory but plan nothing: a notify
service deployed on an old log does not announce last year's activities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, MetaData, Table

from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from services.notify.directory import define_tables, write
from services.notify.lookups import Directory
from services.notify.planning import PLANNERS, Plan, plans_for
from services.notify.routing import Router
from services.notify.tables import Buffered, deliveries, insert_new

__all__ = ["NotifyPlanner"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class NotifyPlanner(Projection):
    """Directory of schools, teachers, communities and activities; plans from events."""

    name = "notify_planner"
    contexts = ("registry", "activities", "credits")

    def __init__(
        self, router: Router, counties: Iterable[str] | None = None, clock: Clock = utc_now
    ) -> None:
        super().__init__()
        self.router = router
        self.counties = frozenset(counties) if counties else None
        self.clock = clock
        self.planned = 0

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return define_tables(metadata, suffix)

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        buffered = Buffered(tx)
        directory = Directory(buffered, tables)
        now = self.clock()
        plans: list[Plan] = []
        for stored in events:
            county = stored.ref.county
            if self.counties is not None and county not in self.counties:
                continue
            event = stored.event
            write(buffered, tables, event)
            directory.forget(event)
            if self._fresh(stored, county, now):
                plans.extend(plans_for(directory, event, stored.id))
        buffered.flush()
        rows = self.router.rows(plans, now)
        insert_new(tx, deliveries, rows)
        self.planned += len(rows)

    def _fresh(self, stored: StoredEvent, county: str, now: datetime) -> bool:
        if type(stored.event) not in PLANNERS:
            return False
        age = timedelta(days=self.router.config_for(county).event_max_age_days)
        return now - recorded_at(stored) <= age


def recorded_at(stored: StoredEvent) -> datetime:
    """When the event was recorded (``ce-time``), without validating the whole envelope."""
    text = stored.headers.get("ce-time")
    if not text:
        return stored.time  # raises the envelope's own error
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
