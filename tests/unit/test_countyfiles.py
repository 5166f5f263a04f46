"""Per-county configuration files: the county's top-level keys replace the defaults'."""

from __future__ import annotations

from pathlib import Path

import pytest

from yanpei.countyfiles import county_settings


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "counties").mkdir()
    (tmp_path / "defaults.yaml").write_text(
        "grace_days: 3\nquiet: {start: '22:00', end: '07:00'}\nkinds: [a, b]\n", encoding="utf-8"
    )
    (tmp_path / "counties" / "510781.yaml").write_text(
        "quiet: {start: '21:00'}\nkinds: [c]\n", encoding="utf-8"
    )
    return tmp_path


def test_a_countys_file_replaces_whole_top_level_keys(config: Path):
    assert county_settings(config, "510781") == {
        "grace_days": 3,
        "quiet": {"start": "21:00"},  # replaced whole, not merged key by key
        "kinds": ["c"],
    }


def test_a_county_without_a_file_gets_the_defaults_and_extra_keys_win(config: Path):
    settings = county_settings(config, "510722", {"grace_days": 7})
    assert settings == {
        "grace_days": 7,
        "quiet": {"start": "22:00", "end": "07:00"},
        "kinds": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [("kinds: [unclosed\n", "not valid YAML"), ("- a\n- b\n", "expected a mapping at the top")],
)
def test_a_bad_file_is_refused_with_its_path_and_reason(config: Path, text: str, reason: str):
    bad = config / "counties" / "510781.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=reason) as caught:
        county_settings(config, "510781")
    assert str(caught.value).startswith(f"{bad}: ")
