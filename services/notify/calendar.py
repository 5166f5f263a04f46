"""The reminder calendar (pure): deadline dates, reminder moments, quiet hours.

Deadlines are rules over dates: a fixed day once (``on``), a day every year (``yearly``:
24 Feb, 8 May, 30 Jun), a day of every month (``monthly_day``: the 20th), or the last given
weekday of every month (``last_weekday``: the last Friday). A reminder fires ``N`` days
before a deadline at a local time; a moment inside quiet hours is moved to their end. All
moments are timezone-aware; local times are read in the county's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

__all__ = [
    "WEEKDAYS",
    "DeadlineRule",
    "QuietHours",
    "ReminderMoment",
    "defer_past_quiet",
    "local_moment",
    "reminder_moments",
]

WEEKDAYS = {
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
    "sunday": rrule.SU,
}


@dataclass(frozen=True)
class DeadlineRule:
    """Exactly one of: a date, a yearly ``MM-DD``, a day of the month, a last weekday."""

    on: date | None = None
    yearly: str | None = None
    monthly_day: int | None = None
    last_weekday: str | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.on, self.yearly, self.monthly_day, self.last_weekday) if v]
        if len(given) != 1:
            raise ValueError("a deadline is exactly one of on, yearly, monthly_day, last_weekday")
        if self.last_weekday is not None and self.last_weekday not in WEEKDAYS:
            raise ValueError(f"unknown weekday {self.last_weekday!r}")

    def dates(self, first: date, last: date) -> list[date]:
        """Every deadline from ``first`` to ``last`` (both included), in order."""
        if self.on is not None:
            return [self.on] if first <= self.on <= last else []
        start = datetime.combine(first, time())
        until = datetime.combine(last, time())
        return [d.date() for d in self._rule(start, until)]

    def _rule(self, start: datetime, until: datetime) -> rrule.rrule:
        if self.yearly is not None:
            month, day = (int(p) for p in self.yearly.split("-"))
            return rrule.rrule(
                rrule.YEARLY, dtstart=start, until=until, bymonth=month, bymonthday=day
            )
        if self.monthly_day is not None:
            # The 29th–31st fall on the last day of shorter months ("by the end of it").
            return rrule.rrule(
                rrule.MONTHLY,
                dtstart=start,
                until=until,
                bymonthday=(self.monthly_day, -1),
                bysetpos=1,
            )
        assert self.last_weekday is not None
        weekday = WEEKDAYS[self.last_weekday](-1)
        return rrule.rrule(rrule.MONTHLY, dtstart=start, until=until, byweekday=weekday)


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which nothing is sent (e.g. 22:00–07:30); may span midnight."""

    start: time
    end: time

    def holds(self, moment: time) -> bool:
        """Whether a local time of day is quiet."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware moment of a local date and time in ``zone``."""
    return datetime.combine(day, at, tzinfo=zone)


def defer_past_quiet(moment: datetime, quiet: QuietHours | None, zone: ZoneInfo) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (same zone as given)."""
    if quiet is None:
        return moment
    local = moment.astimezone(zone)
    if not quiet.holds(local.time()):
        return moment
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += timedelta(days=1)
    return local_moment(end_day, quiet.end, zone).astimezone(moment.tzinfo)


@dataclass(frozen=True, order=True)
class ReminderMoment:
    """When a reminder fires, for which deadline, and how many days before it."""

    fires_at: datetime
    deadline: date
    days_before: int


def reminder_moments(
    rule: DeadlineRule,
    days_before: tuple[int, ...],
    at: time,
    zone: ZoneInfo,
    after: datetime,
    until: datetime,
) -> list[ReminderMoment]:
    """Reminders firing in ``(after, until]``: ``N`` days before each deadline at ``at``."""
    longest = max(days_before, default=0)
    first = after.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date() + timedelta(days=longest + 1)
    found = []
    for deadline in rule.dates(first, last):
        for n in days_before:
            fires = local_moment(deadline - timedelta(days=n), at, zone)
            if after < fires <= until:
                found.append(ReminderMoment(fires, deadline, n))
    return sorted(found)
