"""Templates per notification kind and language (Jinja2): the first line is the subject.

``templates/<kind>.<language>.txt``; rendering is strict (a missing value is an error,
not an empty string). :data:`SAMPLES` hold sample data for ``yanpei notify preview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from services.notify.planning import KINDS

__all__ = ["SAMPLES", "Message", "Renderer", "UnknownTemplate"]

TEMPLATES = Path(__file__).parent / "templates"


class UnknownTemplate(LookupError):
    """No template for this kind and language."""


@dataclass(frozen=True)
class Message:
    """A rendered notification."""

    subject: str
    body: str


class Renderer:
    """Renders a kind in a language with a context."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(folder),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )

    def render(self, kind: str, language: str, context: dict[str, Any]) -> Message:
        """The subject (first line) and body of one notification."""
        try:
            template = self.env.get_template(f"{kind}.{language}.txt")
        except TemplateNotFound:
            raise UnknownTemplate(
                f"no template for kind {kind!r} in language {language!r}"
            ) from None
        titles = context.get("titles")
        if titles:  # a reminder's title in each language
            context = {**context, "title": titles.get(language) or next(iter(titles.values()))}
        text = template.render(**context)
        subject, _, body = text.partition("\n")
        return Message(subject.strip(), body.strip() + "\n")

    def render_digest(self, language: str, day: str, items: list[dict[str, Any]]) -> Message:
        """One message of several: each item rendered on its own, then the digest."""
        parts = []
        for item in items:
            message = self.render(item["kind"], language, item["context"])
            parts.append({"subject": message.subject, "body": message.body.strip()})
        return self.render("digest", language, {"day": day, "items": parts})


_ACTIVITY = {
    "activity_id": "A510781-0001",
    "title": "初中数学同课异构 / Junior maths: same lesson, different designs",
    "held_on": "2026-03-18",
    "starts_at": "09:00",
    "ends_at": "11:30",
    "place": "广汉中学 3 楼会议室",
    "reason": "",
}
_ITEMS = [
    {
        "activity_title": _ACTIVITY["title"],
        "held_on": "2026-03-18",
        "missing": ["reflection", "lesson_plan"],
        "teacher_name": "张老师",
    }
]
SAMPLES: dict[str, dict[str, Any]] = {
    "activity_scheduled": _ACTIVITY,
    "activity_rescheduled": {**_ACTIVITY, "reason": "考试周 / exam week"},
    "activity_cancelled": {**_ACTIVITY, "reason": "天气 / weather"},
    "plan_returned": {
        "activity_id": "A1",
        "title": _ACTIVITY["title"],
        "reviewer": "教研室 / research office",
        "reason": "请补充评课安排",
    },
    "plan_rejected": {
        "activity_id": "A1",
        "title": _ACTIVITY["title"],
        "reviewer": "教研室 / research office",
        "reason": "与期中考试冲突",
    },
    "activity_reminder": _ACTIVITY,
    "deadline_reminder": {"title": "学校材料1–5", "deadline": "2027-02-24", "days_before": 7},
    "materials_missing": {
        "title": "教师材料",
        "deadline": "2027-04-30",
        "teacher_name": "张老师",
        "items": _ITEMS,
    },
    "materials_missing_school": {
        "title": "教师材料",
        "deadline": "2027-04-30",
        "school_name": "广汉中学",
        "items": _ITEMS,
    },
    "quota_unreachable": {
        "quota_id": "community_exchanges",
        "period": "2026-autumn",
        "subject_id": "GT510781-1",
        "done": 1,
        "required": 3,
    },
    "quota_met": {
        "quota_id": "community_exchanges",
        "period": "2026-autumn",
        "subject_id": "GT510781-1",
        "done": 3,
        "required": 3,
    },
    "hours_shortfall": {
        "teacher_id": "T1",
        "teacher_name": "张老师",
        "period": "2026",
        "hours": "20",
        "target": "36",
        "shortfall": "16",
        "as_of": "2026-11-30",
    },
    "hours_corrected": {
        "teacher_id": "T1",
        "period": "2026",
        "previous_hours": "30",
        "hours": "33",
        "difference": "3",
        "reason": "2027 规则调整",
        "rule_set": "510781-hours v2",
    },
}
SAMPLES["digest"] = {
    "day": "2026-03-17",
    "items": [
        {"kind": "activity_scheduled", "context": _ACTIVITY},
        {"kind": "hours_shortfall", "context": SAMPLES["hours_shortfall"]},
    ],
}
assert set(SAMPLES) == set(KINDS)


def preview(kind: str, language: str, renderer: Renderer | None = None) -> Message:
    """A kind rendered with its sample data."""
    if kind not in SAMPLES:
        raise UnknownTemplate(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    renderer = renderer or Renderer()
    if kind == "digest":
        sample = SAMPLES["digest"]
        return renderer.render_digest(language, sample["day"], sample["items"])
    return renderer.render(kind, language, SAMPLES[kind])
