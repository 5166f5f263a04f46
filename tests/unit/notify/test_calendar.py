"""The reminder calendar: deadline rules, reminder moments, quiet hours, time zones."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notify.calendar import (
    DeadlineRule,
    QuietHours,
    defer_past_quiet,
    local_moment,
    reminder_moments,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

LAST_FRIDAYS_2026 = [
    date(2026, 1, 30),
    date(2026, 2, 27),
    date(2026, 3, 27),
    date(2026, 4, 24),
    date(2026, 5, 29),
    date(2026, 6, 26),
    date(2026, 7, 31),
    date(2026, 8, 28),
    date(2026, 9, 25),
    date(2026, 10, 30),
    date(2026, 11, 27),
    date(2026, 12, 25),
]


@pytest.mark.parametrize("month", range(1, 13))
def test_the_last_friday_of_each_month_of_2026(month):
    found = DeadlineRule(last_weekday="friday").dates(date(2026, 1, 1), date(2026, 12, 31))
    assert found[month - 1] == LAST_FRIDAYS_2026[month - 1]
    day = found[month - 1]
    assert day.weekday() == 4 and (day + timedelta(days=7)).month != month


@pytest.mark.parametrize(
    ("year", "february"),
    [
        (2024, date(2024, 2, 23)),
        (2028, date(2028, 2, 25)),
        (2025, date(2025, 2, 28)),
        (2100, date(2100, 2, 26)),
    ],
)
def test_last_friday_of_february_in_leap_and_common_years(year, february):
    found = DeadlineRule(last_weekday="friday").dates(
        date(year, 2, 1), date(year, 2, 28 + 1 if year % 4 == 0 and year != 2100 else 28)
    )
    assert found == [february]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2023, 1, 1), date(2029, 12, 31), [date(2024, 2, 29), date(2028, 2, 29)]),
        (date(2025, 1, 1), date(2027, 12, 31), []),
        (date(2100, 1, 1), date(2100, 12, 31), []),  # not a leap year
    ],
)
def test_a_yearly_29_february_comes_only_in_leap_years(first, last, expected):
    assert DeadlineRule(yearly="02-29").dates(first, last) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (DeadlineRule(yearly="02-24"), [date(2026, 2, 24), date(2027, 2, 24)]),
        (DeadlineRule(yearly="05-08"), [date(2026, 5, 8), date(2027, 5, 8)]),
        (DeadlineRule(yearly="06-30"), [date(2026, 6, 30)]),
        (DeadlineRule(on=date(2026, 3, 12)), [date(2026, 3, 12)]),
    ],
)
def test_fixed_dates(rule, expected):
    assert rule.dates(date(2026, 1, 1), date(2027, 6, 1)) == expected


def test_the_20th_of_each_month():
    found = DeadlineRule(monthly_day=20).dates(date(2026, 1, 1), date(2026, 12, 31))
    assert found == [date(2026, m, 20) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("year", "february_end"), [(2024, date(2024, 2, 29)), (2026, date(2026, 2, 28))]
)
def test_a_day_past_a_short_month_falls_on_its_last_day(year, february_end):
    found = DeadlineRule(monthly_day=31).dates(date(year, 1, 1), date(year, 4, 30))
    assert found == [date(year, 1, 31), february_end, date(year, 3, 31), date(year, 4, 30)]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"yearly": "02-24", "monthly_day": 20}, {"last_weekday": "fryday"}],
)
def test_a_rule_is_exactly_one_valid_kind(kwargs):
    with pytest.raises(ValueError):
        DeadlineRule(**kwargs)


@pytest.mark.parametrize(
    ("days_before", "fires_local"),
    [(0, datetime(2027, 2, 24, 9)), (1, datetime(2027, 2, 23, 9)), (7, datetime(2027, 2, 17, 9))],
)
def test_n_days_before_a_deadline_at_a_local_time(days_before, fires_local):
    after = datetime(2027, 2, 1, tzinfo=UTC)
    until = datetime(2027, 3, 1, tzinfo=UTC)
    found = reminder_moments(
        DeadlineRule(yearly="02-24"), (days_before,), time(9), SHANGHAI, after, until
    )
    assert [m.fires_at for m in found] == [fires_local.replace(tzinfo=SHANGHAI)]
    assert found[0].deadline == date(2027, 2, 24) and found[0].days_before == days_before


def test_reminders_before_a_deadline_cross_a_month_and_a_year():
    after = datetime(2026, 12, 20, tzinfo=UTC)
    until = datetime(2027, 1, 10, tzinfo=UTC)
    found = reminder_moments(DeadlineRule(monthly_day=3), (5,), time(9), SHANGHAI, after, until)
    assert [m.fires_at.date() for m in found] == [date(2026, 12, 29)]
    assert [m.deadline for m in found] == [date(2027, 1, 3)]


def test_a_window_is_open_below_and_closed_above():
    rule = DeadlineRule(on=date(2026, 3, 12))
    fires = local_moment(date(2026, 3, 12), time(9), SHANGHAI)
    assert reminder_moments(rule, (0,), time(9), SHANGHAI, fires, fires + timedelta(hours=1)) == []
    found = reminder_moments(rule, (0,), time(9), SHANGHAI, fires - timedelta(seconds=1), fires)
    assert len(found) == 1


def test_consecutive_windows_fire_each_reminder_once():
    rule = DeadlineRule(last_weekday="friday")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    edges = [start + timedelta(hours=7 * i) for i in range(0, 1300)]
    fired = [
        m
        for a, b in itertools.pairwise(edges)
        for m in reminder_moments(rule, (2, 0), time(9), SHANGHAI, a, b)
    ]
    once = reminder_moments(rule, (2, 0), time(9), SHANGHAI, edges[0], edges[-1])
    assert fired == once and len(once) == 2 * 12


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Asia/Shanghai", 1), ("Asia/Urumqi", 3), ("Europe/London", 9), ("America/New_York", 14)],
)
def test_local_nine_oclock_in_other_time_zones(zone, utc_hour):
    fires = local_moment(date(2026, 1, 15), time(9), ZoneInfo(zone))
    assert fires.astimezone(UTC).hour == utc_hour


def test_a_reminder_across_a_daylight_saving_change_keeps_its_local_time():
    zone = ZoneInfo("Europe/Berlin")
    after = datetime(2026, 3, 20, tzinfo=UTC)
    until = datetime(2026, 4, 5, tzinfo=UTC)
    found = reminder_moments(
        DeadlineRule(on=date(2026, 3, 31)), (0, 7), time(9), zone, after, until
    )
    assert [m.fires_at.astimezone(zone).hour for m in found] == [9, 9]
    assert [m.fires_at.astimezone(UTC).hour for m in found] == [8, 7]


QUIET = QuietHours(time(22), time(7, 30))


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 1, 21, 59), datetime(2026, 3, 1, 21, 59)),
        (datetime(2026, 3, 1, 22, 0), datetime(2026, 3, 2, 7, 30)),
        (datetime(2026, 3, 1, 23, 45), datetime(2026, 3, 2, 7, 30)),
        (datetime(2026, 3, 2, 3, 0), datetime(2026, 3, 2, 7, 30)),
        (datetime(2026, 3, 2, 7, 30), datetime(2026, 3, 2, 7, 30)),
        (datetime(2026, 12, 31, 23, 0), datetime(2027, 1, 1, 7, 30)),
        (datetime(2028, 2, 28, 23, 0), datetime(2028, 2, 29, 7, 30)),
    ],
)
def test_quiet_hours_across_midnight_defer_to_their_end(local, expected):
    moment = local.replace(tzinfo=SHANGHAI).astimezone(UTC)
    deferred = defer_past_quiet(moment, QUIET, SHANGHAI)
    assert deferred.astimezone(SHANGHAI).replace(tzinfo=None) == expected
    assert deferred.tzinfo == UTC


@pytest.mark.parametrize(("hour", "quiet"), [(12, True), (13, True), (14, False), (11, False)])
def test_quiet_hours_within_one_day(hour, quiet):
    lunch = QuietHours(time(12), time(14))
    assert lunch.holds(time(hour)) is quiet


def test_no_quiet_hours_changes_nothing():
    moment = datetime(2026, 3, 1, 15, tzinfo=UTC)  # 23:00 in Shanghai
    assert defer_past_quiet(moment, None, SHANGHAI) == moment


def test_quiet_hours_are_judged_in_the_county_zone():
    moment = datetime(2026, 3, 1, 15, tzinfo=UTC)  # 23:00 Shanghai, 07:00 Los Angeles
    assert defer_past_quiet(moment, QUIET, SHANGHAI) != moment
    la = ZoneInfo("America/Los_Angeles")
    assert defer_past_quiet(moment, QUIET, la).astimezone(la).time() == time(7, 30)
