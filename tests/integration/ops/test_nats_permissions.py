"""The NATS users generated from the tenancy file, on a real nats-server started with them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts.activities.v1 import ActivityHeld
from contracts.registry.v1 import CountyRegistered
from eventlog import NEW, EventStore
from eventlog.streams import declare_streams
from tests.support.waiting import eventually
from yanpei.natsserver import EmbeddedNatsServer
from yanpei.ops.natsconfig import OPERATOR, Passwords, accounts_conf
from yanpei.ops.province import declare_province_stream, province_stream_name
from yanpei.ops.tenancy import Agency, County, Tenancy

pytestmark = pytest.mark.integration

TENANCY = Tenancy(
    counties=[County(code="510781", name="江油市"), County(code="510722", name="三台县")],
    agencies=[Agency(name="city-archive", counties=["510781"], contexts=["registry"])],
)


@pytest.fixture
async def secured(tmp_path: Path) -> AsyncIterator[tuple[str, Passwords]]:
    """A nats-server running the generated accounts; its URL and the passwords."""
    passwords = Passwords(tmp_path / "secrets")
    server = EmbeddedNatsServer(tmp_path / "data", extra_config=accounts_conf(TENANCY, passwords))
    async with server:
        yield server.url, passwords


async def _connect(url: str, passwords: Passwords, user: str, errors: list[str]) -> Client:
    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    return await nats.connect(
        passwords.url(user, url), error_cb=on_error, allow_reconnect=False, name=user
    )


async def _listen(nc: Client, subject: str) -> list[str]:
    heard: list[str] = []

    async def on_message(msg: Msg) -> None:
        heard.append(msg.subject)

    await nc.subscribe(subject, cb=on_message)
    await nc.flush()
    return heard


def _county(code: str) -> CountyRegistered:
    return CountyRegistered(
        county_code=code,
        county_name=f"县{code}",
        city="绵阳市",
        province="四川省",
        effective_on=date(2026, 1, 1),
    )


def _held(code: str) -> ActivityHeld:
    return ActivityHeld(activity_id="a1", county_code=code, held_on=date(2026, 3, 2))


async def test_an_agency_hears_its_counties_public_events_only_and_publishes_nothing(secured):
    url, passwords = secured
    errors: list[str] = []
    operator = await _connect(url, passwords, OPERATOR, errors)
    agency = await _connect(url, passwords, "agency-city-archive", errors)
    try:
        await declare_streams(operator.jetstream())
        heard = await _listen(agency, "evt.510781.registry.>")
        too_wide = await _listen(agency, "evt.>")
        everything = await _listen(operator, ">")
        registry = EventStore(operator, "registry")
        for code in ("510781", "510722"):
            await registry.append(registry.ref(code, "county", code), [_county(code)], NEW)
        activities = EventStore(operator, "activities")
        await activities.append(activities.ref("510781", "activity", "a1"), [_held("510781")], NEW)
        await operator.publish("int.510781.registry.contact.t1.TeacherContactRecorded", b"{}")
        await agency.publish("evt.510781.registry.county.510781.Forged", b"{}")
        await agency.publish("cmd.510781.registry.RegisterCounty", b"{}")
        await agency.flush()
        await eventually(lambda: _has(everything, "TeacherContactRecorded"), what="the last one")
        assert heard == ["evt.510781.registry.county.510781.CountyRegistered"]
        assert too_wide == []
        assert not _has(everything, "Forged") and not _has(everything, "RegisterCounty")
        expected = (
            'subscription to "evt.>"',
            'publish to "evt.510781.registry',
            'publish to "cmd.510781',
        )

        def reported() -> bool:  # the server's -ERR reaches the error callback asynchronously
            violations = [e.lower() for e in errors if "permissions violation" in e.lower()]
            return all(any(x in v for v in violations) for x in expected)

        await eventually(reported, what="the three permission violations")
    finally:
        await agency.close()
        await operator.close()


def _has(subjects: list[str], ending: str) -> bool:
    return any(s.endswith(ending) for s in subjects)


async def test_a_service_publishes_its_own_context_and_not_another(secured):
    url, passwords = secured
    errors: list[str] = []
    operator = await _connect(url, passwords, OPERATOR, errors)
    registry_user = await _connect(url, passwords, "registry", errors)
    try:
        await declare_streams(operator.jetstream())
        own = EventStore(registry_user, "registry")
        written = await own.append(own.ref("510781", "county", "510781"), [_county("510781")], NEW)
        assert written.version == 1
        everything = await _listen(operator, "evt.>")
        await registry_user.publish("evt.510781.activities.activity.a1.ActivityHeld", b"{}")
        await registry_user.publish("evt.510781.credits.teacher_hours.t1.Forged", b"{}")
        await operator.publish("evt.510781.system.probe.p1.Marker", b"{}")
        await eventually(lambda: _has(everything, "Marker"), what="the operator's marker")
        await registry_user.flush()
        assert everything == ["evt.510781.system.probe.p1.Marker"]
        violations = [e for e in errors if "permissions violation" in e.lower()]
        assert len(violations) == 2
        with pytest.raises(nats.errors.TimeoutError):  # the request is dropped, unanswered
            await registry_user.jetstream(timeout=1).delete_stream("EVT_ACTIVITIES")
        assert (await operator.jetstream().stream_info("EVT_ACTIVITIES")).config.name
    finally:
        await registry_user.close()
        await operator.close()


async def test_the_province_roll_up_sources_both_counties(secured):
    url, passwords = secured
    operator = await _connect(url, passwords, OPERATOR, [])
    try:
        js = operator.jetstream()
        await declare_streams(js)
        name = await declare_province_stream(js, TENANCY)
        registry = EventStore(operator, "registry")
        for code in ("510781", "510722", "999999"):
            await registry.append(registry.ref(code, "county", code), [_county(code)], NEW)
        activities = EventStore(operator, "activities")
        await activities.append(activities.ref("510722", "activity", "a1"), [_held("510722")], NEW)

        async def sourced() -> int:
            return int((await js.stream_info(name)).state.messages)

        await eventually(lambda: _at_least(sourced, 3), what="the roll-up to source 3 events")
        counties = {m.subject.split(".")[1] for m in await _all(js, name)}
        assert name == province_stream_name(TENANCY)
        assert counties == {"510781", "510722"}
        assert await sourced() == 3
    finally:
        await operator.close()


async def _at_least(count, wanted: int) -> bool:
    return await count() >= wanted


async def _all(js, stream: str) -> list[Msg]:
    info = await js.stream_info(stream)
    return [
        await js.get_msg(stream, seq)
        for seq in range(info.state.first_seq, info.state.last_seq + 1)
    ]
