"""Registry commands over the bus: typed refusals, transfers across counties, contact data."""

from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import select

from contracts.registry import v1
from contracts.registry.internal import EraseTeacherContact, RecordTeacherContact
from contracts.replies import ErrorCode
from eventlog.reader import read_batches
from services.registry.contacts.table import contacts
from services.registry.importing.run import import_file, known_in
from tests.fixtures.registry.small import small_sheets
from tests.fixtures.registry.workbook import write_workbook
from tests.integration.registry.conftest import views_caught_up
from tests.support.waiting import eventually

MOVE = date(2024, 9, 1)


def _studio(home: str, other: str) -> list:
    studio = f"GT{home}"
    member = {"community_id": studio, "teacher_county": home}
    return [
        v1.FormCommunity(
            community_id=studio,
            community_name="名师工作室",
            community_kind="master_teacher_studio",
            counties=[home, other],
            subject="语文",
            effective_on=date(2020, 9, 1),
        ),
        v1.AddTeacherToCommunity(
            **member, teacher_id=f"T{home}1", member_role="host", effective_on=date(2020, 9, 1)
        ),
        v1.AddTeacherToCommunity(
            **member, teacher_id=f"T{home}2", member_role="member", effective_on=date(2021, 9, 1)
        ),
    ]


async def _setup(registry, client, reader, codes, tmp_path) -> None:
    path = write_workbook(tmp_path / "small.xlsx", small_sheets(*codes))
    assert (await import_file(path, client=client, known=known_in(reader))).problems == []
    for command in _studio(*codes):
        reply = await client.send(codes[0], command)
        assert reply.ok, reply.error
    await eventually(lambda: views_caught_up(registry), what="the views")


async def test_a_refused_command_names_its_rule_and_a_wrong_county_its_field(
    registry, client, reader, codes, tmp_path
):
    await _setup(registry, client, reader, codes, tmp_path)
    home, other = codes
    lead = v1.AddSchoolToCommunity(
        community_id=f"GT{home}",
        school=v1.SchoolRef(county_code=home, school_id=f"{home}0001"),
        member_role="lead",
        effective_on=date(2022, 1, 1),
    )
    host = v1.AddTeacherToCommunity(
        community_id=f"GT{home}",
        teacher_id=f"T{other}1",
        teacher_county=other,
        member_role="host",
        effective_on=date(2022, 1, 1),
    )
    reply = await client.send(home, host)
    assert (reply.ok, reply.error.code, reply.error.rule) == (
        False,
        ErrorCode.RULE,
        "TeacherRoleFitsKind",
    )
    assert (await client.send(home, lead)).ok
    wrong = v1.CloseSchool(
        county_code=other, school_id=f"{home}0001", effective_on=date(2024, 1, 1)
    )
    reply = await client.send(home, wrong)
    assert reply.error.code == ErrorCode.VALIDATION and reply.error.fields[0].loc == "county_code"


async def test_a_transfer_to_another_county_moves_the_record_and_ends_studio_and_roles(
    registry, client, reader, codes, tmp_path
):
    await _setup(registry, client, reader, codes, tmp_path)
    home, other = codes
    move = v1.TransferTeacher(
        teacher_id=f"T{home}2", to_county=other, to_school_id=f"{other}0001", effective_on=MOVE
    )
    command_id = str(uuid.uuid4())  # never reuse a command id: event ids derive from it
    reply = await client.send(home, move, command_id=command_id)
    assert reply.ok, reply.error
    assert [e.type for e in reply.events] == [
        "registry.TeacherTransferred.v1",
        "registry.TeacherTransferredIn.v1",
        "registry.TeacherLeftCommunity.v1",
    ]
    assert reply.events[1].subject.startswith(f"evt.{other}.registry.teacher.")
    again = await client.send(home, move, command_id=command_id)
    assert again.duplicate and [e.id for e in again.events] == [e.id for e in reply.events]
    await eventually(lambda: views_caught_up(registry), what="the views")
    after = reader.teacher(f"T{home}2", MOVE)
    assert after is not None and (after.county_code, after.roles) == (other, [])
    studio = reader.community(f"GT{home}", MOVE)
    assert studio is not None and [m.member_id for m in studio.members] == [f"T{home}1"]
    refused = await client.send(
        home, v1.RetireTeacher(teacher_id=f"T{home}2", effective_on=date(2025, 1, 1))
    )
    assert refused.error.rule == "TeacherIsHere"


async def _a_teacher(client, home: str) -> str:
    county = v1.RegisterCounty(
        county_code=home, county_name="x", city="y", province="z", effective_on=date(2000, 1, 1)
    )
    school = v1.RegisterSchool(
        county_code=home,
        school_id=f"{home}0001",
        school_name="一小",
        stage="primary",
        location="urban",
        governance="county_run",
        ownership="public",
        effective_on=date(2010, 9, 1),
    )
    teacher = v1.RegisterTeacher(
        teacher_id=f"T{home}9",
        teacher_name="赵六",
        school_id=f"{home}0001",
        stage="primary",
        subjects=["数学"],
        title="senior",
        hire_date=date(2010, 9, 1),
        effective_on=date(2010, 9, 1),
    )
    for command in (county, school, teacher):
        assert (await client.send(home, command)).ok
    return teacher.teacher_id


async def _bodies(nc, stream: str, subject: str) -> list:
    return [e async for b in read_batches(nc, stream, subject_filter=subject) for e in b]


async def test_contact_data_goes_to_the_internal_stream_and_the_protected_table_only(
    registry, client, nc, codes
):
    home = codes[0]
    teacher_id = await _a_teacher(client, home)
    record = RecordTeacherContact(
        teacher_id=teacher_id, phone="13912345678", national_id="11010519491231002X"
    )
    reply = await client.send(home, record)
    assert reply.ok and reply.events == [] and "139" not in reply.model_dump_json()
    assert (await client.send(home, record)).duplicate
    public = await _bodies(nc, "EVT_REGISTRY", f"evt.{home}.>")
    internal = await _bodies(nc, "INT_REGISTRY", f"int.{home}.>")
    assert not any(b"13912345678" in e.data for e in public)
    assert [json.loads(e.data)["phone"] for e in internal] == ["13912345678"]
    assert _stored(registry, teacher_id) == [("13912345678", "11010519491231002X")]


async def test_erasing_contact_data_purges_the_stream_and_the_table(registry, client, nc, codes):
    home = codes[0]
    teacher_id = await _a_teacher(client, home)
    await client.send(home, RecordTeacherContact(teacher_id=teacher_id, phone="13912345678"))
    assert (await client.send(home, EraseTeacherContact(teacher_id=teacher_id))).ok
    internal = await _bodies(nc, "INT_REGISTRY", f"int.{home}.>")
    assert [e.type for e in internal] == ["registry.TeacherContactErased.v1"]
    assert _stored(registry, teacher_id) == []


def _stored(registry, teacher_id: str) -> list[tuple]:
    with registry.engine.connect() as tx:
        query = select(contacts.c.phone, contacts.c.national_id).where(
            contacts.c.teacher_id == teacher_id
        )
        return [tuple(r) for r in tx.execute(query)]
