"""The tests' PostgreSQL: a fresh database per test, and a throwaway cluster on a bare machine."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.fixtures import postgres as pg


def test_database_url_is_an_empty_database_of_the_tests_own(database_url: str, tmp_path: Path):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert Path(url.database or "").parent == tmp_path
    else:
        assert (url.database or "").startswith("yanpei_test_")
    engine = create_engine(database_url)
    assert inspect(engine).get_table_names() == []
    with engine.begin() as tx:
        tx.execute(text("CREATE TABLE probe (n INTEGER)"))
        tx.execute(text("INSERT INTO probe VALUES (1), (2)"))
    with engine.connect() as tx:
        assert tx.execute(text("SELECT sum(n) FROM probe")).scalar() == 3
    engine.dispose()


def test_a_created_database_is_dropped_even_with_connections_open(
    postgres_server: pg.PostgresServer,
):
    url = pg.create_database(postgres_server.admin_url)
    name = make_url(url).database
    held = psycopg.connect(pg._libpq(url))
    held.execute("SELECT 1")
    pg.drop_database(postgres_server.admin_url, url)
    held.close()
    with psycopg.connect(pg._libpq(postgres_server.admin_url)) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    assert exists is None


@pytest.mark.slow
def test_a_bare_machine_gets_a_throwaway_cluster(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(pg.FORCE_START_ENV, "1")
    plan = pg.plan_postgres()
    if plan.kind == "none":
        pytest.skip(f"no PostgreSQL binaries to start a cluster with: {plan.description}")
    assert plan.kind == "cluster"
    said: list[str] = []
    with pg.postgres_server(plan, report=said.append) as server:
        url = pg.create_database(server.admin_url)
        engine = create_engine(url)
        with engine.connect() as tx:
            assert tx.execute(text("SHOW fsync")).scalar() == "off"
        engine.dispose()
        pg.drop_database(server.admin_url, url)
        port = make_url(server.admin_url).port
    assert len(said) == 1 and "throwaway cluster" in said[0], "it says which PostgreSQL"
    folder = Path(said[0].rsplit(" in ", 1)[1].rstrip(")"))
    assert not folder.exists(), "the cluster's folder is removed"
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the cluster is stopped"
