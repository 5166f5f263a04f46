"""Credits contracts, major version 1: hours (学时) per teacher per year and cycle.

Events on ``evt.<county>.credits.teacher_hours.<teacher_id>_<period>.<Event>`` (see
:func:`teacher_hours_id`) and ``evt.<county>.credits.ledger.<rule_set_id>.LedgerSwitched``;
commands on ``cmd.<county>.credits.<Command>``. Hours are decimals, written on the wire as
JSON strings (``"36.5"``).
"""

from __future__ import annotations

from contracts.base import Command, Event
from contracts.credits._v1_commands import ReviewHours, VoidEntry
from contracts.credits._v1_events import (
    EntryVoided,
    HoursCertified,
    HoursCorrected,
    HoursReviewed,
    LedgerSwitched,
    ShortfallDetected,
    TeacherHoursChanged,
)
from contracts.credits._v1_values import (
    Hours,
    Period,
    PeriodKind,
    ReviewOutcome,
    ReviewStep,
    RuleSetId,
    RuleSetVersion,
)

__all__ = [
    "COMMANDS",
    "EVENTS",
    "EntryVoided",
    "Hours",
    "HoursCertified",
    "HoursCorrected",
    "HoursReviewed",
    "LedgerSwitched",
    "Period",
    "PeriodKind",
    "ReviewHours",
    "ReviewOutcome",
    "ReviewStep",
    "RuleSetId",
    "RuleSetVersion",
    "ShortfallDetected",
    "TeacherHoursChanged",
    "VoidEntry",
    "teacher_hours_id",
]


def teacher_hours_id(teacher_id: str, period: str) -> str:
    """The aggregate id of one teacher's hours in one period, e.g. ``T0001_2021-2025``
    (a school year ``2025/2026`` becomes ``T0001_2025_2026``: subjects take no ``/``)."""
    return f"{teacher_id}_{period.replace('/', '_')}"


EVENTS: tuple[type[Event], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Event) and value.context == "credits"
)
"""Every public credits event of v1."""

COMMANDS: tuple[type[Command], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Command) and value.context == "credits"
)
"""Every public credits command of v1."""
