"""Statements of hours (学时证明) with a verification code, and checking them.

A statement is the canonical JSON of a teacher's total for a period: each activity with
its hours, rule and rule-set version, the entries voided since (taken back), the total,
the target and the certification. Its code is
``<Y|C><period>.<teacher>.<HMAC-SHA256 of the canonical JSON, 20 hex digits>``, keyed by
``YANPEI_STATEMENT_KEY`` (a fixed development key when unset). ``verify`` recomputes the
statement from the ledger: a code or file that no longer matches it, or a file whose
content does not match its own code (a tampered total), fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.credits.queries import Explanation, LedgerQueries

__all__ = ["Verdict", "render_html", "sign", "statement", "verify_code", "verify_file"]

KEY_ENV = "YANPEI_STATEMENT_KEY"
_DEV_KEY = "yanpei-development-statement-key"
_CODE = re.compile(
    r"^(?P<kind>[YC])(?P<period>[0-9/-]{4,9})\.(?P<teacher>[A-Za-z0-9_-]+)\.(?P<mac>[0-9A-F]{20})$"
)
_TEMPLATES = Path(__file__).parent / "templates"


def _key() -> bytes:
    return (os.environ.get(KEY_ENV) or _DEV_KEY).encode()


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(content: dict[str, Any]) -> str:
    """The verification code of a statement's content."""
    mac = hmac.new(_key(), canonical(content), hashlib.sha256).hexdigest()[:20].upper()
    kind = "Y" if content["period_kind"] == "year" else "C"
    return f"{kind}{content['period']}.{content['teacher_id']}.{mac}"


def _lines(found: Explanation) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": e.entry_id,
            "date": e.activity_date.isoformat(),
            "activity_id": e.activity_id,
            "title": e.title,
            "kind": e.activity_kind,
            "role": e.role,
            "category": e.category,
            "hours": str(e.hours),
            "credits": str(e.credits),
            "rule": e.rule_id,
            "rule_set": f"{e.rule_set_id}@{e.rule_set_version}",
        }
        for e in sorted(found.entries, key=lambda e: (e.activity_date, e.activity_id))
    ]


def statement(found: Explanation) -> dict[str, Any]:
    """The signed content of a statement (no issue date: it is recomputable)."""
    t = found.totals
    review = found.review or {}
    years = set(t.years)
    return {
        "teacher_id": found.teacher_id,
        "county_code": found.county_code,
        "school_id": found.school_id,
        "period": t.period,
        "period_kind": t.kind,
        "rule_set": f"{t.rule_set_id}@{t.rule_set_version}",
        "activities": _lines(found),
        "taken_back": [
            {"activity_id": v["activity_id"], "hours": f"-{v['hours']}", "reason": v["reason"]}
            for v in found.voided
            if v["year"] in years
        ],
        "categories": {k: str(c.counted) for k, c in t.categories.items() if c.earned},
        "hours": str(t.hours),
        "credits": str(t.credits),
        "target": str(t.target),
        "shortfall": str(t.shortfall),
        "certified_hours": review.get("certified_hours"),
    }


def document(found: Explanation, issued_on: date) -> dict[str, Any]:
    """A statement as written to a JSON file: content, code and issue date."""
    content = statement(found)
    return {"statement": content, "code": sign(content), "issued_on": issued_on.isoformat()}


def render_html(doc: dict[str, Any]) -> str:
    """The statement as an HTML page, with its JSON embedded for ``verify FILE``."""
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape())
    embedded = json.dumps(doc, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return env.get_template("statement.html.j2").render(
        doc=doc, s=doc["statement"], embedded=embedded
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification, with a sentence for people."""

    valid: bool
    message: str


def verify_code(queries: LedgerQueries, code: str) -> Verdict:
    """Check a code against the statement the ledger gives now."""
    match = _CODE.match(code.strip())
    if match is None:
        return Verdict(False, f"{code!r} is not a statement code")
    kind = "year" if match["kind"] == "Y" else "cycle"
    found = queries.explain(match["teacher"], kind, match["period"])
    if found is None:
        return Verdict(False, f"the ledger has no {kind} {match['period']} for {match['teacher']}")
    now = statement(found)
    if sign(now) != code.strip():
        return Verdict(False, f"does not match the ledger, which now says {now['hours']} h")
    return Verdict(True, f"valid: {now['hours']} h for {kind} {now['period']} ({now['rule_set']})")


def _embedded(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".html", ".htm"):
        found = re.search(
            r'<script type="application/json" id="statement">(.*?)</script>', text, re.S
        )
        if found is None:
            raise ValueError(f"{path.name}: no embedded statement")
        text = found.group(1).replace("<\\/", "</")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def verify_file(queries: LedgerQueries, path: Path) -> Verdict:
    """Check a statement file: its content against its code, then the code against the ledger."""
    try:
        doc = _embedded(path)
        content, code = doc["statement"], doc["code"]
    except (ValueError, KeyError, TypeError) as exc:
        return Verdict(False, f"{path.name}: not a statement ({exc})")
    if sign(content) != code:
        return Verdict(False, f"{path.name}: altered: its content does not match its code {code}")
    return verify_code(queries, code)
