"""A semester of the sample county through the command bus, once per database.

303 held activities of five kinds across five communities (plus 5 cancelled), 5,253
sign-ins, materials and assessments, sent concurrently (bounded). Partner school P41 moves
from community C4 to C5 on 15 Nov 2025, and researcher R1 joins C2 in person on 20 Oct,
both recorded before the semester is driven.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from contracts.activities import v1
from contracts.registry import v1 as reg
from contracts.replies import CommandReply
from eventlog import connect
from eventlog.commandbus import CommandClient
from eventlog.service import Service
from services.activities.announcing import announce_due, announce_quotas
from services.activities.app import ActivitiesService, build
from services.activities.cli import app
from tests.fixtures.activities.registry import (
    MOVE_ON,
    County,
    membership_move,
    registry_events,
    researcher_joins,
)
from tests.fixtures.activities.semester import Plan, semester
from tests.integration.activities.conftest import (
    caught_up,
    new_county_code,
    publish_registry,
    sample_config,
    send_all,
)
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CONCURRENCY = 48


@dataclass
class Semester:
    county: County
    plans: list[Plan]
    replies: dict[str, list[CommandReply]]
    service: ActivitiesService
    seconds: float


async def _drive(
    client: CommandClient, code: str, plans: list[Plan]
) -> dict[str, list[CommandReply]]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(plan: Plan) -> tuple[str, list[CommandReply]]:
        async with gate:
            return plan.activity_id, await send_all(client, code, plan.commands)

    return dict(await asyncio.gather(*(one(p) for p in plans)))


@pytest.fixture(scope="module")
async def run(nats_server, module_database_url) -> AsyncIterator[Semester]:
    county = County(new_county_code())
    service = build(
        nats_url=nats_server.url,
        database_url=module_database_url,
        counties=[county.code],
        config=sample_config,
        announce_every=None,  # the tests announce explicitly, at dates of their choosing
    )
    async with service:
        nc = await connect(nats_server.url, "activities-semester-tests")
        await publish_registry(nc, county.code, registry_events(county))
        await publish_registry(nc, county.code, membership_move(county))
        await publish_registry(nc, county.code, researcher_joins(county))
        await eventually(lambda: caught_up(service), timeout=60, what="the registry facts")
        plans = semester(county)
        started = time.perf_counter()
        replies = await _drive(CommandClient(nc, timeout=60), county.code, plans)
        seconds = time.perf_counter() - started
        await eventually(lambda: caught_up(service), timeout=120, what="the views")
        yield Semester(county, plans, replies, service, seconds)
        await nc.close()


def _events(run: Semester, wire: str) -> list[dict]:
    return [e.data for rs in run.replies.values() for r in rs for e in r.events if e.type == wire]


def test_every_command_of_the_semester_is_accepted(run: Semester):
    refused = [(aid, r.error) for aid, rs in run.replies.items() for r in rs if not r.ok]
    assert refused == []
    print(f"\nsemester: {sum(len(p.commands) for p in run.plans)} commands in {run.seconds:.1f}s")


def test_the_semester_has_the_size_the_issue_asks_for(run: Semester):
    closed = _events(run, "activities.ActivityClosed.v1")
    communities = {e["community_id"] for e in _events(run, "activities.ActivityScheduled.v1")}
    assert len(closed) == 303 and len(_events(run, "activities.ActivityCancelled.v1")) == 5
    assert len(_events(run, "activities.AttendanceRecorded.v1")) == 5253
    assert len({c for c in communities if c}) == 5
    assert len(_events(run, "activities.ParticipantAssessed.v1")) == 120
    # Deliveries 10, plannings 8, observations 225 × 2 + 149 whole packages × 2 (photos and
    # evaluation record), reflections 80, parent lectures 20.
    assert len(_events(run, "activities.MaterialSubmitted.v1")) == 10 + 8 + 450 + 298 + 80 + 20


def test_a_membership_change_mid_semester_counts_only_later_activities(run: Semester):
    c = run.county
    scheduled = {
        e["activity_id"]: e["community_id"] for e in _events(run, "activities.ActivityScheduled.v1")
    }
    # Both requested by P41: 20 Oct (before the move on 15 Nov) and 10 Dec (after it).
    assert scheduled[f"a{c.code}-j6"] == c.community(4)
    assert scheduled[f"a{c.code}-j7"] == c.community(5)
    assert scheduled[f"a{c.code}-j0"] == c.community(1)
    # P41's own class observations follow it: C4 before 15 Nov, C5 from that day.
    p41 = [p for p in run.plans if p.activity_id.startswith(f"a{c.code}-o{c.partner(4, 1)[-3:]}")]
    assert len(p41) == 10
    for plan in p41:
        expected = c.community(4) if plan.held_on < MOVE_ON else c.community(5)
        assert scheduled[plan.activity_id] == expected, plan
    assert {p.held_on < MOVE_ON for p in p41} == {True, False}


def test_a_teachers_own_membership_counts_from_its_date(run: Semester):
    c = run.county
    member = {
        r["activity_id"]: r["community_member"]
        for r in (e["record"] for e in _events(run, "activities.ParticipationRecorded.v1"))
        if r["teacher_id"] == c.researcher(1)
    }
    # R1 presents deliveries d5 (15 Oct) and d6 (22 Oct) of C2, and joins C2 on 20 Oct;
    # C1's activities count R1 through its school L1.
    assert (member[f"a{c.code}-d5"], member[f"a{c.code}-d6"]) == (False, True)
    assert member[f"a{c.code}-d0"] is True and member[f"a{c.code}-j6"] is False


def _expected(c: County) -> dict[tuple[str, str], tuple[int, int, str]]:
    """Worked out by hand from the plan in tests/fixtures/activities/semester.py."""
    x: dict[tuple[str, str], tuple[int, int, str]] = {}
    # C1: 4 deliveries + 2 plannings; C2: 3 + 2; C3: 2 + 2; C4: 1 + P41's October planning;
    # C5: P41's December planning only (its 5 deliveries were cancelled).
    for k, (done, state) in {
        1: (6, "met"),
        2: (5, "met"),
        3: (4, "met"),
        4: (2, "missed"),
        5: (1, "missed"),
    }.items():
        x["community_exchange", c.community(k)] = (done, 3, state)
    received = {
        (1, 1): 2,
        (1, 2): 1,
        (1, 3): 1,
        (2, 1): 1,
        (2, 2): 1,
        (2, 3): 1,
        (3, 1): 1,
        (3, 2): 1,
        (4, 1): 1,
    }
    for k in range(1, 6):
        for j in (1, 2, 3):
            done = received.get((k, j), 0)
            x["paired_school_deliveries", c.partner(k, j)] = (
                done,
                2,
                "met" if done >= 2 else "missed",
            )
    # Delivery g has presenters R(g%6+1) and R((g+1)%6+1), g = 0..9, all to partner (primary)
    # schools: R5 (3 deliveries) and R6 (2) research junior secondary, so none counts for them.
    for r, done in {1: 3, 2: 4, 3: 4, 4: 4, 5: 0, 6: 0}.items():
        x["researcher_deliveries", c.researcher(r)] = (done, 3, "met" if done >= 3 else "missed")
    # R1 joins all 8 plannings, R2 the even ones, R3 the first three.
    for r, done in {1: 8, 2: 4, 3: 3, 4: 0, 5: 0, 6: 0}.items():
        x["researcher_preparation_groups", c.researcher(r)] = (
            done,
            4,
            "met" if done >= 4 else "missed",
        )
    # Uploads, not held observations: lead schools held 15 and uploaded 15 whole packages,
    # but L1 14; partner schools held 10 and uploaded 5 (observations 0, 2, 4, 6, 8).
    for k in range(1, 6):
        x["class_observation_uploads", c.lead(k)] = (
            14 if k == 1 else 15,
            15,
            "missed" if k == 1 else "met",
        )
        for j in (1, 2, 3):
            x["class_observation_uploads", c.partner(k, j)] = (5, 11, "missed")
    for school in c.schools():
        x["parent_lectures_school", school] = (1, 7, "open")
    x["parent_lectures_county", c.code] = (20, 10, "met")
    return x


def test_the_quota_report_equals_the_hand_computed_one(run: Semester):
    lines = run.service.queries.quota_report(run.county.code, date(2025, 12, 1), date(2026, 1, 26))
    got = {(q.quota_id, q.subject_id): (q.done, q.required, str(q.state)) for q in lines}
    assert got == _expected(run.county)
    assert {q.period for q in lines} == {"2025-autumn", "2025-2026"}
    c = run.county
    stages = {q.subject_id: q.stage for q in lines if q.quota_id == "researcher_deliveries"}
    assert stages == {c.researcher(r): str(c.researcher_stage(r)) for r in range(1, 7)}
    uploads = {q.subject_id: q.stage for q in lines if q.quota_id == "class_observation_uploads"}
    assert (uploads[c.lead(1)], uploads[c.partner(1, 1)]) == ("junior_secondary", "primary")


def test_participation_records_carry_what_credits_needs(run: Semester):
    records = [
        v1.ParticipationRecord.model_validate(e["record"])
        for e in _events(run, "activities.ParticipationRecorded.v1")
    ]
    assert len(records) == 5253  # one per participant: assessed before closing, no revision
    kinds = Counter(r.activity_kind for r in records if r.revision == 1)
    assert kinds["class_observation"] == 225 * 18
    late = [r for r in records if r.attendance is v1.AttendanceStatus.LATE]
    assert late and all(r.attended_minutes == 100 for r in late)
    delivery = next(r for r in records if r.activity_kind == "lesson_delivery")
    assert delivery.community_id is not None and delivery.activity_level is v1.ActivityLevel.COUNTY
    assert delivery.evidence.materials[0].sha256 and delivery.teacher_county == run.county.code
    scheduled = {
        e["activity_id"]: e["community_id"] for e in _events(run, "activities.ActivityScheduled.v1")
    }
    people = {(p.activity_id, t): role for p in run.plans for t, role in p.people}
    for r in records:  # teacher, role, kind, level, duration, community: all on the record
        assert people[r.activity_id, r.teacher_id] is r.role
        assert 0 <= r.attended_minutes <= r.scheduled_minutes == 120
        assert r.community_id == scheduled[r.activity_id]
        assert (r.community_member is None) == (r.community_id is None)
        assert r.activity_level is v1.ActivityLevel(
            sample_config(run.county.code).kinds[r.activity_kind].level
        )
    # Results: each training assessed its teachers 1-3 passed, failed, excellent.
    c = run.county
    trained = {
        (r.teacher_id, r.result)
        for r in records
        if r.activity_id == f"a{c.code}-s{c.lead(2)[-3:]}0" and r.result is not None
    }
    assert trained == set(zip(c.teachers(c.lead(2))[1:4], v1.Result, strict=True))
    assert all(r.assessed == (r.activity_kind == "school_based_training") for r in records)


async def test_a_rebuild_equals_the_live_views(run: Semester):
    service = run.service
    for runner in service.runners:
        live = runner.live_generation()
        report = await runner.rebuild()
        assert live is not None
        assert report.previous == live
        for name in runner.projection.tables(report.generation):
            old = await asyncio.to_thread(_rows, service, runner.projection.tables(live)[name])
            new = await asyncio.to_thread(
                _rows, service, runner.projection.tables(report.generation)[name]
            )
            assert new == old and new, name


def _rows(service: Service, table) -> list[tuple]:
    assert service.engine is not None
    with service.engine.connect() as tx:
        return [tuple(r) for r in tx.execute(select(table).order_by(*table.primary_key.columns))]


def test_the_cli_reports_quotas_and_exports_the_calendar(
    run: Semester, module_database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("YANPEI_DATABASE_URL", module_database_url)
    code, quotas, calendar = run.county.code, tmp_path / "quotas.xlsx", tmp_path / "calendar.csv"
    report = CliRunner().invoke(
        app,
        [
            "quota-report",
            code,
            "--on",
            "2025-12-01",
            "--today",
            "2026-01-26",
            "--export",
            str(quotas),
        ],
    )
    assert report.exit_code == 0, report.output
    sheet = load_workbook(quotas).worksheets[0]
    assert sheet.max_row == 1 + len(_expected(run.county))
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    r5 = next(dict(zip(header, r, strict=True)) for r in rows if run.county.researcher(5) in r)
    assert (r5["quota_id"], r5["done"], r5["required"], r5["stage"]) == (
        "researcher_deliveries",
        "0",
        "3",
        "junior_secondary",
    )
    listed = CliRunner().invoke(
        app,
        [
            "calendar",
            code,
            "--start",
            "2025-09-01",
            "--end",
            "2025-09-30",
            "--community",
            run.county.community(1),
            "--export",
            str(calendar),
        ],
    )
    assert listed.exit_code == 0, listed.output
    lines = calendar.read_text(encoding="utf-8-sig").splitlines()
    # In September C1 has deliveries d0..d2 (10, 17, 24 Sep; d3 is on 1 Oct) and each of its
    # 4 schools' class observations of 15 and 24 Sep (their community on the day is C1).
    assert len(lines) == 1 + 3 + 4 * 2
    assert all(run.county.community(1) in line for line in lines[1:])


async def test_met_and_missed_quotas_are_announced_once(
    run: Semester, nats_server, module_database_url, monkeypatch
):
    service, code = run.service, run.county.code
    assert service.store is not None
    lines = service.queries.quota_report(code, date(2025, 12, 1), date(2026, 1, 26))
    expected = _expected(run.county)
    closed = sum(1 for _, _, state in expected.values() if state != "open")
    assert await announce_quotas(service.store, code, lines) == closed
    assert await announce_quotas(service.store, code, lines) == 0
    monkeypatch.setenv("YANPEI_NATS_URL", nats_server.url)
    monkeypatch.setenv("YANPEI_DATABASE_URL", module_database_url)
    again = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["announce-quotas", code, "--on", "2025-12-01", "--today", "2026-01-26"],
    )
    assert again.exit_code == 0 and "0 new quota announcements" in again.output, again.output
    met = [(q, s) for (q, s), (_, _, state) in expected.items() if state == "met"]
    assert ("community_exchange", run.county.community(1)) in met
    r5 = run.county.researcher(5)
    ref = service.store.ref(code, "quota", f"researcher_deliveries-2025-autumn-{r5}")
    (announced,), _ = await service.store.load(ref)
    event = announced.event
    assert isinstance(event, v1.QuotaUnreachable)
    assert (event.per, event.stage, event.done, event.required) == (
        "researcher",
        "junior_secondary",
        0,
        3,
    )


async def test_the_periodic_announcement_after_the_semester_leaves_each_quota_announced_once(
    run: Semester,
):
    service, code = run.service, run.county.code
    assert service.store is not None
    after_the_semester = date(2026, 2, 10)
    await announce_due(service.store, service.queries, sample_config, after_the_semester)
    await announce_due(service.store, service.queries, sample_config, after_the_semester)
    lines = service.queries.quota_report(code, date(2025, 12, 1), after_the_semester)
    closed = [line for line in lines if line.state.value != "open"]
    assert closed, "the semester has ended: every line is met or missed"
    for line in closed:
        ref = service.store.ref(code, "quota", f"{line.quota_id}-{line.period}-{line.subject_id}")
        events, _ = await service.store.load(ref)
        assert len(events) == 1, f"{ref.id} announced {len(events)} times"
        expected = "QuotaMet" if line.state.value == "met" else "QuotaUnreachable"
        assert events[0].type == f"activities.{expected}.v1"


async def test_a_retired_teacher_is_available_until_the_day_before_retirement(
    run: Semester, nats_server
):
    county, service = run.county, run.service
    teacher = county.teachers(county.lead(2))[0]
    retired_on = date(2026, 3, 2)
    nc = await connect(nats_server.url, "activities-retirement-test")
    try:
        retirement = reg.TeacherRetired(
            county_code=county.code, teacher_id=teacher, effective_on=retired_on
        )
        await publish_registry(nc, county.code, [("teacher", teacher, [retirement])])
    finally:
        await nc.close()
    await eventually(lambda: caught_up(service), what="the registry facts")
    registry = service.queries.registry
    before, after = (
        registry.teacher_on(teacher, date(2026, 3, 1)),
        registry.teacher_on(teacher, retired_on),
    )
    assert before is not None and before.available
    assert after is not None and (after.status, after.since) == ("retired", retired_on)


def test_the_checklists_show_what_is_missing_per_activity_and_per_teacher(run: Semester):
    c, queries = run.county, run.service.queries
    observation = f"a{c.code}-o{c.lead(1)[-3:]}0"
    # Sign-in sheet and the presenter's lesson plan were submitted; photos, the evaluation
    # record and each attendee's observation notes were not.
    missing = queries.checklist(c.code, observation)
    assert missing[""] == ["photos", "evaluation_record"]
    attendee, presenter = c.teachers(c.lead(1))[1], c.teachers(c.lead(1))[0]
    assert missing[attendee] == ["observation_notes"] and missing[presenter] == []
    owed = queries.teacher_checklist(c.code, attendee)
    assert len(owed) == 15 and set(map(tuple, owed.values())) == {("observation_notes",)}
