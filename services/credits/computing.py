"""The rules at work on the ledger's rows: entries from records, totals from entries.

The pure rule engine (:mod:`services.credits.domain`) works on ``ParticipationRecord``,
``LedgerEntry`` and ``TeacherProfile``; this module turns table rows into those and back,
and picks the rule set in force for a county and date from a :class:`RuleBook`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import yaml

from contracts.activities.v1 import ParticipationRecord
from services.credits.domain.evaluate import evaluate
from services.credits.domain.ledger import LedgerEntry, entry_id
from services.credits.domain.periods import year_of
from services.credits.domain.totals import TeacherProfile, Totals, cycle_totals, year_totals
from services.credits.ledgers import LedgerVersion
from services.credits.rules import NoRuleSetError, RuleBook, RuleSet, parse_rule_set
from services.credits.sql import dec

__all__ = [
    "ENTRY_COLUMNS",
    "Evaluator",
    "entry_from_row",
    "evaluator_for",
    "parse_rules_text",
    "profile_from_row",
    "replay_book",
    "row_of",
]

log = logging.getLogger(__name__)

NEW_TEACHER_YEARS = 3
MEMO_SIZE = 100_000
_ENTRY_FIELDS = tuple(LedgerEntry.__dataclass_fields__)


def replay_book(base: RuleBook, rules: RuleSet) -> RuleBook:
    """``base`` as if ``rules`` were adopted: in force from its first day in its county.

    The county's earlier rule sets stay in force up to the day before (their end date is
    clipped), later ones give way; other counties and the fallback keep theirs. So history
    before the new rules is recomputed under the rules that governed it (the rule file's
    ``from_date`` grandfathering, by construction).
    """
    kept: list[RuleSet] = []
    for other in base:
        if other.county_code != rules.county_code:
            kept.append(other)
        elif other.effective_from < rules.effective_from:
            last_day = rules.effective_from - timedelta(days=1)
            if other.effective_to is None or other.effective_to > last_day:
                other = other.model_copy(update={"effective_to": last_day})
            kept.append(other)
    return RuleBook([*kept, rules])


def parse_rules_text(text: str, name: str) -> RuleSet:
    """A rule set from the text of its YAML file (as stored with a ledger version)."""
    return parse_rule_set(yaml.safe_load(text), name)


class Evaluator:
    """Applies a rule book: one entry row per participation, totals per teacher."""

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self._memo: dict[tuple[Any, ...], LedgerEntry] = {}
        self._rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def rules_for(self, county: str, on: date) -> RuleSet | None:
        try:
            return self.book.for_date(county, on)
        except NoRuleSetError:
            return None

    def entry_row(self, record: ParticipationRecord, event_id: str) -> dict[str, Any] | None:
        """The entries-table row ``record`` earns; None when no rule set covers its date."""
        rules = self.rules_for(record.teacher_county, record.activity_date)
        if rules is None:
            log.warning("no rule set for %s on %s", record.teacher_county, record.activity_date)
            return None
        key = _rating(rules, record, year_of(rules, record.activity_date))
        template = self._rows.get(key)
        if template is None:
            row = row_of(self.entry(rules, record, event_id))
            if len(self._rows) < MEMO_SIZE:
                self._rows[key] = row
        else:  # the same rating: only who, which activity and when differ
            row = dict(template)
            row.update(
                entry_id=entry_id(record.teacher_id, record.activity_id, rules.id, rules.version),
                teacher_id=record.teacher_id,
                school_id=record.school_id,
                county_code=record.teacher_county,
                activity_id=record.activity_id,
                title=record.title,
                activity_date=record.activity_date,
                source_event_ids=json.dumps([event_id]),
            )
        row["revision"] = record.revision
        return row

    def entry(self, rules: RuleSet, record: ParticipationRecord, event_id: str) -> LedgerEntry:
        """``evaluate(rules, record)``, memoised on everything the engine reads but the ids.

        A county-year has a few hundred distinct ratings (kind, level, role, attendance,
        result, evidence...) for a million records; a replay pays the engine once for each
        and copies the rest (``test_memo`` holds it equal to the engine record by record).
        """
        year = year_of(rules, record.activity_date)
        key = _rating(rules, record, year)
        template = self._memo.get(key)
        if template is None:
            entry = evaluate(rules, record, (event_id,))
            if len(self._memo) < MEMO_SIZE:
                self._memo[key] = entry
            return entry
        return replace(
            template,
            entry_id=entry_id(record.teacher_id, record.activity_id, rules.id, rules.version),
            teacher_id=record.teacher_id,
            school_id=record.school_id,
            county_code=record.teacher_county,
            activity_id=record.activity_id,
            title=record.title,
            activity_date=record.activity_date,
            source_event_ids=(event_id,),
        )

    def totals(
        self, teacher_id: str, profile_row: Mapping[Any, Any] | None, entries: list[LedgerEntry]
    ) -> list[Totals]:
        """The teacher's totals for every year and cycle holding one of ``entries``."""
        found: list[Totals] = []
        for year in sorted({e.year for e in entries}):
            profile = profile_from_row(teacher_id, profile_row, entries, year)
            rules = self.period_rules(profile.county_code, year, year)
            if rules is not None:
                found.append(year_totals(rules, profile, entries, year))
        for cycle in sorted({e.cycle for e in entries}):
            first, _, last = cycle.partition("-")
            profile = profile_from_row(teacher_id, profile_row, entries, int(first))
            rules = self.period_rules(profile.county_code, int(first), int(last))
            if rules is not None:
                found.append(cycle_totals(rules, profile, entries, cycle))
        return found

    def period_rules(self, county: str, first: int, last: int) -> RuleSet | None:
        """The rules in force at the end of a period's last year, else at its start."""
        return self.rules_for(county, date(last, 12, 31)) or self.rules_for(
            county, date(first, 1, 1)
        )


