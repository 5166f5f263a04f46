"""The service as ``yanpei`` builds it: the ticker reads contact data and erasures on its
own, and the health lists the planner."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from contracts.envelope import event_headers, format_time
from contracts.registry.internal import TeacherContactErased
from services.notify.app import build
from services.notify.tables import contacts
from tests.fixtures.notify.semester import Term, publish_contacts
from tests.integration.notify.conftest import config_for, fast_settings
from tests.support.waiting import eventually


async def erase(nc, term: Term, teacher: str) -> None:
    event = TeacherContactErased(teacher_id=teacher, county_code=term.code)
    headers = event_headers(
        id=f"erase-{teacher}",
        source=f"/yanpei/{term.code}/registry",
        type=event.wire_type(),
        subject=f"contact/{teacher}",
        time=format_time(datetime.now(UTC)),
        correlation_id="c",
        causation_id=None,
        command_id=None,
        trace={},
    )
    subject = f"int.{term.code}.registry.contact.{teacher}.TeacherContactErased"
    await nc.jetstream().publish(subject, event.model_dump_json().encode(), headers=headers)


def emails(notify) -> dict[str, str]:
    with notify.engine.connect() as tx:
        rows = tx.execute(select(contacts.c.teacher_id, contacts.c.email))
        return {row.teacher_id: row.email for row in rows}


async def test_the_ticker_keeps_contact_data_and_applies_erasures(
    nats_server, nc, contact_stream, database_url, code, sink
):
    term = Term(code)
    teachers = [term.teacher("L", n) for n in range(3)]
    await publish_contacts(nc, term, teachers)
    settings = fast_settings(sink, tick_seconds=0.1)
    notify = build(
        nats_url=nats_server.url,
        database_url=database_url,
        counties=[code],
        config=config_for({"quiet_hours": None}),
        settings=settings,
    )
    async with notify:
        await eventually(lambda: len(emails(notify)) == 3, what="contacts read")
        assert emails(notify)[teachers[0]] == term.email(teachers[0])
        await erase(nc, term, teachers[1])
        await eventually(lambda: teachers[1] not in emails(notify), what="the erasure applied")
        health = await notify.health()
        assert "notify_planner" in health.projections and health.status == "ok"
