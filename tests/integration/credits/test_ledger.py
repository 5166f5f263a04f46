"""The ledger of a county from its public events, explained, and its totals published."""

from __future__ import annotations

from decimal import Decimal

from nats.aio.client import Client

from contracts.credits import v1
from services.credits.app import CreditsService
from tests.integration.credits.conftest import hours_events, publish_golden, settle
from tests.unit.credits.golden import (
    EXPECTED_ENTRIES_V1,
    EXPECTED_SHORTFALL_V1,
    EXPECTED_TARGETS,
    EXPECTED_V1,
    YEAR,
)


async def published(nc: Client, county: str) -> list[object]:
    found = []
    for teacher in EXPECTED_V1:
        found += await hours_events(nc, county, f"{county}-{teacher}", str(YEAR))
    return found


async def test_a_county_year_gives_the_hand_computed_totals_line_by_line(
    credits: CreditsService, nc: Client, code: str
) -> None:
    await publish_golden(nc, code)
    await settle(credits)

    for teacher, hours in EXPECTED_V1.items():
        found = credits.queries.explain(f"{code}-{teacher}", "year", str(YEAR))
        assert found is not None, teacher
        assert found.totals.hours == hours, teacher
        assert found.totals.target == EXPECTED_TARGETS[teacher], teacher
        assert found.totals.shortfall == EXPECTED_SHORTFALL_V1[teacher], teacher
        for entry in found.entries:
            assert entry.hours == EXPECTED_ENTRIES_V1[entry.activity_id.split("-")[-1]]
            assert entry.rule_set_version and entry.source_event_ids

    rows = credits.queries.totals_rows(code, "year", str(YEAR))
    assert {r["teacher_id"]: r["hours"] for r in rows} == {
        f"{code}-{t}": h for t, h in EXPECTED_V1.items()
    }
    events = await published(nc, code)
    changed = [e for e in events if isinstance(e, v1.TeacherHoursChanged)]
    assert {e.teacher_id: e.hours for e in changed} == {
        f"{code}-{t}": h for t, h in EXPECTED_V1.items()
    }, "the last change published per teacher is the total"
    short = [e for e in events if isinstance(e, v1.ShortfallDetected)]
    assert {e.teacher_id: e.shortfall for e in short} == {
        f"{code}-{t}": s for t, s in EXPECTED_SHORTFALL_V1.items() if s
    }, "2026 ends within 61 days of the 31 December: every shortfall is announced once"
    again = await credits.publish()
    assert again == 0, "nothing changed, nothing published"
    county = credits.queries.county_rollup(code, "year", str(YEAR))
    assert county["teachers"] == 6 and county["hours"] == sum(EXPECTED_V1.values(), Decimal(0))