def row_of(entry: LedgerEntry) -> dict[str, Any]:
    """An entry as a row of the entries table (hours and credits as decimal strings)."""
    row = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    row.update(
        hours=str(entry.hours),
        credits=str(entry.credits),
        source_event_ids=json.dumps(list(entry.source_event_ids)),
    )
    return row


def _rating(rules: RuleSet, r: ParticipationRecord, year: int) -> tuple[Any, ...]:
    """Everything of a record the rule engine reads, but who and which activity."""
    e = r.evidence
    return (
        rules.label,
        year,
        r.activity_kind,
        r.activity_level,
        r.role,
        r.source,
        r.attendance,
        r.scheduled_minutes,
        r.attended_minutes,
        r.assessed,
        r.result,
        e.reflection_chars,
        e.checklist_complete,
        e.certificate is None,
    )


ENTRY_COLUMNS = _ENTRY_FIELDS
"""The entries-table columns that make a :class:`LedgerEntry`, in its field order."""
_HOURS, _CREDITS, _SOURCES = (
    _ENTRY_FIELDS.index("hours"),
    _ENTRY_FIELDS.index("credits"),
    _ENTRY_FIELDS.index("source_event_ids"),
)


def entry_from_row(row: Sequence[Any]) -> LedgerEntry:
    """A ledger entry from the values of :data:`ENTRY_COLUMNS` (a table row)."""
    values = list(row)
    values[_HOURS] = dec(values[_HOURS])
    values[_CREDITS] = dec(values[_CREDITS])
    values[_SOURCES] = tuple(json.loads(values[_SOURCES]))
    return LedgerEntry(*values)


def profile_from_row(
    teacher_id: str,
    row: Mapping[Any, Any] | None,
    entries: Iterable[LedgerEntry],
    first_year: int,
) -> TeacherProfile:
    """The profile for the totals of a period starting in ``first_year``.

    A teacher is new (新教师) when hired less than three years before the period starts; a
    teacher the registry never told us of gets county and school from the latest entry.
    """
    if row is None:
        latest = max(entries, key=lambda e: e.activity_date)
        return TeacherProfile(teacher_id, latest.county_code, latest.school_id, None)
    hire: date | None = row["hire_date"]
    new = hire is not None and hire.year > first_year - NEW_TEACHER_YEARS
    return TeacherProfile(
        teacher_id,
        row["county_code"],
        row["school_id"],
        row["joined_on"],
        new_teacher=new,
        left_on=row["left_on"],
    )


def evaluator_for(ledger: LedgerVersion, base: RuleBook) -> Evaluator:
    """The evaluator of a ledger version: the base rule book, or the replay's rules in it."""
    if ledger.rules_text is None:
        return Evaluator(base)
    return Evaluator(replay_book(base, parse_rules_text(ledger.rules_text, ledger.rules_name)))
