"""The running service announces quotas by itself, on its timer (no one asks)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contracts.activities import v1
from eventlog.commandbus import CommandClient
from services.activities.app import TIME_ZONE, build
from services.activities.configuration import CountyConfig, Semester
from tests.fixtures.activities.registry import County, registry_events
from tests.integration.activities.conftest import caught_up, publish_registry, sample_config
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _ended_yesterday(code: str) -> tuple[CountyConfig, Semester]:
    """The sample configuration with one semester, which ended yesterday (the timer's today
    is the real one)."""
    today = datetime.now(TIME_ZONE).date()
    semester = Semester(
        key=f"{today.year}-autumn",
        starts_on=today - timedelta(days=120),
        ends_on=today - timedelta(days=1),
    )
    return sample_config(code).model_copy(update={"semesters": (semester,)}), semester


async def test_a_semester_that_ended_short_is_announced_unreachable_by_the_timer(
    nats_server, database_url, code, nc
):
    county = County(code)
    config, semester = _ended_yesterday(code)
    service = build(
        nats_url=nats_server.url,
        database_url=database_url,
        counties=[code],
        config=lambda _: config,
        announce_every=0.2,
    )
    async with service:
        await publish_registry(nc, code, registry_events(county))
        await eventually(lambda: caught_up(service), what="the registry facts")
        # One activity makes the county one with activities; C1 held none in the semester,
        # which has ended, so its exchange quota can no longer be met.
        request = v1.RequestActivity(
            activity_id=f"a{code}-timer",
            activity_kind="lecture",
            title="专题讲座",
            community_id=county.community(1),
            proposed_on=semester.starts_on + timedelta(days=30),
            requested_by="教研室",
        )
        assert (await CommandClient(nc, timeout=30).send(code, request)).ok
        assert service.store is not None
        ref = service.store.ref(
            code, "quota", f"community_exchange-{semester.key}-{county.community(1)}"
        )

        async def announced() -> bool:
            events, _ = await service.store.load(ref)  # type: ignore[union-attr]
            return bool(events)

        await eventually(announced, what="the timer's QuotaUnreachable")
        (stored,), _ = await service.store.load(ref)
        event = stored.event
        assert isinstance(event, v1.QuotaUnreachable)
        assert (event.done, event.required, event.per) == (0, 3, "community")
