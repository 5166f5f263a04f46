"""Loading rule-set files (YAML or TOML) into validated :class:`RuleSet` objects.

A bad file is refused with one :class:`RuleError` naming the file, the path inside it and
the reason, so the operator who edits the rules knows exactly what to fix.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.credits.rules.checks import Problem, problems_of
from services.credits.rules.model import RuleSet

__all__ = [
    "RULE_FILE_SUFFIXES",
    "RuleError",
    "load_rule_set",
    "parse_rule_set",
    "parse_rule_text",
]

RULE_FILE_SUFFIXES = (".yaml", ".yml", ".toml")


class RuleError(ValueError):
    """A rule file that cannot be used: ``file: path: reason``; ``problems`` lists them all."""

    def __init__(self, file: str, path: str, reason: str, problems: list[Problem] | None = None):
        self.file = file
        self.path = path
        self.reason = reason
        self.problems = problems or [(path, reason)]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{file}: {path or '<file>'}: {reason}{more}")


def _location(loc: tuple[int | str, ...]) -> str:
    """Pydantic's ``('categories', 2, 'per_hour')`` as ``categories[2].per_hour``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _problems_of_validation(error: ValidationError) -> list[Problem]:
    """Pydantic's errors as (path, reason); unknown fields first, as typos explain the rest."""
    found = []
    for item in sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden"):
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "unknown field (misspelt?)"
        found.append((_location(loc), reason))
    return found


def _parse(text: str, file: str) -> Any:
    """The raw document of YAML or TOML text, by the file's suffix."""
    suffix = Path(file).suffix
    if suffix not in RULE_FILE_SUFFIXES:
        raise RuleError(file, "", f"unknown rule file type '{suffix}' (YAML or TOML)")
    try:
        return tomllib.loads(text) if suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RuleError(file, "", f"not valid {suffix[1:].upper()}: {exc}") from exc


def _read(path: Path) -> Any:
    """The raw document of a YAML or TOML file; a syntax error is a :class:`RuleError`."""
    if path.suffix not in RULE_FILE_SUFFIXES:
        raise RuleError(str(path), "", f"unknown rule file type '{path.suffix}' (YAML or TOML)")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(str(path), "", f"cannot read: {exc.strerror or exc}") from exc
    return _parse(text, str(path))


def parse_rule_set(document: Any, file: str = "<rules>") -> RuleSet:
    """Validate a parsed document as a rule set: fields first, then cross-references."""
    if not isinstance(document, dict):
        raise RuleError(file, "", "the file must hold a mapping of rule-set fields")
    try:
        rules = RuleSet.model_validate(document)
    except ValidationError as exc:
        problems = _problems_of_validation(exc)
        raise RuleError(file, *problems[0], problems=problems) from None
    problems = problems_of(rules)
    if problems:
        raise RuleError(file, *problems[0], problems=problems)
    return rules


def load_rule_set(path: Path | str) -> RuleSet:
    """Load and validate one rule-set file (``.yaml``, ``.yml`` or ``.toml``)."""
    path = Path(path)
    return parse_rule_set(_read(path), str(path))


def parse_rule_text(text: str, file: str) -> RuleSet:
    """A rule set from a file's text (e.g. as stored with a ledger version); the suffix of
    ``file`` says YAML or TOML."""
    return parse_rule_set(_parse(text, file), file)
