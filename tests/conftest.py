"""Fixtures for every test: a real NATS server, and both database engines.

- ``nats_server`` (session): the embedded nats-server on a free port in a temp dir, or the
  server named by ``YANPEI_TEST_NATS_URL`` (then ``stop``/``kill``/``restart`` skip the test).
- ``nats_url`` (session): ``nats_server.url``.
- ``serve_nats``: the same for a package of its own (tests/integration/credits: the
  ledger reads every county's events, so it should not read the other packages' semesters).
- ``fresh_nats_server`` (function): a new embedded server of the test's own, to stop, kill
  and restart at will; always embedded.
- ``database_url`` (function): runs the test once on SQLite (a file in ``tmp_path``) and
  once on PostgreSQL (a database created for the test, dropped after it).
  ``YANPEI_TEST_DB=sqlite|postgresql`` keeps one engine.
- ``postgres_server`` (session): the PostgreSQL server those databases live on.

Tests under integration/, e2e/ and reliability/ are marked ``integration``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import postgres as pg
from tests.fixtures.nats import GivenNatsServer, given_nats_url
from tests.fixtures.selection import plan_postgres_if_used, selected_engines, server_lines
from yanpei.natsserver import EmbeddedNatsServer

try:
    ENGINES = selected_engines()
except ValueError as exc:
    raise pytest.UsageError(str(exc)) from exc

INTEGRATION_DIRS = {"integration", "e2e", "reliability"}
TESTS = Path(__file__).parent

_PG_PLAN = pytest.StashKey["pg.PostgresPlan | None"]()
_USED = pytest.StashKey[list[str]]()


def _pg_plan(config: pytest.Config) -> pg.PostgresPlan | None:
    if _PG_PLAN not in config.stash:
        config.stash[_PG_PLAN] = plan_postgres_if_used()
    return config.stash[_PG_PLAN]


def _announce(config: pytest.Config, line: str) -> None:
    """Record which server a fixture uses, for the end of the report."""
    config.stash.setdefault(_USED, []).append(line)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"yanpei {line}" for line in server_lines(_pg_plan(config))]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    used = terminalreporter.config.stash.get(_USED, [])
    if used:
        terminalreporter.write_sep("-", "yanpei test servers used")
        for line in used:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
        if parts and parts[0] in INTEGRATION_DIRS:
            item.add_marker(pytest.mark.integration)


def serve_nats(
    config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, users: str = "session"
) -> Iterator[EmbeddedNatsServer | GivenNatsServer]:
    """An embedded server for ``users`` (started here, stopped after), or the given one."""
    given = given_nats_url()
    if given:
        server = GivenNatsServer(given)
        if server.version is None:
            pytest.fail(f"YANPEI_TEST_NATS_URL={given}: no NATS server answers", pytrace=False)
        _announce(config, f"NATS: {given} (given), nats-server {server.version}")
        yield server
        return
    with EmbeddedNatsServer(tmp_path_factory.mktemp("nats")) as embedded:
        _announce(
            config,
            f"NATS for the {users}: {embedded.url} (embedded nats-server {embedded.version})",
        )
        yield embedded


@pytest.fixture(scope="session")
def nats_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedNatsServer | GivenNatsServer]:
    """One NATS server for the session: embedded, or the one ``YANPEI_TEST_NATS_URL`` names."""
    yield from serve_nats(pytestconfig, tmp_path_factory)


@pytest.fixture(scope="session")
def nats_url(nats_server: EmbeddedNatsServer | GivenNatsServer) -> str:
    """The URL of ``nats_server``."""
    return nats_server.url


@pytest.fixture
def fresh_nats_server(tmp_path: Path) -> Iterator[EmbeddedNatsServer]:
    """A started embedded server for this test alone; stopped after it."""
    with EmbeddedNatsServer(tmp_path / "fresh") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server(pytestconfig: pytest.Config) -> Iterator[pg.PostgresServer]:
    """The PostgreSQL server for the session; fails (never skips) when none can be had."""
    plan = _pg_plan(pytestconfig)
    if plan is None:
        pytest.fail("PostgreSQL is not in use (YANPEI_TEST_DB=sqlite)", pytrace=False)
    try:
        with pg.postgres_server(plan, report=lambda line: _announce(pytestconfig, line)) as server:
            yield server
    except pg.PostgresUnavailable as exc:
        pytest.fail(
            f"no PostgreSQL for the tests: {exc}\n"
            f"Set {pg.GIVEN_ENV}, or run with YANPEI_TEST_DB=sqlite to test on SQLite only.",
            pytrace=False,
        )


@pytest.fixture(params=ENGINES, ids=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own, on each selected engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'yanpei.db'}"
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres_server")
    url = pg.create_database(server.admin_url)
    yield url
    pg.drop_database(server.admin_url, url)
