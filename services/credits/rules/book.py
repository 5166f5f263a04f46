"""The rule book: every version of every county's rule set, chosen by county and date.

Counties change their rules from year to year, so a county has several rule sets whose
effective ranges must not overlap. A rule set for county ``*`` is the fallback for counties
without rules of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from services.credits.rules.loader import RULE_FILE_SUFFIXES, RuleError, load_rule_set
from services.credits.rules.model import RuleSet

__all__ = ["CONFIG_DIR", "PROPOSED_DIR", "NoRuleSetError", "RuleBook"]

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
PROPOSED_DIR = CONFIG_DIR / "proposed"
FALLBACK_COUNTY = "*"


class NoRuleSetError(LookupError):
    """No rule set applies to a county on a date."""


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    """Whether two effective ranges share a day (an open end runs for ever)."""
    a_end, b_end = a.effective_to or date.max, b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _rule_files(paths_or_dir: Path | str | Iterable[Path | str]) -> list[Path]:
    """The rule files named, or found (sorted) directly in a named directory.

    Sub-directories are not read, so proposed revisions can sit beside the rules in force.
    """
    items = [paths_or_dir] if isinstance(paths_or_dir, Path | str) else list(paths_or_dir)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            files += sorted(p for p in item.iterdir() if p.suffix in RULE_FILE_SUFFIXES)
        else:
            files.append(item)
    return files


class RuleBook:
    """Rule sets by county, each county's versions ordered by effective date."""

    def __init__(self, rule_sets: Iterable[RuleSet] = ()):
        self._by_county: dict[str, list[RuleSet]] = {}
        self._files: dict[str, str] = {}
        for rules in rule_sets:
            self.add(rules)

    def add(self, rules: RuleSet, file: str = "<rules>") -> None:
        """Add a version; refuse a second copy of an id and version (entries name rule sets
        by them), or dates that overlap another version of the same county."""
        if rules.label in self._files:
            where = self._files[rules.label]
            raise RuleError(file, "version", f"{rules.label} is also defined in {where}")
        versions = self._by_county.setdefault(rules.county_code, [])
        for other in versions:
            if _overlap(other, rules):
                raise RuleError(
                    file,
                    "effective_from",
                    f"{rules.label} overlaps {other.label} ({self._files[other.label]}) "
                    f"for county {rules.county_code}",
                )
        versions.append(rules)
        versions.sort(key=lambda r: r.effective_from)
        self._files[rules.label] = file

    @classmethod
    def load(cls, paths_or_dir: Path | str | Iterable[Path | str]) -> RuleBook:
        """Load rule files, or every rule file directly in a directory."""
        book = cls()
        for path in _rule_files(paths_or_dir):
            book.add(load_rule_set(path), str(path))
        return book

    @classmethod
    def default(cls) -> RuleBook:
        """The rule sets shipped with yanpei (``services/credits/config/``)."""
        return cls.load(CONFIG_DIR)

    def for_date(self, county_code: str, on: date) -> RuleSet:
        """The rule set in force in ``county_code`` on ``on``, or the fallback's."""
        for county in (county_code, FALLBACK_COUNTY):
            for rules in self._by_county.get(county, []):
                if rules.effective_from <= on <= (rules.effective_to or date.max):
                    return rules
        known = (
            ", ".join(
                f"{r.label} {r.effective_from}..{r.effective_to or ''}"
                for r in self.versions(county_code)
            )
            or "none"
        )
        raise NoRuleSetError(
            f"no rule set applies to county {county_code} on {on} "
            f"(its rule sets: {known}; no fallback '*' covers it)"
        )

    def versions(self, county_code: str) -> list[RuleSet]:
        """The county's own rule sets, oldest first."""
        return list(self._by_county.get(county_code, []))

    def get(self, rule_set_id: str, version: str) -> RuleSet:
        """A rule set by id and version, e.g. to explain an old ledger entry."""
        for rules in self:
            if rules.id == rule_set_id and rules.version == version:
                return rules
        raise NoRuleSetError(f"no rule set {rule_set_id}@{version}")

    def __iter__(self) -> Iterator[RuleSet]:
        return (r for versions in self._by_county.values() for r in versions)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_county.values())
