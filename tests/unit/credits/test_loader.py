"""Loading rule files: every kind of bad file is refused with file, path and reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.credits.rules import CONFIG_DIR, PROPOSED_DIR, RuleError, load_rule_set
from tests.unit.credits.builders import document

Doc = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A change that sets ``a.b[2].c`` in a document."""

    def change(doc: Doc) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _append_cap(doc: Doc) -> None:
    doc["caps"].append({"category": "online", "per": "year", "hours": 10})


def _drop_evaluator(doc: Doc) -> None:
    del doc["role_weights"]["evaluator"]


def _typo(doc: Doc) -> None:
    doc["hour_rule"] = doc.pop("hour_rules")


def _drop_version(doc: Doc) -> None:
    del doc["version"]


def _duplicate_rule(doc: Doc) -> None:
    doc["hour_rules"].append({**doc["hour_rules"][0], "levels": ["school"]})


def _duplicate_category(doc: Doc) -> None:
    doc["categories"].append({**doc["categories"][0], "hours_per_credit": 8})


def _shadowed_rule(doc: Doc) -> None:
    doc["hour_rules"].append(
        {"id": "city_lectures", "kinds": ["lecture"], "levels": ["city"], "category": "centralised"}
    )


BAD_FILES = [
    (
        "zero conversion",
        _set("categories[1].hours_per_credit", 0),
        "categories[1].hours_per_credit",
        "greater than 0",
    ),
    (
        "negative hours",
        _set("hour_rules[0].fixed_hours", -12),
        "hour_rules[0].fixed_hours",
        "greater than or equal to 0",
    ),
    ("negative cap", _set("caps[1].hours", -1), "caps[1].hours", "greater than or equal to 0"),
    (
        "unknown category in a rule",
        _set("hour_rules[2].category", "webinar"),
        "hour_rules[2].category",
        "unknown category 'webinar'",
    ),
    (
        "unknown category in a cap",
        _set("caps[0].category", "degree"),
        "caps[0].category",
        "unknown category 'degree'",
    ),
    ("overlapping caps", _append_cap, "caps[5]", "overlaps caps[2] (online per year)"),
    (
        "year cap above the cycle cap",
        _set("caps[2].hours", 120),
        "caps[2].hours",
        "exceeds the cycle cap 100",
    ),
    (
        "target category that does not exist",
        _set("targets.cycle_minimums", {"distance": 10}),
        "targets.cycle_minimums.distance",
        "unknown category 'distance'",
    ),
    (
        "minimums above the target",
        _set("targets.cycle_minimums", {"centralised": 400}),
        "targets.cycle_minimums",
        "more than the target 360",
    ),
    (
        "new-teacher minimum of an unknown category",
        _set("targets.new_teacher.annual_minimums", {"degree": 1}),
        "targets.new_teacher.annual_minimums.degree",
        "unknown category",
    ),
    ("a role without a weight", _drop_evaluator, "role_weights", "missing a weight for evaluator"),
    (
        "an unknown role",
        _set("role_weights.observer", 1),
        "role_weights.observer",
        "Input should be",
    ),
    ("a misspelt field", _typo, "hour_rule", "unknown field (misspelt?)"),
    ("a missing field", _drop_version, "version", "Field required"),
    (
        "dates backwards",
        _set("effective_to", "2020-12-31"),
        "effective_to",
        "before effective_from 2021-01-01",
    ),
    (
        "from_date without a date",
        _set("grandfathering", {"policy": "from_date"}),
        "grandfathering.from_date",
        "required when policy is 'from_date'",
    ),
    (
        "an unknown policy",
        _set("grandfathering.policy", "sometimes"),
        "grandfathering.policy",
        "Input should be",
    ),
    (
        "review downwards",
        _set("review_chain", ["county", "school"]),
        "review_chain",
        "must be school, county",
    ),
    ("an unknown year basis", _set("year_basis", "fiscal"), "year_basis", "Input should be"),
    (
        "fixed basis without hours",
        _set("hour_rules[0].fixed_hours", None),
        "hour_rules[0].fixed_hours",
        "required when basis is 'fixed'",
    ),
    (
        "fixed hours on a scheduled rule",
        _set("hour_rules[3].fixed_hours", 3),
        "hour_rules[3].fixed_hours",
        "only allowed with basis 'fixed'",
    ),
    ("a duplicate rule id", _duplicate_rule, "hour_rules[5].id", "duplicate rule id"),
    (
        "a rule an earlier one always takes",
        _shadowed_rule,
        "hour_rules[5]",
        "never matches: hour_rules[3] (lecture) comes first",
    ),
    (
        "a duplicate category",
        _duplicate_category,
        "categories[4].key",
        "duplicate category 'centralised'",
    ),
    (
        "new-teacher minimums above their target",
        _set("targets.new_teacher", {"annual": 30, "annual_minimums": {"centralised": 40}}),
        "targets.new_teacher.annual_minimums",
        "more than the target 30",
    ),
    (
        "review skipping the county",
        _set("review_chain", ["school", "city"]),
        "review_chain",
        "must be school, county",
    ),
    ("a bad county code", _set("county_code", "51078"), "county_code", "should match pattern"),
    ("no hour rules", _set("hour_rules", []), "hour_rules", "at least 1 item"),
    (
        "a missed fraction above one",
        _set("max_missed_fraction", 1.5),
        "max_missed_fraction",
        "less than or equal to 1",
    ),
    (
        "a rule matching no kind",
        _set("hour_rules[1].kinds", []),
        "hour_rules[1].kinds",
        "at least 1 item",
    ),
    ("an unknown cap period", _set("caps[0].per", "month"), "caps[0].per", "Input should be"),
    ("a cycle of no years", _set("cycle.years", 0), "cycle.years", "greater than or equal to 1"),
]


