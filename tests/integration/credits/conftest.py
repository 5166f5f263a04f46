"""Fixtures for the credits service on a real NATS server and both databases.

Activities and the registry are played by their public events, appended straight to their
streams (credits learns of them only that way). Each test takes a county of its own; the
golden county-year (``tests/unit/credits/golden.py``) is moved into it, and so are the
510781 rule files.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from nats.aio.client import Client

from contracts.activities import v1 as act
from contracts.credits import v1 as cv1
from contracts.registry import v1 as reg
from eventlog.commandbus import CommandClient
from eventlog.reader import last_sequence
from eventlog.store import EventStore
from services.credits.app import CreditsService, build
from services.credits.cli import RULES_ENV
from services.credits.rules import CONFIG_DIR, PROPOSED_DIR, RuleBook, parse_rule_set
from tests.conftest import serve_nats
from tests.fixtures.nats import GivenNatsServer
from tests.support.waiting import eventually
from tests.unit.credits.golden import YEAR, golden_profiles, golden_records
from yanpei.natsserver import EmbeddedNatsServer

TODAY = date(2026, 12, 31)
_CODES = itertools.count(random.Random().randrange(910000, 980000, 100))


def new_county_code() -> str:
    """A 6-digit county code no other test of this session uses."""
    return f"{next(_CODES):06d}"


def rule_document(path: Path, county: str) -> dict[str, Any]:
    """A shipped 510781 rule file moved to ``county``."""
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {**document, "county_code": county}


def v1_book(county: str) -> RuleBook:
    """The shipped default rules, and 510781's v1 moved to ``county``."""
    v1 = parse_rule_set(rule_document(CONFIG_DIR / "510781-v1.yaml", county))
    default = parse_rule_set(yaml.safe_load((CONFIG_DIR / "default.yaml").read_text("utf-8")))
    return RuleBook([default, v1])


def v2_file(county: str, folder: Path) -> Path:
    """510781's proposed v2 rule file, moved to ``county``, written in ``folder``."""
    path = folder / f"{county}-v2.yaml"
    document = rule_document(PROPOSED_DIR / "510781-v2.yaml", county)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def moved(record: act.ParticipationRecord, county: str) -> act.ParticipationRecord:
    """A golden record in ``county``; ids prefixed so counties never share them."""
    return record.model_copy(
        update={
            "activity_county": county,
            "teacher_county": county,
            "activity_id": f"{county}-{record.activity_id}",
            "teacher_id": f"{county}-{record.teacher_id}",
            "school_id": f"{county}-{record.school_id}",
        }
    )


def recorded(record: act.ParticipationRecord) -> act.ParticipationRecorded:
    return act.ParticipationRecorded(
        activity_id=record.activity_id, county_code=record.activity_county, record=record
    )


async def publish_activities(nc: Client, records: Iterable[act.ParticipationRecord]) -> None:
    """Append ``ParticipationRecorded`` events as activities would (one aggregate each)."""
    store = EventStore(nc, "activities")
    for record in records:
        ref = store.ref(record.activity_county, "activity", record.activity_id)
        _, version = await store.load(ref)
        await store.append(ref, [recorded(record)], version)


def teacher_events(county: str) -> list[tuple[str, list[Any]]]:
    """The golden teachers' registry events, in ``county``."""
    items = []
    for teacher_id, profile in golden_profiles().items():
        tid = f"{county}-{teacher_id}"
        joined = profile.joined_on or date(2015, 9, 1)
        events: list[Any] = [
            reg.TeacherRegistered(
                county_code=county,
                teacher_id=tid,
                teacher_name=f"教师{teacher_id[-1]}",
                school_id=f"{county}-{profile.school_id}",
                stage=reg.SchoolStage.PRIMARY,
                subjects=["语文"],
                title=reg.TeacherTitle.FIRST_GRADE,
                hire_date=joined,
                effective_on=joined,
            )
        ]
        if profile.left_on:
            events.append(
                reg.TeacherRetired(
                    county_code=county,
                    teacher_id=tid,
                    effective_on=date.fromordinal(profile.left_on.toordinal() + 1),
                )
            )
        items.append((tid, events))
    return items


