"""Credit rules as data (学时认定规则): rule-set files per county, versioned and dated.

``load_rule_set`` reads and validates one YAML or TOML file; ``RuleBook`` holds every version
of every county's rules and picks the one in force on a date. Field reference:
``docs/credits-rules.md``.
"""

from services.credits.rules.book import CONFIG_DIR, PROPOSED_DIR, NoRuleSetError, RuleBook
from services.credits.rules.loader import (
    RuleError,
    load_rule_set,
    parse_rule_set,
    parse_rule_text,
)
from services.credits.rules.model import (
    Cap,
    CapPeriod,
    Category,
    CycleSpec,
    EvidenceRule,
    Grandfathering,
    HourBasis,
    HourRule,
    NewTeacherTargets,
    Proration,
    ResultMultipliers,
    RuleSet,
    Targets,
)

__all__ = [
    "CONFIG_DIR",
    "PROPOSED_DIR",
    "Cap",
    "CapPeriod",
    "Category",
    "CycleSpec",
    "EvidenceRule",
    "Grandfathering",
    "HourBasis",
    "HourRule",
    "NewTeacherTargets",
    "NoRuleSetError",
    "Proration",
    "ResultMultipliers",
    "RuleBook",
    "RuleError",
    "RuleSet",
    "Targets",
    "load_rule_set",
    "parse_rule_set",
    "parse_rule_text",
]
