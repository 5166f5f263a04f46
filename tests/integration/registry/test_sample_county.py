"""A sample county imported from XLSX, once per database: answers as of two dates,
re-import, rebuild. (52 + 12 schools, 2,100 teachers, 7 communities, 33 transfers.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from nats.aio.client import Client
from sqlalchemy import select

from contracts.registry.queries import CountySummaryQuery, TeacherSchoolQuery
from eventlog import connect
from eventlog.commandbus import CommandClient
from eventlog.projection import ProjectionRunner
from eventlog.service import Service
from services.registry.app import build
from services.registry.exporting import reader_for
from services.registry.importing.run import ImportReport, import_file, known_in
from services.registry.queries import RegistryReader
from services.registry.query_api import ask
from tests.fixtures.registry.generate import sample_county
from tests.fixtures.registry.sample import AFTER, BEFORE, Sample
from tests.integration.registry.conftest import log_end, new_county_code, views_caught_up
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
DAYS = (BEFORE, AFTER)


@dataclass
class Imported:
    sample: Sample
    service: Service
    nc: Client
    client: CommandClient
    reader: RegistryReader
    report: ImportReport
    seconds: float


@pytest.fixture(scope="module")
async def imported(nats_server, module_database_url, tmp_path_factory) -> AsyncIterator[Imported]:
    sample = sample_county(new_county_code(), new_county_code())
    path = sample.write(tmp_path_factory.mktemp("sample") / "sample.xlsx")
    counties = (sample.home, sample.other)
    async with build(
        nats_url=nats_server.url, database_url=module_database_url, counties=counties
    ) as service:
        assert service.engine is not None
        nc = await connect(nats_server.url, "registry-sample-tests")
        client = CommandClient(nc, timeout=60)
        reader = reader_for(service.engine)
        started = time.perf_counter()
        report = await import_file(path, client=client, known=known_in(reader))
        seconds = time.perf_counter() - started
        await eventually(lambda: views_caught_up(service), timeout=120, what="the views")
        yield Imported(sample, service, nc, client, reader, report, seconds)
        await nc.close()


def test_the_sample_imports_without_a_refusal(imported: Imported):
    report = imported.report
    assert report.problems == []
    assert report.rows["teachers"] == 2100 and report.rows["schools"] == 64
    assert report.outcome is not None and report.outcome.unchanged == 0
    assert report.outcome.written == report.commands


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_each_transferred_teachers_school_is_the_one_of_that_date(imported: Imported, day):
    sample, reader = imported.sample, imported.reader
    moved = [t["teacher_id"] for t in sample.rows("transfers")]
    answers = {t: reader.teacher_school(t, day) for t in moved}
    assert {t: a.school_id if a else None for t, a in answers.items()} == {
        t: sample.school_of(t, day) for t in moved
    }


def test_the_schools_of_transferred_teachers_differ_between_the_dates(imported: Imported):
    moved = [t["teacher_id"] for t in imported.sample.rows("transfers")]
    changed = [
        t
        for t in moved
        if imported.reader.teacher_school(t, BEFORE) != imported.reader.teacher_school(t, AFTER)
    ]
    assert changed == moved


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_community_members_are_those_of_the_date(imported: Imported, day):
    sample, reader = imported.sample, imported.reader
    for community in sample.rows("communities"):
        cid = community["community_id"]
        view = reader.community(cid, day)
        assert view is not None, cid
        found = {
            (m.member_kind, m.station_id if m.member_kind == "station" else m.member_id)
            for m in view.members
        }
        assert found == sample.members(cid, day), cid


def test_memberships_changed_exactly_where_the_history_says(imported: Imported):
    sample = imported.sample
    changed = {
        c["community_id"]
        for c in sample.rows("communities")
        if sample.members(c["community_id"], BEFORE) != sample.members(c["community_id"], AFTER)
    }
    one_plus_n = sample.community("county_one_plus_n")
    studio = sample.community("master_teacher_studio")
    assert changed == {one_plus_n, studio}
    before = imported.reader.community(one_plus_n, BEFORE)
    after = imported.reader.community(one_plus_n, AFTER)
    assert before is not None and after is not None
    assert {m.member_id for m in before.members} ^ {m.member_id for m in after.members} == {
        f"{sample.home}0033",
        f"{sample.home}0034",
    }


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_county_summaries_count_what_held_on_the_date(imported: Imported, day):
    sample = imported.sample
    for county in (sample.home, sample.other):
        summary = imported.reader.county_summary(county, day)
        assert summary.teachers == sample.county_teachers(county, day), county
    home = imported.reader.county_summary(sample.home, day)
    assert home.schools == (52 if day == BEFORE else 51)
    assert home.communities_by_kind == dict.fromkeys(
        (c["community_kind"] for c in sample.rows("communities")), 1
    )


def test_teachers_leaving_the_county_lose_its_roles_and_studio_unless_kept(imported: Imported):
    sample, reader = imported.sample, imported.reader
    out = [t for t in sample.rows("transfers") if t["to_county"] != t["county_code"]]
    lost, kept = [t for t in out if not t["keep_roles"]], [t for t in out if t["keep_roles"]]
    for move in lost:
        before = reader.teacher(move["teacher_id"], BEFORE)
        after = reader.teacher(move["teacher_id"], AFTER)
        assert before is not None and before.roles and after is not None
        assert (after.roles, after.county_code) == ([], sample.other)
    group = reader.community(sample.community("subject_group"), AFTER)
    assert group is not None
    assert kept[0]["teacher_id"] in {m.member_id for m in group.members}


async def test_queries_over_request_reply_give_the_readers_answers(imported: Imported):
    sample, nc = imported.sample, imported.nc
    move = sample.rows("transfers")[-1]
    for day in DAYS:
        school = await ask(
            nc,
            sample.home,
            "TeacherSchool",
            TeacherSchoolQuery(teacher_id=move["teacher_id"], on=day),
        )
        assert school["school_id"] == sample.school_of(move["teacher_id"], day)
        summary = await ask(nc, sample.home, "CountySummary", CountySummaryQuery(on=day))
        expected = imported.reader.county_summary(sample.home, day)
        assert summary == expected.model_dump(mode="json")


async def test_reimporting_the_same_file_writes_no_event(imported: Imported, tmp_path):
    path = imported.sample.write(tmp_path / "again.xlsx")
    before = await log_end(imported.nc)
    report = await import_file(path, client=imported.client, known=known_in(imported.reader))
    assert await log_end(imported.nc) == before
    assert report.problems == []
    assert report.outcome is not None
    assert (report.outcome.written, report.outcome.unchanged) == (0, report.commands)


async def test_contact_data_is_on_the_internal_stream_only(imported: Imported):
    phones = [t["phone"] for t in imported.sample.rows("teachers") if t["phone"]]
    public = await _bodies(imported.nc, "EVT_REGISTRY", f"evt.{imported.sample.home}.registry.>")
    internal = await _bodies(imported.nc, "INT_REGISTRY", f"int.{imported.sample.home}.registry.>")
    assert not any(p.encode() in body for body in public for p in phones[:50])
    assert sum(any(p.encode() in body for p in phones[:50]) for body in internal) == 50


async def _bodies(nc: Client, stream: str, subject: str) -> list[bytes]:
    from eventlog.reader import read_batches

    return [
        e.data async for batch in read_batches(nc, stream, subject_filter=subject) for e in batch
    ]


async def test_rebuilt_views_equal_the_live_ones(imported: Imported):
    service = imported.service
    assert service.nc is not None and service.engine is not None
    for runner in service.runners:
        live = runner.live_generation()
        report = await ProjectionRunner(service.nc, service.engine, runner.projection).rebuild()
        assert report.previous == live
        for name in runner.projection.tables(report.generation):
            old = await asyncio.to_thread(_rows, service, runner, live, name)
            new = await asyncio.to_thread(_rows, service, runner, report.generation, name)
            assert old == new and old, f"{runner.name}.{name}"


def _rows(service: Service, runner: ProjectionRunner, generation: int, name: str) -> list[tuple]:
    table = runner.projection.tables(generation)[name]
    assert service.engine is not None
    with service.engine.connect() as tx:
        return sorted(tuple(r) for r in tx.execute(select(table)))
