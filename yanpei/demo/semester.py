"""A semester of the sample county (2025 autumn) as command sequences, one per activity.

Deterministic, so the quota figures can be worked out by hand (see the integration test):
10 lesson deliveries by communities C1..C4 (4, 3, 2, 1), 8 joint plannings requested by
partner schools (P41's two fall either side of its move from C4 to C5), 15 class observations
per lead school and 10 per partner school (whole upload packages for all but L1's first at
lead schools, for the even ones at partner schools), 2 school-based trainings and 1 parent
lecture per school; 5 more deliveries are cancelled. Every activity goes request → review →
schedule → participants → held → sign-in → materials → assessment → close.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from contracts import Command
from contracts.activities import v1
from yanpei.demo.county import COMMUNITIES, County

START = date(2025, 9, 8)
R = v1.ParticipantRole
DELIVERIES = [(1, 4), (2, 3), (3, 2), (4, 1)]
PLANNING_SCHOOLS = [(1, 1), (1, 1), (2, 1), (2, 1), (3, 1), (3, 1), (4, 1), (4, 1)]
P41_PLANNING_DAYS = (date(2025, 10, 20), date(2025, 12, 10))
PACKAGE_REST = ("photos", "evaluation_record")
"""What completes a class observation's upload after its sign-in sheet and lesson plan."""
REFLECTION = "本次校本研修让我认识到课堂提问的设计与学生思维发展的关系。" * 40


@dataclass
class Plan:
    """One activity: its id, kind, date, and the commands that run it."""

    activity_id: str
    kind: str
    held_on: date
    people: list[tuple[str, v1.ParticipantRole]]
    commands: list[Command] = field(default_factory=list)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sign_ins(people: list[tuple[str, v1.ParticipantRole]], seed: int) -> list[v1.SignInEntry]:
    entries = []
    for n, (teacher, _) in enumerate(people):
        k = n + seed
        came = None if k % 13 == 12 else time(14, 20) if k % 7 == 6 else time(13, 55)
        left = time(15, 30) if k % 11 == 10 else None
        entries.append(v1.SignInEntry(teacher_id=teacher, signed_in_at=came, signed_out_at=left))
    return entries


def _material(
    aid: str, item: str, teacher: str | None, text: str | None = None
) -> v1.SubmitMaterial:
    body = text or f"{aid}/{item}/{teacher}"
    return v1.SubmitMaterial(
        activity_id=aid,
        material_kind=item,
        title=item,
        file_ref=f"files/{aid}/{item}/{teacher}",
        sha256=_sha(body),
        size_bytes=len(body.encode()),
        submitted_by="联络员",
        teacher_id=teacher,
        reflection_text=text,
    )


def _request(plan: Plan, community: str | None, school: str | None) -> list[Command]:
    aid = plan.activity_id
    return [
        v1.RequestActivity(
            activity_id=aid,
            activity_kind=plan.kind,
            title=f"{plan.kind} {aid}",
            community_id=community,
            school_id=school,
            proposed_on=plan.held_on,
            requested_by="教研室",
        ),
        v1.ReviewActivityPlan(
            activity_id=aid, outcome=v1.PlanOutcome.APPROVED, reviewer="审核人", comments="同意"
        ),
    ]


def _schedule(plan: Plan, organiser: str, targets: list[str]) -> v1.ScheduleActivity:
    return v1.ScheduleActivity(
        activity_id=plan.activity_id,
        held_on=plan.held_on,
        starts_at=time(14, 0),
        ends_at=time(16, 0),
        place="多功能室",
        host="县教师发展中心",
        organiser_school_id=organiser,
        target_school_ids=targets,
        scheduled_minutes=120,
    )


def _run(
    plan: Plan,
    *,
    community: str | None,
    school: str | None,
    organiser: str,
    targets: list[str],
    extra: list[Command],
) -> Plan:
    """Request → review → schedule → participants → held → sign-in → ``extra`` → close."""
    aid = plan.activity_id
    plan.commands = [
        *_request(plan, community, school),
        _schedule(plan, organiser, targets),
        v1.RegisterParticipants(
            activity_id=aid,
            participants=[v1.ParticipantEntry(teacher_id=t, role=r) for t, r in plan.people],
        ),
        v1.MarkActivityHeld(activity_id=aid),
        v1.SignInMany(activity_id=aid, entries=_sign_ins(plan.people, len(aid))),
        *extra,
        v1.CloseActivity(activity_id=aid),
    ]
    return plan


def _deliveries(c: County) -> list[Plan]:
    plans, g = [], 0
    for k, count in DELIVERIES:
        for i in range(count):
            target = c.partner(k, i % 3 + 1)
            people = [
                (c.researcher(g % 6 + 1), R.PRESENTER),
                (c.researcher((g + 1) % 6 + 1), R.PRESENTER),
            ]
            people += [(t, R.ATTENDEE) for t in c.teachers(target)[:10]]
            plan = Plan(
                f"a{c.code}-d{g}", "lesson_delivery", START + timedelta(days=2 + 7 * g), people
            )
            extra: list[Command] = [_material(plan.activity_id, "sign_in_sheet", None)]
            plans.append(
                _run(
                    plan,
                    community=c.community(k),
                    school=None,
                    organiser=c.lead(k),
                    targets=[target],
                    extra=extra,
                )
            )
            g += 1
    return plans


