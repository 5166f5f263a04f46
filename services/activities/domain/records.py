"""Closing an activity and recording participations: what credits reads (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import Event
from contracts.activities import v1
from contracts.replies import NotFound, RuleBroken
from services.activities.configuration import KindSpec
from services.activities.domain.participation import assess
from services.activities.domain.rules import (
    RETIRED,
    Context,
    TeacherFact,
    kind_of,
    require_available,
    require_status,
)
from services.activities.domain.state import ActivityState, Participant, Status, evolve

__all__ = ["assess_and_record", "close", "evidence_for", "missing_items", "record_external"]


def missing_items(state: ActivityState, spec: KindSpec, teacher: Participant | None) -> list[str]:
    """Checklist items still missing, for the activity (``None``) or one teacher."""
    have = {
        (m.material_kind, m.teacher_id if teacher is not None else None) for m in state.materials
    }
    wanted: list[tuple[str, str | None]] = []
    for item in spec.checklist:
        if teacher is None and item.per == "activity":
            wanted.append((item.item, None))
        elif teacher is not None and item.per == "teacher" and teacher.role in item.roles:
            wanted.append((item.item, teacher.teacher_id))
    return [item for item, owner in wanted if (item, owner) not in have]


def evidence_for(state: ActivityState, spec: KindSpec, who: Participant) -> v1.Evidence:
    """The materials, reflection length and checklist state behind one participation."""
    own = [m for m in state.materials if m.teacher_id in (None, who.teacher_id)]
    refs = [v1.MaterialRef.model_validate(m.model_dump()) for m in own]
    reflection = max((m.reflection_chars for m in own if m.teacher_id == who.teacher_id), default=0)
    complete = not missing_items(state, spec, who) and not missing_items(state, spec, None)
    return v1.Evidence(materials=refs, reflection_chars=reflection, checklist_complete=complete)


def _record(
    state: ActivityState, who: Participant, ctx: Context, fact: TeacherFact
) -> v1.ParticipationRecorded:
    assert state.requested is not None and state.schedule is not None
    assert state.held_on is not None
    req = state.requested
    record = v1.ParticipationRecord(
        activity_id=req.activity_id,
        activity_county=ctx.county,
        source=v1.ParticipationSource.ACTIVITY,
        activity_kind=req.activity_kind,
        activity_level=req.activity_level,
        title=state.title,
        category_hints=req.category_hints,
        activity_date=state.held_on,
        community_id=state.community_id,
        community_member=_member(state.community_id, fact),
        teacher_id=who.teacher_id,
        teacher_county=fact.county,
        school_id=fact.school_id,
        role=who.role,
        scheduled_minutes=state.schedule.scheduled_minutes,
        **_outcome(state, who, ctx),
        revision=who.revision + 1,
        recorded_at=ctx.now,
    )
    return v1.ParticipationRecorded(
        activity_id=req.activity_id, county_code=ctx.county, record=record
    )


def _member(community_id: str | None, fact: TeacherFact) -> bool | None:
    """Whether the teacher belonged to the activity's community (None: no community, or the
    teacher's memberships are not known)."""
    if community_id is None or fact.communities is None:
        return None
    return community_id in fact.communities


def _outcome(state: ActivityState, who: Participant, ctx: Context) -> dict[str, Any]:
    """Attendance, result and evidence of one participant."""
    spec = kind_of(state, ctx)
    att = who.attendance
    return {
        "attended_minutes": att.attended_minutes if att else 0,
        "attendance": att.status if att else v1.AttendanceStatus.ABSENT,
        "assessed": spec.assessed,
        "result": who.result,
        "evidence": evidence_for(state, spec, who),
    }


def _fact(facts: Mapping[str, TeacherFact], who: Participant) -> TeacherFact:
    return facts.get(who.teacher_id) or TeacherFact(
        who.teacher_id, who.teacher_county, who.school_id
    )


def close(
    state: ActivityState, cmd: v1.CloseActivity, ctx: Context, facts: Mapping[str, TeacherFact]
) -> list[Event]:
    """Close a held activity: one participation record per participant, school on the date."""
    require_status(state, "CloseActivity", cmd.activity_id)
    people = list(state.participants.values())
    closed = v1.ActivityClosed(
        activity_id=cmd.activity_id, county_code=ctx.county, participants=len(people)
    )
    return [closed, *(_record(state, who, ctx, _fact(facts, who)) for who in people)]


def assess_and_record(
    state: ActivityState, cmd: v1.AssessParticipant, ctx: Context, facts: Mapping[str, TeacherFact]
) -> list[Event]:
    """Assess; after closing, also write the participation's revision."""
    events = assess(state, cmd, ctx)
    if state.status is not Status.CLOSED:
        return events
    after = evolve(state, events[0])
    who = after.participants[cmd.teacher_id]
    return [*events, _record(after, who, ctx, _fact(facts, who))]


def record_external(
    state: ActivityState, cmd: v1.RecordExternalTraining, ctx: Context, teacher: TeacherFact | None
) -> list[Event]:
    """One imported external training result: its import and its participation record."""
    require_status(state, "RecordExternalTraining", cmd.activity_id)
    if teacher is None:
        raise NotFound(f"the registry knows no teacher {cmd.teacher_id}", field="teacher_id")
    if teacher.status == RETIRED:  # on leave is fine: study leave is for training
        require_available(teacher, cmd.held_on)
    spec = ctx.config.kind(cmd.activity_kind)
    if spec is None:
        raise RuleBroken(
            f"unknown kind {cmd.activity_kind}", field="activity_kind", rule="KnownKind"
        )
    imported = v1.ExternalTrainingImported(
        county_code=ctx.county,
        **cmd.model_dump(
            include={"activity_id", "import_batch", "row_number", "provider", "certificate"}
        ),
    )
    record = _external_record(cmd, spec, teacher, ctx)
    recorded = v1.ParticipationRecorded(
        activity_id=cmd.activity_id, county_code=ctx.county, record=record
    )
    return [imported, recorded]


def _external_record(
    cmd: v1.RecordExternalTraining, spec: KindSpec, teacher: TeacherFact, ctx: Context
) -> v1.ParticipationRecord:
    return v1.ParticipationRecord(
        activity_id=cmd.activity_id,
        activity_county=ctx.county,
        source=v1.ParticipationSource.EXTERNAL,
        activity_kind=cmd.activity_kind,
        activity_level=cmd.activity_level or spec.level,
        title=cmd.title,
        category_hints=list(spec.category_hints),
        activity_date=cmd.held_on,
        teacher_id=teacher.teacher_id,
        teacher_county=teacher.county,
        school_id=teacher.school_id,
        role=v1.ParticipantRole.ATTENDEE,
        scheduled_minutes=cmd.minutes,
        attended_minutes=cmd.minutes,
        attendance=v1.AttendanceStatus.PRESENT,
        assessed=True,
        result=cmd.result,
        evidence=v1.Evidence(
            certificate=cmd.certificate, checklist_complete=cmd.certificate is not None
        ),
        revision=1,
        recorded_at=ctx.now,
    )