def write(tmp_path: Path, doc: Any, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_bad_file_is_refused_with_file_path_and_reason(
    tmp_path: Path, change: Callable[[Doc], None], path: str, reason: str
):
    doc = document()
    change(doc)
    file = write(tmp_path, doc)
    with pytest.raises(RuleError) as caught:
        load_rule_set(file)
    error = caught.value
    assert (error.file, error.path) == (str(file), path), error.problems
    assert reason in error.reason
    assert str(error).startswith(f"{file}: {path}: ")


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("rules.yaml", "id: [unclosed\n", "not valid YAML"),
        ("rules.toml", "id = \n", "not valid TOML"),
        ("rules.json", "{}", "unknown rule file type '.json'"),
        ("rules.yaml", "- a list\n- not a mapping\n", "must hold a mapping"),
        ("rules.yaml", "", "must hold a mapping"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_name(
    tmp_path: Path, name: str, text: str, reason: str
):
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=reason) as caught:
        load_rule_set(file)
    assert caught.value.file == str(file)


def test_a_missing_file_is_a_rule_error(tmp_path: Path):
    with pytest.raises(RuleError, match="cannot read"):
        load_rule_set(tmp_path / "nowhere.yaml")


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path):
    doc = document()
    doc["hour_rules"][0]["category"] = "x1"
    doc["caps"][0]["category"] = "x2"
    with pytest.raises(RuleError) as caught:
        load_rule_set(write(tmp_path, doc))
    assert [p for p, _ in caught.value.problems] == ["hour_rules[0].category", "caps[0].category"]
    assert str(caught.value).endswith("(and 1 more)")


MINIMAL_TOML = """
id = "mini"
version = "1"
county_code = "510781"
effective_from = 2026-01-01
cycle = { start_year = 2026 }
role_weights = { presenter = 2, lecturer = 2, evaluator = 1.5, attendee = 1, organiser = 1 }

[[categories]]
key = "centralised"
name = "集中培训"
hours_per_credit = 10

[[hour_rules]]
id = "lecture"
kinds = ["lecture"]
category = "centralised"

[[caps]]
category = "centralised"
per = "year"
hours = 30

[targets]
annual = 36
cycle_minimums = { centralised = 160 }
"""

MINIMAL_YAML = """
id: mini
version: "1"
county_code: "510781"
effective_from: 2026-01-01
cycle: {start_year: 2026}
role_weights: {presenter: 2, lecturer: 2, evaluator: 1.5, attendee: 1, organiser: 1}
categories:
  - {key: centralised, name: 集中培训, hours_per_credit: 10}
hour_rules:
  - {id: lecture, kinds: [lecture], category: centralised}
caps:
  - {category: centralised, per: year, hours: 30}
targets: {annual: 36, cycle_minimums: {centralised: 160}}
"""


def test_toml_and_yaml_load_to_the_same_rule_set(tmp_path: Path):
    (tmp_path / "r.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    (tmp_path / "r.yml").write_text(MINIMAL_YAML, encoding="utf-8")
    from_toml = load_rule_set(tmp_path / "r.toml")
    assert from_toml == load_rule_set(tmp_path / "r.yml")
    assert from_toml.cycle.years == 5
    assert from_toml.targets.cycle == 360
    assert from_toml.review_chain == ("school", "county")


@pytest.mark.parametrize(
    "path", sorted([*CONFIG_DIR.glob("*.yaml"), *PROPOSED_DIR.glob("*.yaml")]), ids=str
)
def test_every_shipped_rule_file_loads(path: Path):
    assert load_rule_set(path).hour_rules


def test_the_default_rules_cover_every_activity_kind_of_the_activities_defaults():
    from services.credits.domain import match_rule
    from tests.unit.credits.builders import record

    kinds_file = CONFIG_DIR.parents[1] / "activities" / "config" / "defaults.yaml"
    kinds = yaml.safe_load(kinds_file.read_text(encoding="utf-8"))["kinds"]
    rules = load_rule_set(CONFIG_DIR / "default.yaml")
    unmatched = [k for k in kinds if match_rule(rules, record(kind=k)) is None]
    assert unmatched == []


@pytest.mark.parametrize(
    ("text", "name"), [(MINIMAL_TOML, "stored.toml"), (MINIMAL_YAML, "stored.yaml")]
)
def test_stored_rule_text_parses_by_its_file_name(text: str, name: str):
    from services.credits.rules import parse_rule_text

    assert parse_rule_text(text, name).id == "mini"
    with pytest.raises(RuleError):  # the other format does not read it
        parse_rule_text(text, "stored.toml" if name.endswith("yaml") else "stored.yaml")


@pytest.mark.parametrize(
    "chain",
    [
        ["school", "county"],
        ["school", "county", "city"],
        ["school", "county", "province"],
        ["school", "county", "city", "province"],
    ],
)
def test_review_chains_go_upwards_from_the_school(tmp_path: Path, chain: list[str]):
    assert load_rule_set(write(tmp_path, {**document(), "review_chain": chain})).review_chain == (
        tuple(chain)
    )
