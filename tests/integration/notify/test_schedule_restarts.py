"""Dated reminders survive restarts: a window planned across a restart fires each reminder
once, and a window planned again fires nothing twice."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from services.notify.tables import deliveries
from tests.fixtures.notify.semester import Term, publish_registry
from tests.integration.notify.conftest import caught_up, fast_settings
from tests.support.waiting import eventually


def settings_for(term: Term, today) -> dict[str, object]:
    """A reminder every day at 09:00 (a deadline each day, on the day) to every school."""
    days = [str(today + timedelta(days=n)) for n in range(1, 6)]
    return {
        "quiet_hours": None,
        "activity_reminders": [],
        "materials_deadlines": [],
        "subscriptions": [],
        "reminders": [
            {
                "id": f"d{n}",
                "title": {"zh": "日报"},
                "deadline": {"on": day},
                "days_before": [0],
                "audience": {"all_schools": True},
            }
            for n, day in enumerate(days)
        ],
    }


def reminders(notify) -> list[tuple[str, str]]:
    d = deliveries
    with notify.engine.connect() as tx:
        query = select(d.c.cause_id, d.c.recipient).where(d.c.kind == "deadline_reminder")
        return sorted((row.cause_id, row.recipient) for row in tx.execute(query))


async def test_reminders_due_while_notify_was_down_fire_once_after_the_restart(
    nc, notify_factory, code, sink, clock
):
    term = Term(code)
    today = clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
    extra = settings_for(term, today)
    first = await notify_factory(code, extra, fast_settings(sink), clock)
    await publish_registry(nc, term)
    await eventually(lambda: caught_up(first), what="the planner to read the registry")
    first.ticker.run(clock())
    clock.offset = timedelta(days=2)
    first.ticker.run(clock())
    before = reminders(first)
    await first.stop()

    clock.offset = timedelta(days=4)  # two days pass while notify is down
    second = await notify_factory(code, extra, fast_settings(sink), clock)
    second.ticker.run(clock())
    second.ticker.run(clock())  # the same moment again: nothing new
    after = reminders(second)
    with second.engine.connect() as tx:
        total = tx.execute(select(func.count()).select_from(deliveries)).scalar()

    days_fired = {cause for cause, _ in after}
    assert len(days_fired) == 4, "deadlines on days 1–4 fired, day 5 is still ahead"
    assert set(before) < set(after)
    assert len(after) == len(set(after)) == 4 * 4, "four schools, once each"
    assert total == len(after)
