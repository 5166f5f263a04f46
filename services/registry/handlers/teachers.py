"""Handlers of teacher commands, and the transfer across counties.

A transfer to another county touches several aggregates, one command each: the teacher's
record in the old county, the new county's record, and each of the old county's studios
and groups the teacher leaves. Each step has a command id derived from the transfer's, so
sending the transfer again completes a partial run and repeats nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from contracts.registry import v1
from eventlog.commandbus import CommandMeta
from eventlog.store import AppendResult, EventStore
from services.registry.domain import teacher_decisions as t
from services.registry.domain.studio_decisions import decide_member_transferred_out
from services.registry.handlers.common import (
    COMMUNITY,
    SCHOOL,
    TEACHER,
    Handlers,
    decide_on,
    load_state,
    simple,
    today,
)

__all__ = ["HANDLERS", "TeacherCommunities", "register_teacher", "transfer_teacher"]

TeacherCommunities = Callable[[str, str, date], Awaitable[list[str]]]
"""(teacher id, county, date) → ids of the county's communities the teacher is still in."""

_STEP_NS = uuid.UUID("6c1d2b8e-3f0a-4e55-9b7e-0d9a4c2f7a31")


def step_meta(meta: CommandMeta, step: str, county: str | None = None) -> CommandMeta:
    """The metadata of one step of a multi-aggregate command: a derived command id."""
    command_id = str(uuid.uuid5(_STEP_NS, f"{meta.command_id}/{step}"))
    return replace(meta, command_id=command_id, county=county or meta.county)


async def register_teacher(
    store: EventStore, cmd: v1.RegisterTeacher, meta: CommandMeta
) -> AppendResult:
    """Enter a teacher at an open school of the county."""
    school = await load_state(store, meta.county, SCHOOL, cmd.school_id)
    day = today(meta)
    return await decide_on(
        store,
        meta,
        TEACHER,
        cmd.teacher_id,
        lambda st: t.decide_register_teacher(st, cmd, meta.county, school, day),
    )


async def transfer_teacher(
    store: EventStore,
    cmd: v1.TransferTeacher,
    meta: CommandMeta,
    communities: TeacherCommunities,
) -> list[AppendResult]:
    """Move a teacher; across counties, open the new record and leave the old studios."""
    destination = await load_state(store, cmd.to_county, SCHOOL, cmd.to_school_id)
    day = today(meta)
    out = await decide_on(
        store,
        meta,
        TEACHER,
        cmd.teacher_id,
        lambda st: t.decide_transfer(st, cmd, destination, day),
    )
    moved = next(e for e in out.events if isinstance(e, v1.TeacherTransferred))
    if moved.to_county == moved.county_code:
        return [out]
    results = [out, await _arrive(store, meta, moved)]
    if not moved.keep_roles:
        results += await _leave_communities(store, meta, moved, communities)
    return results


async def _arrive(
    store: EventStore, meta: CommandMeta, moved: v1.TeacherTransferred
) -> AppendResult:
    origin = await load_state(store, moved.county_code, TEACHER, moved.teacher_id)
    return await decide_on(
        store,
        step_meta(meta, "arrival", moved.to_county),
        TEACHER,
        moved.teacher_id,
        lambda st: t.decide_arrival(st, origin, moved),
    )


async def _leave_communities(
    store: EventStore,
    meta: CommandMeta,
    moved: v1.TeacherTransferred,
    communities: TeacherCommunities,
) -> list[AppendResult]:
    ids = await communities(moved.teacher_id, moved.county_code, moved.effective_on)
    results = []
    for community_id in ids:
        results.append(
            await decide_on(
                store,
                step_meta(meta, f"leave/{community_id}", moved.county_code),
                COMMUNITY,
                community_id,
                lambda st: decide_member_transferred_out(st, moved.teacher_id, moved.effective_on),
            )
        )
    return results


HANDLERS: Handlers = {
    v1.RegisterTeacher: register_teacher,
    v1.ChangeTeacherDetails: simple(TEACHER, "teacher_id", t.decide_change_teacher),
    v1.GrantTeacherRole: simple(TEACHER, "teacher_id", t.decide_grant_role),
    v1.RevokeTeacherRole: simple(TEACHER, "teacher_id", t.decide_revoke_role),
    v1.StartTeacherLeave: simple(TEACHER, "teacher_id", t.decide_start_leave),
    v1.EndTeacherLeave: simple(TEACHER, "teacher_id", t.decide_end_leave),
    v1.RetireTeacher: simple(TEACHER, "teacher_id", t.decide_retire),
}
"""The handler of each teacher command but the transfer (which needs a membership view)."""
