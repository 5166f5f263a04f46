"""Semantic checks of a rule set that field validation alone cannot make.

Each check is a small named rule returning ``(path, reason)`` problems, so a bad file is
refused with the exact place to fix (e.g. ``hour_rules[3].category: unknown category``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from services.credits.rules.model import CapPeriod, HourBasis, RuleSet

__all__ = ["Problem", "problems_of"]

Problem = tuple[str, str]
REVIEW_ORDER = ("school", "county", "city", "province")


def _unknown_categories(rules: RuleSet) -> Iterator[Problem]:
    """Rules, caps and minimums may only name categories the rule set defines."""
    known = {c.key for c in rules.categories}
    for i, rule in enumerate(rules.hour_rules):
        if rule.category not in known:
            yield f"hour_rules[{i}].category", f"unknown category '{rule.category}'"
    for i, cap in enumerate(rules.caps):
        if cap.category not in known:
            yield f"caps[{i}].category", f"unknown category '{cap.category}'"
    minimums = {
        "targets.annual_minimums": rules.targets.annual_minimums,
        "targets.cycle_minimums": rules.targets.cycle_minimums,
    }
    if rules.targets.new_teacher:
        minimums["targets.new_teacher.annual_minimums"] = rules.targets.new_teacher.annual_minimums
    for path, named in minimums.items():
        for key in named:
            if key not in known:
                yield f"{path}.{key}", f"unknown category '{key}'"


def _duplicates(rules: RuleSet) -> Iterator[Problem]:
    """Keys must be unique: a second category or rule of the same name is a typo."""
    seen: set[str] = set()
    for i, category in enumerate(rules.categories):
        if category.key in seen:
            yield f"categories[{i}].key", f"duplicate category '{category.key}'"
        seen.add(category.key)
    seen = set()
    for i, rule in enumerate(rules.hour_rules):
        if rule.id in seen:
            yield f"hour_rules[{i}].id", f"duplicate rule id '{rule.id}'"
        seen.add(rule.id)


def _overlapping_caps(rules: RuleSet) -> Iterator[Problem]:
    """Two caps on the same category and period would leave the effective one ambiguous."""
    first: dict[tuple[str, CapPeriod], int] = {}
    for i, cap in enumerate(rules.caps):
        key = (cap.category, cap.per)
        if key in first:
            yield f"caps[{i}]", f"overlaps caps[{first[key]}] ({cap.category} per {cap.per})"
        first.setdefault(key, i)
    for i, cap in enumerate(rules.caps):
        cycle_cap = rules.cap(cap.category, CapPeriod.CYCLE)
        if cap.per != CapPeriod.CYCLE and cycle_cap is not None and cap.hours > cycle_cap:
            yield f"caps[{i}].hours", f"{cap.hours} per {cap.per} exceeds the cycle cap {cycle_cap}"


def _hour_bases(rules: RuleSet) -> Iterator[Problem]:
    """Fixed hours belong to the fixed basis and only there."""
    for i, rule in enumerate(rules.hour_rules):
        if rule.basis == HourBasis.FIXED and rule.fixed_hours is None:
            yield f"hour_rules[{i}].fixed_hours", "required when basis is 'fixed'"
        if rule.basis != HourBasis.FIXED and rule.fixed_hours is not None:
            yield (
                f"hour_rules[{i}].fixed_hours",
                f"only allowed with basis 'fixed', not '{rule.basis}'",
            )


def _covers(wide: tuple[Any, ...], narrow: tuple[Any, ...]) -> bool:
    """Whether a filter admits everything another does (empty admits everything)."""
    return not wide or (bool(narrow) and set(narrow) <= set(wide))


def _shadowed_rules(rules: RuleSet) -> Iterator[Problem]:
    """A rule that an earlier one always matches first can never apply: a mistake in order."""
    for i, rule in enumerate(rules.hour_rules):
        for j, earlier in enumerate(rules.hour_rules[:i]):
            if (
                set(rule.kinds) <= set(earlier.kinds)
                and _covers(earlier.levels, rule.levels)
                and _covers(earlier.roles, rule.roles)
                and _covers(earlier.sources, rule.sources)
                and earlier.community_member in (None, rule.community_member)
            ):
                yield (
                    f"hour_rules[{i}]",
                    f"never matches: hour_rules[{j}] ({earlier.id}) comes first",
                )
                break


def _targets(rules: RuleSet) -> Iterator[Problem]:
    """Category minimums cannot add up to more than the target they are part of."""
    t = rules.targets
    pairs = [
        ("targets.cycle_minimums", t.cycle_minimums, t.cycle),
        ("targets.annual_minimums", t.annual_minimums, t.annual),
    ]
    if t.new_teacher:
        pairs.append(
            (
                "targets.new_teacher.annual_minimums",
                t.new_teacher.annual_minimums,
                t.new_teacher.annual,
            )
        )
    for path, minimums, target in pairs:
        total = sum(minimums.values(), Decimal(0))
        if total > target:
            yield path, f"minimums add up to {total} h, more than the target {target} h"


def _dates(rules: RuleSet) -> Iterator[Problem]:
    """Effective ranges run forwards; a from-date policy needs its date."""
    if rules.effective_to is not None and rules.effective_to < rules.effective_from:
        yield (
            "effective_to",
            f"{rules.effective_to} is before effective_from {rules.effective_from}",
        )
    g = rules.grandfathering
    if g.policy == "from_date" and g.from_date is None:
        yield "grandfathering.from_date", "required when policy is 'from_date'"
    if g.policy != "from_date" and g.from_date is not None:
        yield "grandfathering.from_date", f"only allowed with policy 'from_date', not '{g.policy}'"


def _review_chain(rules: RuleSet) -> Iterator[Problem]:
    """Reviews go upwards: school, then county, then optionally city and province, each once."""
    chain = tuple(rules.review_chain)
    upwards = tuple(sorted(set(chain), key=REVIEW_ORDER.index))
    if chain[:2] != ("school", "county") or chain != upwards:
        yield "review_chain", f"must be school, county[, city][, province], not {list(chain)}"


CHECKS: tuple[Callable[[RuleSet], Iterator[Problem]], ...] = (
    _unknown_categories,
    _duplicates,
    _overlapping_caps,
    _hour_bases,
    _shadowed_rules,
    _targets,
    _dates,
    _review_chain,
)


def problems_of(rules: RuleSet) -> list[Problem]:
    """Every semantic problem of ``rules``, in a stable order."""
    return [problem for check in CHECKS for problem in check(rules)]
