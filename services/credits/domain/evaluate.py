"""The rule engine: one participation record in, one ledger entry out.

Pure and per record: the entry depends on the record and the rule set alone, never on other
records or their order, so a replay gives the same ledger. Caps that span several activities
(per year, per cycle) are applied in the totals, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from contracts.activities.v1 import AttendanceStatus, ParticipationRecord, Result
from services.credits.domain.ledger import LedgerEntry, credits_of, entry_id, hours_of
from services.credits.domain.periods import cycle_label, year_of
from services.credits.rules import CapPeriod, HourBasis, HourRule, RuleSet

__all__ = ["UNMATCHED", "evaluate", "match_rule"]

UNMATCHED = "unmatched"
ZERO = Decimal(0)
MINUTES_PER_HOUR = Decimal(60)
Guard = Callable[[RuleSet, HourRule, ParticipationRecord], str | None]


def match_rule(rules: RuleSet, record: ParticipationRecord) -> HourRule | None:
    """The first hour rule whose kinds, levels, roles, sources (and membership) admit it."""
    for rule in rules.hour_rules:
        if (
            record.activity_kind in rule.kinds
            and (not rule.levels or record.activity_level in rule.levels)
            and (not rule.roles or record.role in rule.roles)
            and (not rule.sources or record.source in rule.sources)
            and (rule.community_member is None or record.community_member == rule.community_member)
        ):
            return rule
    return None


def _absent(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> str | None:
    """An absent teacher earns nothing."""
    return "absent" if record.attendance == AttendanceStatus.ABSENT else None


def _missed_time(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> str | None:
    """Missing the configured fraction (a fifth) or more of the scheduled time earns nothing."""
    if record.scheduled_minutes == 0:
        return None
    limit = rule.max_missed_fraction
    if limit is None:
        limit = rules.max_missed_fraction
    missed = max(record.scheduled_minutes - record.attended_minutes, 0)
    if Decimal(missed) >= limit * record.scheduled_minutes and missed > 0:
        return (
            f"missed {missed} of {record.scheduled_minutes} min "
            f"(missing {limit * 100:.0f}% of the time or more earns nothing)"
        )
    return None


def _no_time(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> str | None:
    """A duration-based rule on a record without minutes has nothing to count."""
    if rule.basis != HourBasis.FIXED and not _base_hours(rule, record):
        return "no time recorded"
    return None


def _result(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> str | None:
    """An assessed activity earns only once passed; a failed result earns nothing."""
    if record.result == Result.FAILED:
        return "failed the assessment"
    if record.assessed and record.result is None:
        return "not assessed yet"
    return None


def _evidence(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> str | None:
    """Required evidence (reflection length, checklist, certificate) must be there: the
    rule set's own requirements first, then the rule's."""
    got = record.evidence
    for need in (*rules.evidence, *rule.evidence):
        if need.roles and record.role not in need.roles:
            continue
        if need.sources and record.source not in need.sources:
            continue
        if need.reflection_min_chars and got.reflection_chars < need.reflection_min_chars:
            return (
                f"reflection of {got.reflection_chars} characters, "
                f"{need.reflection_min_chars} required"
            )
        if need.checklist_complete and not got.checklist_complete:
            return "materials checklist incomplete"
        if need.certificate and got.certificate is None:
            return "no certificate"
    return None


GUARDS: tuple[Guard, ...] = (_absent, _missed_time, _no_time, _result, _evidence)


def _show(value: Decimal) -> str:
    """A figure for a reason text: at most two decimals, no trailing zeros."""
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def _base_hours(rule: HourRule, record: ParticipationRecord) -> Decimal:
    """Hours before weights: fixed, scheduled, or attended (never more than scheduled)."""
    if rule.basis == HourBasis.FIXED:
        return rule.fixed_hours or ZERO
    minutes = record.scheduled_minutes
    if rule.basis == HourBasis.ATTENDED and record.scheduled_minutes:
        minutes = min(record.attended_minutes, record.scheduled_minutes)
    elif rule.basis == HourBasis.ATTENDED:
        minutes = record.attended_minutes
    return Decimal(minutes) / MINUTES_PER_HOUR


def _factors(
    rules: RuleSet, rule: HourRule, record: ParticipationRecord
) -> list[tuple[Decimal, str]]:
    """Role weight, level weight and result multiplier; the rule's own override the set's."""
    role = rule.role_weights.get(record.role, rules.role_weights[record.role])
    level = rule.level_weights.get(
        record.activity_level, rules.level_weights.get(record.activity_level, Decimal(1))
    )
    factors = [(role, record.role.value), (level, record.activity_level.value)]
    if record.result in (Result.PASSED, Result.EXCELLENT):
        multipliers = rule.result_multipliers or rules.result_multipliers
        factors.append((getattr(multipliers, record.result.value), record.result.value))
    return factors


def _activity_cap(rules: RuleSet, rule: HourRule) -> Decimal | None:
    """The tighter of the rule's own cap and the category's per-activity cap."""
    caps = [
        c for c in (rule.max_hours, rules.cap(rule.category, CapPeriod.ACTIVITY)) if c is not None
    ]
    return min(caps) if caps else None


def _earned(rules: RuleSet, rule: HourRule, record: ParticipationRecord) -> tuple[Decimal, str]:
    """Hours earned and the calculation spelt out, e.g. ``3 h × 2 (presenter) = 6 h``."""
    hours = base = _base_hours(rule, record)
    text = f"{_show(base)} h" + (" (fixed)" if rule.basis == HourBasis.FIXED else "")
    for factor, label in _factors(rules, rule, record):
        hours *= factor
        if factor != 1:
            text += f" × {_show(factor)} ({label})"
    cap = _activity_cap(rules, rule)
    if cap is not None and hours > cap:
        text += f" = {_show(hours)} h, capped at {_show(cap)} h per activity"
        hours = cap
    hours = hours_of(hours)
    return hours, f"{text} = {_show(hours)} h"


def _about_the_activity(record: ParticipationRecord) -> dict[str, Any]:
    """The entry's fields copied from the record: who, where, what and when."""
    return {
        "teacher_id": record.teacher_id,
        "school_id": record.school_id,
        "county_code": record.teacher_county,
        "activity_id": record.activity_id,
        "activity_kind": record.activity_kind,
        "activity_level": record.activity_level.value,
        "role": record.role.value,
        "title": record.title,
        "activity_date": record.activity_date,
    }


