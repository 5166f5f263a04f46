"""The credits domain (学时): the rule engine, ledger entries, totals, explanations, regrading.

Pure: no I/O, no clock. ``evaluate`` turns one participation record into one ledger entry;
``year_totals``/``cycle_totals`` sum a teacher's entries with caps, targets and proration;
``explain`` lays a total out line by line; ``regrade`` applies a grandfathering policy.
"""

from services.credits.domain.evaluate import UNMATCHED, evaluate, match_rule
from services.credits.domain.explain import ExplainLine, explain
from services.credits.domain.ledger import LedgerEntry, credits_of, entry_id, hours_of
from services.credits.domain.periods import cycle_label, cycle_years, year_of
from services.credits.domain.regrade import regrade
from services.credits.domain.totals import (
    CategoryTotal,
    TeacherProfile,
    Totals,
    cycle_totals,
    year_period,
    year_totals,
)

__all__ = [
    "UNMATCHED",
    "CategoryTotal",
    "ExplainLine",
    "LedgerEntry",
    "TeacherProfile",
    "Totals",
    "credits_of",
    "cycle_label",
    "cycle_totals",
    "cycle_years",
    "entry_id",
    "evaluate",
    "explain",
    "hours_of",
    "match_rule",
    "regrade",
    "year_of",
    "year_period",
    "year_totals",
]
