"""Decisions of the activity life cycle: request → review → schedule → held → closed."""

from __future__ import annotations

from datetime import date

from contracts import Event
from contracts.activities import v1
from contracts.replies import RuleBroken
from services.activities.configuration import KindSpec
from services.activities.domain.rules import (
    CommunityFact,
    Context,
    require_active_community,
    require_status,
)
from services.activities.domain.state import ActivityState

__all__ = [
    "cancel",
    "mark_held",
    "request",
    "reschedule",
    "resubmit",
    "review",
    "schedule",
]


def request(
    state: ActivityState,
    cmd: v1.RequestActivity,
    ctx: Context,
    community: CommunityFact | None = None,
) -> list[Event]:
    """Request an activity of a configured kind; a requesting community must exist on the
    proposed date (``community``: the registry's record of it)."""
    require_status(state, "RequestActivity", cmd.activity_id)
    if cmd.community_id is not None:
        require_active_community(community, cmd.community_id, cmd.proposed_on)
    spec = _known_kind(cmd.activity_kind, ctx)
    return [
        v1.ActivityRequested(
            activity_id=cmd.activity_id,
            county_code=ctx.county,
            activity_kind=cmd.activity_kind,
            activity_level=spec.level,
            category_hints=list(spec.category_hints),
            assessed=spec.assessed,
            **cmd.model_dump(
                include={"title", "community_id", "school_id", "stage", "proposed_on"}
            ),
            requested_by=cmd.requested_by,
            theme=cmd.theme or _theme(ctx, spec.themed, cmd.proposed_on.month),
        )
    ]


def _known_kind(kind: str, ctx: Context) -> KindSpec:
    spec = ctx.config.kind(kind)
    if spec is None:
        raise RuleBroken(
            f"{kind} is not an activity kind of county {ctx.county}",
            field="activity_kind",
            rule="KnownKind",
        )
    return spec


def _theme(ctx: Context, themed: bool, month: int) -> str | None:
    return ctx.config.monthly_themes.get(month) if themed else None


def review(state: ActivityState, cmd: v1.ReviewActivityPlan, ctx: Context) -> list[Event]:
    """Approve (with comments), return or reject a requested plan; a refusal needs a reason."""
    require_status(state, "ReviewActivityPlan", cmd.activity_id)
    if cmd.outcome is not v1.PlanOutcome.APPROVED and not cmd.comments.strip():
        raise RuleBroken(
            f"a plan {cmd.outcome} needs comments saying why",
            field="comments",
            rule="ReasonGiven",
        )
    fields = cmd.model_dump(include={"activity_id", "outcome", "reviewer", "comments"})
    return [v1.ActivityPlanReviewed(county_code=ctx.county, **fields)]


def resubmit(state: ActivityState, cmd: v1.ResubmitActivityPlan, ctx: Context) -> list[Event]:
    """Submit a returned plan again."""
    require_status(state, "ResubmitActivityPlan", cmd.activity_id)
    fields = cmd.model_dump(include={"activity_id", "title", "changes"})
    return [v1.ActivityPlanResubmitted(county_code=ctx.county, **fields)]


def _check_schedule(cmd: v1.Schedule) -> None:
    if cmd.ends_at <= cmd.starts_at:
        raise RuleBroken("an activity must end after it starts", field="ends_at", rule="Times")
    if not (cmd.place or cmd.online_link):
        raise RuleBroken("give a place or an online link", field="place", rule="Venue")


def _check_requester(state: ActivityState, requester: CommunityFact | None, day: date) -> None:
    """A community that requested the activity must still exist on its (new) date."""
    asked = state.requested.community_id if state.requested else None
    if asked is not None and requester is not None:
        require_active_community(requester, asked, day)


def schedule(
    state: ActivityState,
    cmd: v1.ScheduleActivity,
    ctx: Context,
    community_id: str | None,
    requester: CommunityFact | None = None,
) -> list[Event]:
    """Schedule an approved activity; ``community_id`` is judged on the scheduled date."""
    require_status(state, "ScheduleActivity", cmd.activity_id)
    _check_schedule(cmd)
    _check_requester(state, requester, cmd.held_on)
    return [
        v1.ActivityScheduled(county_code=ctx.county, community_id=community_id, **cmd.model_dump())
    ]


def reschedule(
    state: ActivityState,
    cmd: v1.RescheduleActivity,
    ctx: Context,
    community_id: str | None,
    requester: CommunityFact | None = None,
) -> list[Event]:
    """Move a scheduled activity; its community is judged again on the new date."""
    require_status(state, "RescheduleActivity", cmd.activity_id)
    _check_schedule(cmd)
    _check_requester(state, requester, cmd.held_on)
    return [
        v1.ActivityRescheduled(
            county_code=ctx.county, community_id=community_id, **cmd.model_dump()
        )
    ]


def cancel(state: ActivityState, cmd: v1.CancelActivity, ctx: Context) -> list[Event]:
    """Cancel an activity that has not been held."""
    require_status(state, "CancelActivity", cmd.activity_id)
    return [
        v1.ActivityCancelled(activity_id=cmd.activity_id, county_code=ctx.county, reason=cmd.reason)
    ]


def mark_held(state: ActivityState, cmd: v1.MarkActivityHeld, ctx: Context) -> list[Event]:
    """Record that a scheduled activity took place; not before its day."""
    require_status(state, "MarkActivityHeld", cmd.activity_id)
    assert state.schedule is not None
    day = state.schedule.held_on
    if day > ctx.today:
        raise RuleBroken(
            f"activity {cmd.activity_id} is scheduled for {day}: it cannot be held before",
            rule="NotBeforeItsDay",
        )
    return [v1.ActivityHeld(activity_id=cmd.activity_id, county_code=ctx.county, held_on=day)]