async def publish_registry(nc: Client, county: str) -> None:
    store = EventStore(nc, "registry")
    for teacher_id, events in teacher_events(county):
        ref = store.ref(county, "teacher", teacher_id)
        _, version = await store.load(ref)
        await store.append(ref, events, version)


async def publish_golden(nc: Client, county: str) -> list[act.ParticipationRecord]:
    """The golden county-year, registry first, in ``county``; returns its records."""
    await publish_registry(nc, county)
    records = [moved(r, county) for r in golden_records()]
    await publish_activities(nc, records)
    return records


async def hours_events(nc: Client, county: str, teacher_id: str, period: str) -> list[Any]:
    """The credits events of one teacher's period (its ``teacher_hours`` aggregate)."""
    store = EventStore(nc, "credits")
    ref = store.ref(county, "teacher_hours", cv1.teacher_hours_id(teacher_id, period))
    stored, _ = await store.load(ref)
    return [e.event for e in stored]


async def caught_up(service: CreditsService) -> bool:
    """Whether every live ledger has applied every stream to its end, totals refreshed."""
    assert service.nc is not None
    for runner in service.runners:
        generation = runner.live_generation()
        for context in runner.projection.contexts:
            end = await last_sequence(service.nc, f"EVT_{context.upper()}")
            if generation is None or runner.position(generation, context) < end:
                return False
    return True


@pytest.fixture(scope="package")
def nats_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedNatsServer | GivenNatsServer]:
    """A server of the credits tests' own. A ledger reads every county's participations (a
    teacher who moved keeps the hours earned elsewhere), so on the session's server each
    replay here would also read every semester the other packages played."""
    yield from serve_nats(pytestconfig, tmp_path_factory, "credits tests")


@pytest.fixture(scope="package")
def nats_url(nats_server: EmbeddedNatsServer | GivenNatsServer) -> str:
    return nats_server.url


@pytest.fixture
def code() -> str:
    return new_county_code()


@pytest.fixture
async def credits(nats_server, database_url: str, code: str) -> AsyncIterator[CreditsService]:
    """A running credits service with 510781's v1 rules moved to this test's county."""
    service = build(
        nats_url=nats_server.url,
        database_url=database_url,
        book=v1_book(code),
        publish_every=3600,  # once at start; tests publish with settle(), deterministically
        today=lambda: TODAY,
    )
    async with service:
        yield service


@pytest.fixture
def client(nc: Client) -> CommandClient:
    return CommandClient(nc, timeout=30)


def year_hours(credits: CreditsService, code: str) -> dict[str, object]:
    """The live hours of the golden year per teacher (ids without the county prefix)."""
    rows = credits.queries.totals_rows(code, "year", str(YEAR))
    return {r["teacher_id"].removeprefix(f"{code}-"): r["hours"] for r in rows}


async def settle(service: CreditsService) -> None:
    """Wait until the ledgers have caught up, then refresh totals and publish."""
    await eventually(lambda: caught_up(service), what="the ledgers to catch up")
    await service.publish()


@pytest.fixture
def operator_env(
    monkeypatch: pytest.MonkeyPatch, nats_server, database_url: str, code: str, tmp_path: Path
) -> Path:
    """The environment of an operator's shell, with the county's v1 rules."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "default.yaml").write_text((CONFIG_DIR / "default.yaml").read_text("utf-8"), "utf-8")
    moved = rule_document(CONFIG_DIR / "510781-v1.yaml", code)
    (rules / "v1.yaml").write_text(yaml.safe_dump(moved, allow_unicode=True), "utf-8")
    monkeypatch.setenv(RULES_ENV, str(rules))
    monkeypatch.setenv("YANPEI_DATABASE_URL", database_url)
    monkeypatch.setenv("YANPEI_NATS_URL", nats_server.url)
    monkeypatch.chdir(tmp_path)
    return tmp_path
