"""The shipped rule files, as data: each rule reachable, versions differing only as stated."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from contracts.activities.v1 import ActivityLevel, ParticipantRole, ParticipationSource, Result
from services.credits.domain import evaluate, match_rule
from services.credits.rules import (
    Cap,
    Category,
    CycleSpec,
    EvidenceRule,
    Grandfathering,
    HourRule,
    NewTeacherTargets,
    Proration,
    ResultMultipliers,
    RuleSet,
    Targets,
    load_rule_set,
)
from tests.unit.credits.builders import DEFAULT_FILE, DOCS, V1_FILE, V2_FILE, record

SHIPPED = {path.name: load_rule_set(path) for path in (DEFAULT_FILE, V1_FILE, V2_FILE)}
RULES = [(name, rule) for name, rules in SHIPPED.items() for rule in rules.hour_rules]


@pytest.mark.parametrize(("name", "rule"), RULES, ids=[f"{n}:{r.id}" for n, r in RULES])
def test_every_shipped_hour_rule_is_reached_by_each_of_its_kinds(name: str, rule):
    rules = SHIPPED[name]
    for kind in rule.kinds:
        rec = record(
            kind=kind,
            level=(rule.levels or (ActivityLevel.COUNTY,))[0],
            role=(rule.roles or (ParticipantRole.ATTENDEE,))[0],
            source=(rule.sources or (ParticipationSource.ACTIVITY,))[0],
            result=Result.PASSED,
            reflection=5000,
        )
        assert match_rule(rules, rec) == rule
        assert evaluate(rules, rec).hours > 0, evaluate(rules, rec).reason


def _figures(rules: RuleSet) -> dict[str, object]:
    """The rule set without what names and dates it."""
    skip = {
        "id",
        "version",
        "name",
        "county_code",
        "effective_from",
        "effective_to",
        "grandfathering",
    }
    return rules.model_dump(exclude=skip)


def test_510781_v1_has_the_default_figures():
    assert _figures(SHIPPED["510781-v1.yaml"]) == _figures(SHIPPED["default.yaml"])


def test_510781_v2_differs_from_v1_exactly_as_its_header_says():
    v1, v2 = _figures(SHIPPED["510781-v1.yaml"]), _figures(SHIPPED["510781-v2.yaml"])
    changed = {k for k in v1 if v1[k] != v2[k]}
    assert changed == {"result_multipliers", "hour_rules", "caps"}
    assert SHIPPED["510781-v2.yaml"].result_multipliers.excellent == 1.25
    lecture = next(r for r in SHIPPED["510781-v2.yaml"].hour_rules if r.id == "lecture")
    assert lecture.role_weights == {ParticipantRole.LECTURER: 3}
    assert SHIPPED["510781-v2.yaml"].cap("online", "year") == 12  # type: ignore[arg-type]


MODELS: list[type[BaseModel]] = [
    RuleSet,
    Category,
    HourRule,
    EvidenceRule,
    ResultMultipliers,
    Cap,
    CycleSpec,
    Targets,
    NewTeacherTargets,
    Proration,
    Grandfathering,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_rule_field_is_documented(model: type[BaseModel]):
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text(encoding="utf-8")))
    assert set(model.model_fields) - documented == set()
