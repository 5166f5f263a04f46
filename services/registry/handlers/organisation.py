"""Handlers of county and school commands."""

from __future__ import annotations

from contracts.registry import v1
from eventlog.commandbus import CommandMeta
from eventlog.store import AppendResult, EventStore
from services.registry.domain import counties as c
from services.registry.domain import schools as s
from services.registry.domain.rules import must_exist
from services.registry.handlers.common import (
    COUNTY,
    SCHOOL,
    Handlers,
    decide_on,
    load_state,
    same_county,
    simple,
    today,
)

__all__ = ["HANDLERS", "register_school"]


async def register_school(
    store: EventStore, cmd: v1.RegisterSchool, meta: CommandMeta
) -> AppendResult:
    """Enter a school of a registered county."""
    same_county(meta, cmd.county_code)
    county = await load_state(store, meta.county, COUNTY, meta.county)
    must_exist(county.registered, f"county {meta.county}", "county_code")
    day = today(meta)
    return await decide_on(
        store, meta, SCHOOL, cmd.school_id, lambda st: s.decide_register_school(st, cmd, day)
    )


HANDLERS: Handlers = {
    v1.RegisterCounty: simple(COUNTY, "county_code", c.decide_register_county, county_in_body=True),
    v1.RenameCounty: simple(COUNTY, "county_code", c.decide_rename_county, county_in_body=True),
    v1.RegisterSchool: register_school,
    v1.RenameSchool: simple(SCHOOL, "school_id", s.decide_rename_school, county_in_body=True),
    v1.ChangeSchoolAttributes: simple(
        SCHOOL, "school_id", s.decide_change_school, county_in_body=True
    ),
    v1.CloseSchool: simple(SCHOOL, "school_id", s.decide_close_school, county_in_body=True),
    v1.ReopenSchool: simple(SCHOOL, "school_id", s.decide_reopen_school, county_in_body=True),
}
"""The handler of each county and school command."""
