"""Handlers of pairing-community commands."""

from __future__ import annotations

from contracts.registry import v1
from eventlog.commandbus import CommandMeta
from eventlog.store import AppendResult, EventStore
from services.registry.domain import community_decisions as c
from services.registry.domain import studio_decisions as s
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

__all__ = ["HANDLERS"]


async def form_community(
    store: EventStore, cmd: v1.FormCommunity, meta: CommandMeta
) -> AppendResult:
    """Form a community kept by the county the command was sent to."""
    day = today(meta)
    return await decide_on(
        store,
        meta,
        COMMUNITY,
        cmd.community_id,
        lambda st: c.decide_form(st, cmd, meta.county, day),
    )


async def add_school(
    store: EventStore, cmd: v1.AddSchoolToCommunity, meta: CommandMeta
) -> AppendResult:
    """Add a lead or partner school (possibly of another county)."""
    school = await load_state(store, cmd.school.county_code, SCHOOL, cmd.school.school_id)
    day = today(meta)
    return await decide_on(
        store,
        meta,
        COMMUNITY,
        cmd.community_id,
        lambda st: c.decide_add_school(st, cmd, school, day),
    )


async def add_teacher(
    store: EventStore, cmd: v1.AddTeacherToCommunity, meta: CommandMeta
) -> AppendResult:
    """Add a member teacher to a studio or group."""
    teacher = await load_state(store, cmd.teacher_county, TEACHER, cmd.teacher_id)
    day = today(meta)
    return await decide_on(
        store,
        meta,
        COMMUNITY,
        cmd.community_id,
        lambda st: c.decide_add_teacher(st, cmd, teacher, day),
    )


async def open_station(
    store: EventStore, cmd: v1.OpenStudioStation, meta: CommandMeta
) -> AppendResult:
    """Open a studio station at a school of another county."""
    host = await load_state(store, cmd.host.county_code, SCHOOL, cmd.host.school_id)
    day = today(meta)
    return await decide_on(
        store,
        meta,
        COMMUNITY,
        cmd.community_id,
        lambda st: s.decide_open_station(st, cmd, host, day),
    )


HANDLERS: Handlers = {
    v1.FormCommunity: form_community,
    v1.RenameCommunity: simple(COMMUNITY, "community_id", c.decide_rename_community),
    v1.AddSchoolToCommunity: add_school,
    v1.RemoveSchoolFromCommunity: simple(COMMUNITY, "community_id", c.decide_remove_school),
    v1.AddTeacherToCommunity: add_teacher,
    v1.RemoveTeacherFromCommunity: simple(COMMUNITY, "community_id", c.decide_remove_teacher),
    v1.OpenStudioStation: open_station,
    v1.CloseStudioStation: simple(COMMUNITY, "community_id", s.decide_close_station),
    v1.DissolveCommunity: simple(COMMUNITY, "community_id", s.decide_dissolve),
}
"""The handler of each community command."""
