"""Which events call for a notification, of what kind, to whom (pure over the directory).

An event gives :class:`Plan` s: a kind, the cause (the event id), the county, a recipient
(``teacher:<id>``, ``school:<id>``) and what the template needs. Channels, language, digest
and quiet hours are the router's business.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.activities import v1 as act
from contracts.credits import v1 as cr
from services.notify.lookups import Directory

__all__ = ["KINDS", "Plan", "plans_for"]

KINDS = (
    "activity_scheduled",
    "activity_rescheduled",
    "activity_cancelled",
    "plan_returned",
    "plan_rejected",
    "activity_reminder",
    "deadline_reminder",
    "materials_missing",
    "materials_missing_school",
    "quota_unreachable",
    "quota_met",
    "hours_shortfall",
    "hours_corrected",
    "digest",
)
"""Every notification kind; each has a template per language."""


@dataclass(frozen=True)
class Plan:
    """One notification to one recipient, before routing to channels."""

    kind: str
    cause_id: str
    county: str
    recipient: str
    context: dict[str, Any] = field(default_factory=dict)
    due: datetime | None = None
    """When it fell due (a reminder's moment); None: when planned."""


Planner = Callable[[Directory, Any, str], list[Plan]]


def teacher(teacher_id: str) -> str:
    return f"teacher:{teacher_id}"


def school(school_id: str) -> str:
    return f"school:{school_id}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def activity_context(row: Any) -> dict[str, Any]:
    """What templates show of an activity (from the directory row)."""
    return {
        "activity_id": row.activity_id,
        "title": row.title,
        "held_on": str(row.held_on),
        "starts_at": row.starts_at.strftime("%H:%M") if row.starts_at else "",
        "ends_at": row.ends_at.strftime("%H:%M") if row.ends_at else "",
        "place": row.place or "",
    }


def activity_audience(d: Directory, row: Any, *, schools: bool = True) -> list[str]:
    """The participants, and (``schools``) the target and organiser schools."""
    people = [teacher(p.teacher_id) for p in d.participants(row.activity_id)]
    if not schools:
        return people
    targets = json.loads(row.target_school_ids or "[]")
    if row.organiser_school_id:
        targets.append(row.organiser_school_id)
    return _unique(people + [school(s) for s in targets])


def _activity_notice(kind: str) -> Planner:
    def plan(d: Directory, e: Any, cause: str) -> list[Plan]:
        row = d.activity(e.activity_id)
        if row is None:
            return []
        context = {**activity_context(row), "reason": getattr(e, "reason", "")}
        return [Plan(kind, cause, e.county_code, r, context) for r in activity_audience(d, row)]

    return plan


def _registered(d: Directory, e: act.ParticipantRegistered, cause: str) -> list[Plan]:
    row = d.activity(e.activity_id)
    if row is None or row.status != "scheduled":
        return []  # told when it is scheduled
    context = {**activity_context(row), "reason": ""}
    return [Plan("activity_scheduled", cause, e.county_code, teacher(e.teacher_id), context)]


def _reviewed(d: Directory, e: act.ActivityPlanReviewed, cause: str) -> list[Plan]:
    if e.outcome == act.PlanOutcome.APPROVED:
        return []
    row = d.activity(e.activity_id)
    if row is None:
        return []
    requester = row.school_id or (row.community_id and d.lead_school(row.community_id))
    if not requester:
        return []
    context = {
        "activity_id": e.activity_id,
        "title": row.title,
        "reason": e.comments,
        "reviewer": e.reviewer,
    }
    return [Plan(f"plan_{e.outcome}", cause, e.county_code, school(requester), context)]


def _quota(kind: str) -> Planner:
    def plan(d: Directory, e: Any, cause: str) -> list[Plan]:
        subject = e.subject_id
        lead = d.lead_school(subject)
        if lead:
            recipient = school(lead)
        elif d.is_teacher(subject):
            recipient = teacher(subject)
        else:
            recipient = school(subject)
        context = {
            "quota_id": e.quota_id,
            "period": e.period,
            "subject_id": subject,
            "done": e.done,
            "required": e.required,
        }
        return [Plan(kind, cause, e.county_code, recipient, context)]

    return plan


def _shortfall(d: Directory, e: cr.ShortfallDetected, cause: str) -> list[Plan]:
    context = {
        "teacher_id": e.teacher_id,
        "teacher_name": d.teacher_name(e.teacher_id),
        "period": e.period,
        "hours": str(e.hours),
        "target": str(e.target),
        "shortfall": str(e.shortfall),
        "as_of": str(e.as_of),
    }
    return [
        Plan("hours_shortfall", cause, e.county_code, r, context)
        for r in (teacher(e.teacher_id), school(e.school_id))
    ]


def _corrected(d: Directory, e: cr.HoursCorrected, cause: str) -> list[Plan]:
    context = {
        "teacher_id": e.teacher_id,
        "period": e.period,
        "previous_hours": str(e.previous_hours),
        "hours": str(e.hours),
        "difference": str(e.difference),
        "reason": e.reason,
        "rule_set": f"{e.rule_set_id} {e.rule_set_version}",
    }
    return [Plan("hours_corrected", cause, e.county_code, teacher(e.teacher_id), context)]


PLANNERS: dict[type, Planner] = {
    act.ActivityScheduled: _activity_notice("activity_scheduled"),
    act.ActivityRescheduled: _activity_notice("activity_rescheduled"),
    act.ActivityCancelled: _activity_notice("activity_cancelled"),
    act.ParticipantRegistered: _registered,
    act.ActivityPlanReviewed: _reviewed,
    act.QuotaUnreachable: _quota("quota_unreachable"),
    act.QuotaMet: _quota("quota_met"),
    cr.ShortfallDetected: _shortfall,
    cr.HoursCorrected: _corrected,
}


def plans_for(directory: Directory, event: Any, cause_id: str) -> list[Plan]:
    """The notifications an event calls for (none for most events)."""
    planner = PLANNERS.get(type(event))
    return planner(directory, event, cause_id) if planner else []
