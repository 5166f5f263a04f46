"""Attended minutes and attendance status from sign-in times (pure)."""

from __future__ import annotations

from datetime import time

from contracts.activities.v1 import AttendanceStatus, Schedule

__all__ = ["attendance"]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def attendance(
    schedule: Schedule, signed_in: time | None, signed_out: time | None, tolerance: int
) -> tuple[AttendanceStatus, int]:
    """Status and minutes attended within the scheduled time.

    Arriving more than ``tolerance`` minutes after the start is late; leaving more than
    ``tolerance`` minutes before the end is leaving early. No sign-out: stayed to the end.
    """
    if signed_in is None:
        return AttendanceStatus.ABSENT, 0
    start, end = _minutes(schedule.starts_at), _minutes(schedule.ends_at)
    came = _minutes(signed_in)
    left = _minutes(signed_out) if signed_out is not None else end
    minutes = max(0, min(left, end) - max(came, start))
    late = came > start + tolerance
    early = left < end - tolerance
    if late and early:
        return AttendanceStatus.LATE_AND_LEFT_EARLY, minutes
    if late:
        return AttendanceStatus.LATE, minutes
    if early:
        return AttendanceStatus.LEFT_EARLY, minutes
    return AttendanceStatus.PRESENT, minutes
