"""Decisions about participants: registration, sign-in, materials and assessment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from contracts import Event
from contracts.activities import v1
from contracts.replies import NotFound, RuleBroken
from services.activities.domain.attendance import attendance
from services.activities.domain.rules import (
    Context,
    TeacherFact,
    kind_of,
    require_available,
    require_status,
)
from services.activities.domain.state import ActivityState, Participant

__all__ = ["assess", "register", "sign_in", "submit_material"]


def register(
    state: ActivityState,
    activity_id: str,
    entries: list[v1.ParticipantEntry],
    ctx: Context,
    teachers: Mapping[str, TeacherFact],
) -> list[Event]:
    """Register teachers the registry knows and who work on the activity's day, each in a
    role the kind allows, once."""
    require_status(state, "RegisterParticipant", activity_id)
    spec = kind_of(state, ctx)
    seen = set(state.participants)
    events: list[Event] = []
    for entry in entries:
        teacher = _registrable(state, entry, spec.roles, teachers, seen)
        seen.add(entry.teacher_id)
        events.append(
            v1.ParticipantRegistered(
                activity_id=activity_id,
                county_code=ctx.county,
                teacher_id=teacher.teacher_id,
                teacher_county=teacher.county,
                school_id=teacher.school_id,
                role=entry.role,
            )
        )
    return events


def _registrable(
    state: ActivityState,
    entry: v1.ParticipantEntry,
    roles: tuple[v1.ParticipantRole, ...],
    teachers: Mapping[str, TeacherFact],
    seen: set[str],
) -> TeacherFact:
    """The registry's teacher behind ``entry``, once every registration rule holds."""
    teacher = teachers.get(entry.teacher_id)
    if teacher is None:
        raise NotFound(f"the registry knows no teacher {entry.teacher_id}", field="teacher_id")
    day = state.day
    if day is not None:
        require_available(teacher, day)
    if entry.role not in roles:
        kind = state.requested.activity_kind if state.requested else "?"
        raise RuleBroken(f"{kind} has no role {entry.role}", field="role", rule="RoleOfKind")
    if entry.teacher_id in seen:
        raise RuleBroken(f"{entry.teacher_id} is already registered", rule="RegisterOnce")
    return teacher


def _participant(state: ActivityState, teacher_id: str) -> Participant:
    found = state.participants.get(teacher_id)
    if found is None:
        raise RuleBroken(
            f"{teacher_id} is not registered for this activity",
            field="teacher_id",
            rule="RegisteredParticipant",
        )
    return found


def sign_in(
    state: ActivityState,
    activity_id: str,
    entries: list[v1.SignInEntry],
    ctx: Context,
    teachers: Mapping[str, TeacherFact] | None = None,
) -> list[Event]:
    """Sign registered teachers in, while held or within the county's grace period.

    ``teachers``: the registry's facts on the activity's day; one on leave or retired that
    day cannot sign in (recording them absent is allowed).
    """
    require_status(state, "SignIn", activity_id)
    assert state.schedule is not None and state.held_on is not None
    last_day = state.held_on + timedelta(days=ctx.config.sign_in_grace_days)
    if ctx.today > last_day:
        raise RuleBroken(
            f"sign-in for {activity_id} closed on {last_day}", rule="SignInGracePeriod"
        )
    return [_attendance(state, activity_id, entry, ctx, teachers or {}) for entry in entries]


def _attendance(
    state: ActivityState,
    activity_id: str,
    entry: v1.SignInEntry,
    ctx: Context,
    teachers: Mapping[str, TeacherFact],
) -> v1.AttendanceRecorded:
    assert state.schedule is not None and state.held_on is not None
    _participant(state, entry.teacher_id)
    teacher = teachers.get(entry.teacher_id)
    if teacher is not None and entry.signed_in_at is not None:
        require_available(teacher, state.held_on)
    status, minutes = attendance(
        state.schedule, entry.signed_in_at, entry.signed_out_at, ctx.config.late_tolerance_minutes
    )
    return v1.AttendanceRecorded(
        activity_id=activity_id,
        county_code=ctx.county,
        status=status,
        attended_minutes=minutes,
        **entry.model_dump(),
    )


def submit_material(state: ActivityState, cmd: v1.SubmitMaterial, ctx: Context) -> list[Event]:
    """Accept a material of the kind's checklist; a reflection must be long enough."""
    require_status(state, "SubmitMaterial", cmd.activity_id)
    spec = kind_of(state, ctx)
    item = next((i for i in spec.checklist if i.item == cmd.material_kind), None)
    if item is None:
        raise RuleBroken(
            f"{cmd.material_kind} is not on the checklist of this kind",
            field="material_kind",
            rule="OnChecklist",
        )
    if item.per == "teacher":
        if cmd.teacher_id is None:
            raise RuleBroken("say whose material it is", field="teacher_id", rule="Owner")
        _participant(state, cmd.teacher_id)
    chars = len((cmd.reflection_text or "").strip())
    if item.is_reflection:
        minimum = ctx.config.reflection_minimum(state.requested.activity_kind)  # type: ignore[union-attr]
        if chars < minimum:
            raise RuleBroken(
                f"a reflection needs at least {minimum} characters, this one has {chars}",
                field="reflection_text",
                rule="ReflectionLength",
            )
    fields = cmd.model_dump(exclude={"reflection_text"})
    return [
        v1.MaterialSubmitted(
            county_code=ctx.county, reflection_chars=chars, submitted_at=ctx.now, **fields
        )
    ]


def assess(state: ActivityState, cmd: v1.AssessParticipant, ctx: Context) -> list[Event]:
    """Assess a participant of a held (or closed) activity of an assessed kind."""
    require_status(state, "AssessParticipant", cmd.activity_id)
    if state.requested is not None and not kind_of(state, ctx).assessed:
        raise RuleBroken("this kind of activity is not assessed", rule="AssessedKind")
    _participant(state, cmd.teacher_id)
    fields = cmd.model_dump(include={"activity_id", "teacher_id", "result", "assessor", "comment"})
    return [v1.ParticipantAssessed(county_code=ctx.county, **fields)]
