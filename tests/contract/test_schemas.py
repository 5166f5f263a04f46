"""The guard: every committed contract schema still holds for the code of its wire type.

``contracts/schemas/`` records what each wire type promised. Stored events live forever, so
the code may only change a contract compatibly; anything else is a new major version.
"""

from __future__ import annotations

import json

import pytest

from contracts import Event
from contracts.compat import incompatibilities
from contracts.export import (
    EXPORT_COMMAND,
    committed_schemas,
    contracts_in_code,
    main,
    render,
    schema_of,
    stale_files,
    write_schemas,
)
from contracts.loader import load_all
from contracts.system.v1 import ServiceStarted

COMMITTED = committed_schemas()
IN_CODE = {model.wire_type(): model for model in contracts_in_code()}


class StrayEvent(Event, context="test_only", name="StrayEvent", version=1, aggregate="stray"):
    """A contract defined outside the contracts package: never exported."""

    note: str


@pytest.mark.parametrize("wire_type", sorted(COMMITTED))
def test_committed_schema_still_holds_for_the_code(wire_type):
    model = IN_CODE.get(wire_type)
    assert model is not None, (
        f"{wire_type} has a committed schema but no contract in code: stored events of this "
        "type could no longer be read. Restore the class."
    )
    reasons = incompatibilities(COMMITTED[wire_type], schema_of(model))
    assert not reasons, (
        f"{wire_type} changed incompatibly. Keep v{model.version} as it was and put the change "
        f"in v{model.version + 1} beside it, with an upcaster:\n  " + "\n  ".join(reasons)
    )


def test_every_contract_has_a_committed_schema():
    missing = sorted(IN_CODE.keys() - COMMITTED.keys())
    assert not missing, (
        f"no committed schema for {missing}: run `{EXPORT_COMMAND}` and commit contracts/schemas/"
    )


def test_committed_schemas_match_the_code():
    differing = [p for p in stale_files() if p.endswith("differs from the code")]
    assert not differing, f"run `{EXPORT_COMMAND}` and commit contracts/schemas/: {differing}"


def test_load_all_imports_every_context_module():
    names = load_all()
    assert "contracts.system.v1" in names
    assert all(name.startswith("contracts.") for name in names)


def test_export_covers_only_contracts_of_the_contracts_package():
    assert ServiceStarted in contracts_in_code()
    assert StrayEvent not in contracts_in_code()
    assert all(model.__module__.startswith("contracts.") for model in contracts_in_code())


def test_a_schema_file_is_labelled_pretty_and_sorted(tmp_path):
    write_schemas(tmp_path)
    text = (tmp_path / "system.ServiceStarted.v1.json").read_text("utf-8")
    schema = json.loads(text)
    assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert schema["$id"] == schema["title"] == "system.ServiceStarted.v1"
    assert schema["x-yanpei-kind"] == "event"
    assert schema["x-yanpei-aggregate"] == "service"
    assert all(p.get("description") for p in schema["properties"].values())
    assert not list(tmp_path.glob("test_only.*"))


def test_check_reports_missing_differing_and_orphaned_files(tmp_path, capsys):
    write_schemas(tmp_path)
    (tmp_path / "system.ServiceStarted.v1.json").write_text("{}\n", "utf-8")
    any_other = next(p for p in tmp_path.glob("*.json") if not p.name.startswith("system."))
    any_other.unlink()
    (tmp_path / "system.Vanished.v1.json").write_text("{}\n", "utf-8")

    assert main(["--check", "--dir", str(tmp_path)]) == 1
    report = capsys.readouterr().err
    assert f"{any_other.name}: missing" in report
    assert "system.ServiceStarted.v1.json: differs from the code" in report
    assert "system.Vanished.v1.json: no contract in code" in report
    assert EXPORT_COMMAND in report


def test_export_then_check_is_clean(tmp_path):
    assert main(["--dir", str(tmp_path)]) == 0
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    assert stale_files(tmp_path) == []


def test_export_refuses_to_overwrite_a_schema_incompatibly(tmp_path, capsys):
    path = tmp_path / "system.ServiceStarted.v1.json"
    older = schema_of(ServiceStarted)
    older["properties"]["host"] = {"type": "string"}  # the code no longer has it
    path.write_text(render(older), "utf-8")

    assert main(["--dir", str(tmp_path)]) == 1
    assert "$.host: property removed" in capsys.readouterr().err
    assert json.loads(path.read_text("utf-8")) == older

    assert main(["--dir", str(tmp_path), "--allow-breaking"]) == 0
    assert json.loads(path.read_text("utf-8")) == schema_of(ServiceStarted)
