"""Onboarding counties and agencies: the tenancy file, NATS accounts and overlay move together."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from yanpei.cli import app
from yanpei.ops.natsconfig import Passwords, accounts_conf, agency_permissions
from yanpei.ops.tenancy import Agency, Tenancy, TenancyError, load_tenancy

ROOT = Path(__file__).parents[2]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of deploy/ to onboard into, with secrets in the temporary folder."""
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YANPEI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YANPEI_NATS_URL", raising=False)
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_onboarding_a_county_writes_tenancy_accounts_and_overlay(workspace):
    _run("county", "onboard", "510703", "--name", "涪城区", "--no-declare")
    tenancy = load_tenancy(workspace / "deploy/tenancy.yaml")
    assert "510703" in tenancy.county_codes()
    assert (workspace / "deploy/k8s/overlays/510703/kustomization.yaml").exists()
    accounts = (workspace / "deploy/k8s/nats/accounts.conf").read_text()
    assert "# Counties: " in accounts and "510703" in accounts
    assert "password" in accounts and (workspace / "data/secrets/registry.password").exists()
    assert (workspace / "data/secrets/registry.password").read_text() not in accounts


def test_an_agency_gets_subscribe_only_credentials_for_known_counties(workspace):
    _run("county", "onboard", "510703", "--name", "涪城区", "--no-declare")
    out = _run("agency", "add", "city-archive", "--counties", "510703", "--events", "registry")
    password = (workspace / "data/secrets/agency-city-archive.password").read_text()
    assert password in out.replace("\n", "")
    accounts = (workspace / "deploy/k8s/nats/accounts.conf").read_text()
    assert '"agency-city-archive"' in accounts and "evt.510703.registry.>" in accounts


def test_an_agency_for_an_unknown_county_is_refused_and_nothing_written(workspace):
    before = (workspace / "deploy/k8s/nats/accounts.conf").read_text()
    result = CliRunner().invoke(
        app, ["agency", "add", "x-office", "--counties", "123456", "--events", "registry"]
    )
    assert result.exit_code == 2
    assert "unknown county 123456" in result.output
    assert (workspace / "deploy/k8s/nats/accounts.conf").read_text() == before


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"counties": [{"code": "51078", "name": "x"}]}, "counties.0.code"),
        ({"agencies": [{"name": "ab", "counties": ["510781"], "contexts": ["grades"]}]}, "grades"),
        ({"countys": []}, "countys"),
        ({"agencies": [{"name": "Bad Name", "counties": ["510781"], "contexts": []}]}, "name"),
    ],
)
def test_a_bad_tenancy_file_names_the_problem(tmp_path: Path, document: dict, problem: str):
    path = tmp_path / "tenancy.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(TenancyError, match=problem) as caught:
        load_tenancy(path)
    assert str(path) in str(caught.value)


def test_passwords_are_stable_and_only_their_hashes_are_in_the_configuration(tmp_path: Path):
    passwords = Passwords(tmp_path)
    tenancy = Tenancy()
    first, second = accounts_conf(tenancy, passwords), accounts_conf(tenancy, passwords)
    assert first == second
    assert passwords.password("operator") not in first


def test_agency_permissions_list_each_county_and_context():
    agency = Agency(name="a-b", counties=["510781", "510722"], contexts=["registry", "credits"])
    permissions = agency_permissions(agency)
    assert permissions["publish"] == {"deny": [">"]}
    assert sorted(permissions["subscribe"]["allow"]) == [
        "evt.510722.credits.>",
        "evt.510722.registry.>",
        "evt.510781.credits.>",
        "evt.510781.registry.>",
    ]
