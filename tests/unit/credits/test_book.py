"""The rule book: several versions per county, chosen by date, never overlapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.credits.rules import (
    CONFIG_DIR,
    PROPOSED_DIR,
    NoRuleSetError,
    RuleBook,
    RuleError,
)
from tests.unit.credits.builders import document


def version_file(
    folder: Path, version: str, start: str, end: str | None, county: str = "510781"
) -> Path:
    doc: dict[str, Any] = {
        **document(),
        "id": f"r{county.strip('*') or 'x'}",
        "version": version,
        "county_code": county,
        "effective_from": start,
        "effective_to": end,
    }
    path = folder / f"{county.strip('*') or 'default'}-{version}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    version_file(tmp_path, "1", "2021-01-01", "2023-08-31")
    version_file(tmp_path, "2", "2023-09-01", "2025-12-31")
    version_file(tmp_path, "3", "2026-01-01", None)
    version_file(tmp_path, "9", "2021-01-01", None, county="*")
    return tmp_path


@pytest.mark.parametrize(
    ("county", "on", "version"),
    [
        ("510781", date(2021, 1, 1), "1"),
        ("510781", date(2023, 8, 31), "1"),
        ("510781", date(2023, 9, 1), "2"),
        ("510781", date(2025, 12, 31), "2"),
        ("510781", date(2026, 1, 1), "3"),
        ("510781", date(2040, 6, 1), "3"),
        ("510000", date(2024, 5, 1), "9"),
    ],
)
def test_the_book_picks_the_version_in_force_on_the_date(
    book_dir: Path, county: str, on: date, version: str
):
    assert RuleBook.load(book_dir).for_date(county, on).version == version


def test_a_date_no_rule_set_covers_is_a_clear_error(tmp_path: Path):
    version_file(tmp_path, "1", "2021-01-01", "2023-08-31")
    book = RuleBook.load(tmp_path)
    with pytest.raises(NoRuleSetError, match=r"county 510781 on 2024-01-01 .*r510781@1"):
        book.for_date("510781", date(2024, 1, 1))
    with pytest.raises(NoRuleSetError, match="its rule sets: none"):
        book.for_date("510000", date(2022, 1, 1))


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (("2", "2023-08-31", None), "r510781@2 overlaps r510781@1"),
        (("2", "2020-01-01", "2021-01-01"), "r510781@2 overlaps r510781@1"),
        (("2", "2022-01-01", "2022-02-01"), "r510781@2 overlaps r510781@1"),
        (("1", "2030-01-01", None), "r510781@1 is also defined in"),
    ],
)
def test_overlapping_effective_dates_are_refused(
    tmp_path: Path, second: tuple[str, str, str | None], message: str
):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = version_file(tmp_path / "a", "1", "2021-01-01", "2023-08-31")
    other = version_file(tmp_path / "b", *second)
    with pytest.raises(RuleError, match=message) as caught:
        RuleBook.load([first, other])
    assert caught.value.path in {"effective_from", "version"}
    assert str(first) in str(caught.value) or str(other) in str(caught.value)


def test_the_same_dates_in_two_counties_do_not_overlap(tmp_path: Path):
    a = version_file(tmp_path, "1", "2021-01-01", None)
    b = version_file(tmp_path, "1", "2021-01-01", None, county="510000")
    book = RuleBook.load([a, b])
    assert len(book) == 2
    assert book.for_date("510000", date(2022, 1, 1)).county_code == "510000"


def test_the_default_book_reads_config_but_not_the_proposed_revisions():
    book = RuleBook.default()
    assert sorted(r.label for r in book) == ["510781@2021.1", "default@2021.1"]
    assert book.get("510781", "2021.1").county_code == "510781"
    with pytest.raises(NoRuleSetError):
        book.get("510781", "2026.1")


def test_a_proposed_revision_overlaps_the_version_in_force_until_that_is_closed():
    with pytest.raises(RuleError, match=r"510781@2026.1 overlaps 510781@2021.1"):
        RuleBook.load([CONFIG_DIR, PROPOSED_DIR])


def test_a_bad_file_in_a_book_names_that_file(book_dir: Path):
    (book_dir / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        RuleBook.load(book_dir)
    assert caught.value.file.endswith("broken.yaml")


def test_an_id_and_version_are_unique_across_counties(tmp_path: Path):
    (tmp_path / "a").mkdir()
    a = version_file(tmp_path, "1", "2021-01-01", None)
    b = version_file(tmp_path / "a", "1", "2021-01-01", None, county="510000")
    doc = yaml.safe_load(b.read_text(encoding="utf-8"))
    b.write_text(yaml.safe_dump({**doc, "id": "r510781"}), encoding="utf-8")
    with pytest.raises(RuleError, match=rf"r510781@1 is also defined in {a}") as caught:
        RuleBook.load([a, b])
    assert caught.value.file == str(b)


def test_a_book_can_be_built_from_rule_sets_in_memory():
    v1 = RuleBook.default().get("510781", "2021.1")
    book = RuleBook([v1])
    assert book.for_date("510781", date(2030, 1, 1)) is v1
    with pytest.raises(RuleError, match="is also defined in <rules>"):
        book.add(v1)
