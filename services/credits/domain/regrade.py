"""Grandfathering: what a recomputation under new rules may change on the ledger.

Counties change their rules; the new rule set's policy says whether old activities are
recomputed (retroactive), only those from a date on (from_date), or whether a certified
entry may never lose hours (never_reduce_certified). A kept entry is returned unchanged, so
it still names the rule and version that really earned its hours.
"""

from __future__ import annotations

from services.credits.domain.ledger import LedgerEntry
from services.credits.rules import Grandfathering, RuleSet

__all__ = ["regrade"]


def regrade(
    policy: Grandfathering | RuleSet,
    old: LedgerEntry | None,
    new: LedgerEntry,
    certified: bool,
) -> LedgerEntry:
    """The entry to keep: ``new``, or ``old`` where the policy protects it."""
    rule = policy.grandfathering if isinstance(policy, RuleSet) else policy
    if old is None or rule.policy == "retroactive":
        return new
    if rule.policy == "from_date":
        assert rule.from_date is not None  # the loader refuses from_date without a date
        return old if new.activity_date < rule.from_date else new
    return old if certified and new.hours < old.hours else new