def _entry(
    rules: RuleSet,
    record: ParticipationRecord,
    rule: HourRule | None,
    hours: Decimal,
    reason: str,
    source_event_ids: tuple[str, ...],
) -> LedgerEntry:
    """The ledger entry for a record, its category's conversion giving the credits."""
    category = rules.category(rule.category) if rule else None
    year = year_of(rules, record.activity_date)
    return LedgerEntry(
        entry_id=entry_id(record.teacher_id, record.activity_id, rules.id, rules.version),
        **_about_the_activity(record),
        year=year,
        cycle=cycle_label(rules, year),
        category=category.key if category else UNMATCHED,
        hours=hours,
        credits=credits_of(hours, category.hours_per_credit) if category else ZERO,
        rule_id=rule.id if rule else UNMATCHED,
        rule_set_id=rules.id,
        rule_set_version=rules.version,
        reason=reason,
        source_event_ids=tuple(source_event_ids),
    )


def evaluate(
    rules: RuleSet, record: ParticipationRecord, source_event_ids: tuple[str, ...] = ()
) -> LedgerEntry:
    """The ledger entry ``record`` earns under ``rules``; zero hours come with the reason."""
    heading = f"{record.role.value}, {record.activity_level.value} {record.activity_kind}"
    rule = match_rule(rules, record)
    if rule is None:
        reason = f"{heading}: no hour rule matches, 0 h"
        return _entry(rules, record, None, ZERO, reason, source_event_ids)
    for guard in GUARDS:
        refusal = guard(rules, rule, record)
        if refusal:
            return _entry(rules, record, rule, ZERO, f"{heading}: {refusal}, 0 h", source_event_ids)
    hours, calculation = _earned(rules, rule, record)
    return _entry(rules, record, rule, hours, f"{heading}: {calculation}", source_event_ids)
