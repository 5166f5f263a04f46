"""Quota announcements: ``QuotaMet`` once a quota is reached, ``QuotaUnreachable`` once its
period has ended short. One aggregate per quota, period and subject, written only when new
(expected version 0), so announcing again, from any number of processes, writes nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date

from contracts.activities import v1
from eventlog.store import NEW, Conflict, EventStore
from services.activities.configuration import CountyConfig
from services.activities.domain.quotas import QuotaLine, QuotaState, days_to_check
from services.activities.queries import ActivityQueries

__all__ = ["announce_due", "announce_quotas"]


def _event(county: str, line: QuotaLine) -> v1.QuotaMet | v1.QuotaUnreachable:
    kind = v1.QuotaMet if line.state is QuotaState.MET else v1.QuotaUnreachable
    return kind(
        county_code=county,
        quota_id=line.quota_id,
        period=line.period,
        subject_id=line.subject_id,
        done=line.done,
        required=line.required,
        per=str(line.per),
        stage=line.stage,
    )


async def announce_quotas(store: EventStore, county: str, lines: Iterable[QuotaLine]) -> int:
    """Announce every met or missed line not announced before; returns how many were new."""
    written = 0
    for line in lines:
        if line.state is QuotaState.OPEN:
            continue
        ref = store.ref(county, "quota", f"{line.quota_id}-{line.period}-{line.subject_id}")
        try:
            result = await store.append(
                ref, [_event(county, line)], NEW, command_id=f"quota-{ref.id}"
            )
        except Conflict:
            continue  # announced before
        written += 0 if result.duplicate else 1
    return written


async def announce_due(
    store: EventStore,
    queries: ActivityQueries,
    config_for: Callable[[str], CountyConfig],
    today: date,
) -> int:
    """Announce, in every county with activities, what is met now or missed in a past period.

    The activities service runs this on a timer (``build(announce_every=...)``), so met and
    unreachable quotas are announced without anyone asking; announcing is idempotent.
    """
    written = 0
    for county in await asyncio.to_thread(queries.counties):
        for day in days_to_check(config_for(county), today):
            lines = await asyncio.to_thread(queries.quota_report, county, day, today)
            written += await announce_quotas(store, county, lines)
    return written
