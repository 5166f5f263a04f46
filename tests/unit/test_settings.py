"""Settings come from YANPEI_* environment variables, with working defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from yanpei.settings import Settings, get_settings

NAMES = ("NATS_URL", "DATABASE_URL", "DATA_DIR", "COUNTY", "LOG_LEVEL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(f"YANPEI_{name}", raising=False)


def test_defaults_need_no_servers():
    settings = get_settings()
    assert settings.nats_url is None
    assert settings.database_url is None
    assert settings.data_dir == Path(".yanpei")
    assert settings.county is None
    assert settings.log_level == "INFO"
    assert settings.effective_database_url == "sqlite:///.yanpei/yanpei.db"


def test_every_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("YANPEI_NATS_URL", "nats://nats.example:4222")
    monkeypatch.setenv("YANPEI_DATABASE_URL", "postgresql://yanpei@db.example/yanpei")
    monkeypatch.setenv("YANPEI_DATA_DIR", "/var/lib/yanpei")
    monkeypatch.setenv("YANPEI_COUNTY", "510781")
    monkeypatch.setenv("YANPEI_LOG_LEVEL", "DEBUG")
    settings = get_settings()
    assert settings == Settings(
        nats_url="nats://nats.example:4222",
        database_url="postgresql://yanpei@db.example/yanpei",
        data_dir=Path("/var/lib/yanpei"),
        county="510781",
        log_level="DEBUG",
    )
    assert settings.effective_database_url == "postgresql://yanpei@db.example/yanpei"


def test_the_default_database_lives_in_the_data_dir(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("YANPEI_DATA_DIR", "/srv/yanpei")
    assert get_settings().effective_database_url == "sqlite:////srv/yanpei/yanpei.db"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("YANPEI_NATS_URL", "")
    monkeypatch.setenv("YANPEI_DATABASE_URL", "")
    settings = get_settings()
    assert settings.nats_url is None
    assert settings.effective_database_url == "sqlite:///.yanpei/yanpei.db"
