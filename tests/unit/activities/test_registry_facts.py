"""The activities' copy of the registry answers "as of a day" (SQLite in memory, no broker)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest
from sqlalchemy import Connection, Table, create_engine

from contracts import Event
from contracts.registry import v1 as reg
from eventlog.checkpoints import bookkeeping
from eventlog.checkpoints import metadata as bookkeeping_metadata
from eventlog.messages import StoredEvent
from services.activities.facts import Registry
from services.activities.registry_view import RegistryFacts

COUNTY = "510781"
OPENED = date(2020, 9, 1)


def _school(school: str, stage: reg.SchoolStage) -> reg.SchoolRegistered:
    return reg.SchoolRegistered(
        county_code=COUNTY,
        school_id=school,
        school_name=school,
        stage=stage,
        location=reg.SchoolLocation.TOWN,
        governance=reg.SchoolGovernance.COUNTY_RUN,
        ownership=reg.SchoolOwnership.PUBLIC,
        effective_on=OPENED,
    )


def _community(community: str) -> reg.CommunityFormed:
    return reg.CommunityFormed(
        community_id=community,
        county_code=COUNTY,
        community_name=community,
        community_kind=reg.CommunityKind.COUNTY_ONE_PLUS_N,
        counties=[COUNTY],
        effective_on=OPENED,
    )


HISTORY: list[tuple[str, str, Event]] = [
    ("school", "s1", _school("s1", reg.SchoolStage.PRIMARY)),
    ("school", "s2", _school("s2", reg.SchoolStage.JUNIOR_SECONDARY)),
    ("community", "c1", _community("c1")),
    ("community", "c2", _community("c2")),
    (
        "community",
        "c1",
        reg.SchoolJoinedCommunity(
            community_id="c1",
            county_code=COUNTY,
            school=reg.SchoolRef(county_code=COUNTY, school_id="s1"),
            member_role=reg.SchoolMemberRole.LEAD,
            effective_on=OPENED,
        ),
    ),
    (
        "teacher",
        "t1",
        reg.TeacherRegistered(
            county_code=COUNTY,
            teacher_id="t1",
            teacher_name="教研员甲",
            school_id="s1",
            stage=reg.SchoolStage.PRIMARY,
            subjects=["数学"],
            title=reg.TeacherTitle.SENIOR,
            hire_date=OPENED,
            roles=[reg.TeacherRole.RESEARCHER],
            effective_on=OPENED,
        ),
    ),
    (
        "teacher",
        "t1",
        reg.TeacherLeaveStarted(
            county_code=COUNTY,
            teacher_id="t1",
            leave_kind=reg.LeaveKind.MATERNITY,
            effective_on=date(2025, 9, 10),
        ),
    ),
    (
        "teacher",
        "t1",
        reg.TeacherLeaveEnded(county_code=COUNTY, teacher_id="t1", effective_on=date(2025, 10, 10)),
    ),
    (
        "community",
        "c2",
        reg.TeacherJoinedCommunity(
            community_id="c2",
            county_code=COUNTY,
            teacher_id="t1",
            teacher_county=COUNTY,
            member_role=reg.TeacherMemberRole.LEADER,
            effective_on=date(2025, 10, 1),
        ),
    ),
    (
        "community",
        "c2",
        reg.TeacherLeftCommunity(
            community_id="c2",
            county_code=COUNTY,
            teacher_id="t1",
            teacher_county=COUNTY,
            member_role=reg.TeacherMemberRole.LEADER,
            effective_on=date(2025, 11, 1),
        ),
    ),
    (
        "teacher",
        "t1",
        reg.TeacherDetailsChanged(
            county_code=COUNTY,
            teacher_id="t1",
            stage=reg.SchoolStage.JUNIOR_SECONDARY,
            effective_on=date(2025, 11, 1),
        ),
    ),
    (
        "teacher",
        "t1",
        reg.TeacherTransferred(
            county_code=COUNTY,
            teacher_id="t1",
            movement=reg.MovementKind.ROTATION,
            from_school_id="s1",
            to_county=COUNTY,
            to_school_id="s2",
            effective_on=date(2025, 12, 1),
            keep_roles=False,
            roles_ended=[reg.TeacherRole.RESEARCHER],
        ),
    ),
    (
        "community",
        "c1",
        reg.CommunityDissolved(
            community_id="c1", county_code=COUNTY, effective_on=date(2025, 12, 15)
        ),
    ),
]


def _stored(n: int, aggregate: str, id_: str, event: Event) -> StoredEvent:
    return StoredEvent(
        stream="EVT_REGISTRY",
        sequence=n,
        subject=f"evt.{COUNTY}.registry.{aggregate}.{id_}.{event.name}",
        headers={"ce-type": event.wire_type()},
        data=event.model_dump_json().encode(),
    )


class _Registry(Registry):
    """The look-ups, over generation 1 of the tables (no bookkeeping needed)."""

    def _tables(self, tx: Connection) -> Mapping[str, Table]:
        return self.view.tables(1)

    def _checkpoints(self, tx: Connection) -> tuple[tuple[int, str, int], ...]:
        return ((1, "EVT_REGISTRY", len(HISTORY)),)


@pytest.fixture(scope="module")
def registry() -> Registry:
    view, engine = RegistryFacts([COUNTY]), create_engine("sqlite://")
    tables = view.tables(1)
    next(iter(tables.values())).metadata.create_all(engine)
    with engine.begin() as tx:
        view.apply(tx, tables, [_stored(n, *item) for n, item in enumerate(HISTORY, start=1)])
    return _Registry(engine, view)


@pytest.mark.parametrize(
    ("day", "school", "stage", "status", "researcher", "communities"),
    [
        (date(2025, 9, 5), "s1", "primary", "active", True, {"c1"}),
        (date(2025, 9, 20), "s1", "primary", "on_leave", True, {"c1"}),
        (date(2025, 10, 15), "s1", "primary", "active", True, {"c1", "c2"}),
        (date(2025, 11, 15), "s1", "junior_secondary", "active", True, {"c1"}),
        (date(2025, 12, 5), "s2", "junior_secondary", "active", False, set()),
    ],
    ids=["working", "on-leave", "back-and-in-a-group", "new-stage", "rotated-out"],
)
def test_a_teacher_is_seen_as_the_registry_stood_that_day(
    registry, day, school, stage, status, researcher, communities
):
    fact = registry.teacher_on("t1", day)
    assert fact is not None
    assert (fact.school_id, fact.stage, fact.status, fact.is_researcher) == (
        school,
        stage,
        status,
        researcher,
    )
    assert fact.communities == frozenset(communities)


def test_the_leave_says_its_kind_and_since_when(registry):
    fact = registry.teacher_on("t1", date(2025, 9, 20))
    assert fact is not None and not fact.available
    assert (fact.detail, fact.since) == ("maternity", date(2025, 9, 10))


def test_researchers_are_listed_with_their_stage_while_they_hold_the_role(registry):
    assert registry.researchers(date(2025, 11, 15)) == {"t1": "junior_secondary"}
    assert registry.researchers(date(2025, 12, 5)) == {}


def test_a_dissolved_community_no_longer_exists_nor_counts_its_schools(registry):
    community = registry.community("c1")
    assert community is not None and community.dissolved_on == date(2025, 12, 15)
    assert registry.communities(COUNTY, date(2025, 12, 14)) == ["c1", "c2"]
    assert registry.communities(COUNTY, date(2025, 12, 15)) == ["c2"]
    assert registry.community_of_school("s1", date(2025, 12, 14)) == "c1"
    assert registry.community_of_school("s1", date(2025, 12, 15)) is None
    assert registry.community("c9") is None


def test_a_registry_event_applied_later_is_seen_by_the_next_question(tmp_path):
    """Answers are kept between commands, but never past the projection's next batch."""
    view, engine = RegistryFacts([COUNTY]), create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    tables = view.tables(1)
    next(iter(tables.values())).metadata.create_all(engine)
    bookkeeping_metadata.create_all(engine)
    history = [_stored(n, *item) for n, item in enumerate(HISTORY, start=1)]
    with engine.begin() as tx:
        bookkeeping.add_generation(tx, view.name, 1, "live")
        view.apply(tx, tables, history)
        bookkeeping.advance(tx, view.name, 1, "EVT_REGISTRY", len(history))
    registry, day = Registry(engine, view), date(2025, 12, 20)
    before = registry.teacher_on("t1", day)
    assert before is not None and before.status == "active"
    assert registry.teacher_on("t1", day) == before, "asked again: the same answer"

    leave = reg.TeacherLeaveStarted(
        county_code=COUNTY,
        teacher_id="t1",
        leave_kind=reg.LeaveKind.MATERNITY,
        effective_on=date(2025, 12, 18),
    )
    with engine.begin() as tx:  # as the runner does: the rows and the checkpoint together
        view.apply(tx, tables, [_stored(len(history) + 1, "teacher", "t1", leave)])
        bookkeeping.advance(tx, view.name, 1, "EVT_REGISTRY", len(history) + 1)
    after = registry.teacher_on("t1", day)
    assert after is not None and after.status == "on_leave"


def test_the_answers_kept_are_bounded(registry: Registry, monkeypatch) -> None:
    monkeypatch.setattr(registry, "kept_answers", 3)
    days = [date(2025, 9, d) for d in range(1, 11)]
    for day in days:
        assert registry.teacher_on("t1", day) is not None
        assert len(registry._known) <= 4
    assert registry.teacher_on("t1", days[0]) == registry.teacher_on("t1", days[0])