def _plannings(c: County) -> list[Plan]:
    plans = []
    for n, (k, j) in enumerate(PLANNING_SCHOOLS):
        school = c.partner(k, j)
        day = P41_PLANNING_DAYS[n - 6] if k == 4 else START + timedelta(days=23 + 5 * n)
        people = [(c.researcher(1), R.ATTENDEE)]
        people += [(c.researcher(2), R.ATTENDEE)] if n % 2 == 0 else []
        people += [(c.researcher(3), R.ATTENDEE)] if n < 3 else []
        teachers = c.teachers(school)
        people += [(teachers[0], R.PRESENTER)] + [(t, R.ATTENDEE) for t in teachers[1:6]]
        plan = Plan(f"a{c.code}-j{n}", "joint_planning", day, people)
        extra: list[Command] = [_material(plan.activity_id, "lesson_plan", None)]
        plans.append(
            _run(plan, community=None, school=school, organiser=school, targets=[], extra=extra)
        )
    return plans


def _uploads_package(c: County, school: str, i: int) -> bool:
    """Whether observation ``i`` of ``school`` gets its whole package uploaded: every one at a
    lead school but L1's first; the even ones at a partner school."""
    if school == c.lead(1):
        return i > 0
    return "-l" in school or i % 2 == 0


def _observations(c: County, school: str, count: int) -> list[Plan]:
    plans = []
    teachers = c.teachers(school)
    people = [
        (teachers[0], R.PRESENTER),
        *((t, R.ATTENDEE) for t in teachers[1:17]),
        (teachers[17], R.EVALUATOR),
    ]
    for i in range(count):
        plan = Plan(
            f"a{c.code}-o{school[-3:]}{i}",
            "class_observation",
            START + timedelta(days=7 + 9 * i),
            people,
        )
        extra: list[Command] = [
            _material(plan.activity_id, "sign_in_sheet", None),
            _material(plan.activity_id, "lesson_plan", teachers[0]),
        ]
        if _uploads_package(c, school, i):
            extra += [_material(plan.activity_id, item, None) for item in PACKAGE_REST]
        plans.append(
            _run(plan, community=None, school=school, organiser=school, targets=[], extra=extra)
        )
    return plans


def _trainings(c: County, school: str) -> list[Plan]:
    plans = []
    teachers = c.teachers(school)
    people = [(teachers[0], R.LECTURER), *((t, R.ATTENDEE) for t in teachers[1:20])]
    for i in range(2):
        aid = f"a{c.code}-s{school[-3:]}{i}"
        plan = Plan(aid, "school_based_training", START + timedelta(days=30 + 40 * i), people)
        extra: list[Command] = [_material(aid, "reflection", t, REFLECTION) for t in teachers[1:3]]
        extra += [
            v1.AssessParticipant(activity_id=aid, teacher_id=t, result=result, assessor="教导主任")
            for t, result in zip(teachers[1:4], list(v1.Result), strict=True)
        ]
        plans.append(
            _run(plan, community=None, school=school, organiser=school, targets=[], extra=extra)
        )
    lecture = Plan(
        f"a{c.code}-pl{school[-3:]}",
        "parent_lecture",
        START + timedelta(days=50),
        [(teachers[0], R.LECTURER), *((t, R.ATTENDEE) for t in teachers[1:11])],
    )
    plans.append(
        _run(
            lecture,
            community=None,
            school=school,
            organiser=school,
            targets=[],
            extra=[_material(lecture.activity_id, "photos", None)],
        )
    )
    return plans


def _cancelled(c: County) -> list[Plan]:
    plans = []
    for i in range(5):
        aid = f"a{c.code}-x{i}"
        plan = Plan(aid, "lesson_delivery", START + timedelta(days=60 + i), [])
        plan.commands = [
            v1.RequestActivity(
                activity_id=aid,
                activity_kind="lesson_delivery",
                title="送教",
                community_id=c.community(5),
                proposed_on=plan.held_on,
                requested_by="教研室",
            ),
            v1.ReviewActivityPlan(
                activity_id=aid, outcome=v1.PlanOutcome.APPROVED, reviewer="审核人"
            ),
            v1.CancelActivity(activity_id=aid, reason="天气原因"),
        ]
        plans.append(plan)
    return plans


def semester(county: County) -> list[Plan]:
    """Every activity of the sample county's 2025 autumn semester."""
    plans = _deliveries(county) + _plannings(county) + _cancelled(county)
    for k in range(1, COMMUNITIES + 1):
        plans += _observations(county, county.lead(k), 15)
        for j in (1, 2, 3):
            plans += _observations(county, county.partner(k, j), 10)
    for school in county.schools():
        plans += _trainings(county, school)
    return plans
