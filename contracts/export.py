"""JSON Schema files of every contract, kept in ``contracts/schemas/<wire type>.json``.

The files are the record of what each wire type has promised: they are committed, and the
contract tests compare the code against them. ``python -m contracts.export`` writes them;
``--check`` only reports files that are missing or differ from the code (for CI).

A schema that would change incompatibly is not overwritten unless ``--allow-breaking`` is
given: a breaking change belongs in a new major version, beside the old one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contracts.base import Contract, Event
from contracts.catalogue import catalogue
from contracts.loader import load_all

__all__ = [
    "SCHEMAS",
    "committed_schemas",
    "contracts_in_code",
    "main",
    "render",
    "schema_of",
    "stale_files",
    "write_schemas",
]

SCHEMAS = Path(__file__).with_name("schemas")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXPORT_COMMAND = "python -m contracts.export"
_SUMMARY = "Write (or --check) contracts/schemas/<wire type>.json for every contract."


def contracts_in_code() -> list[type[Contract]]:
    """Every contract class defined under the ``contracts`` package, by wire type."""
    load_all()
    return [model for model in catalogue if _defined_in_contracts(model)]


def schema_of(model: type[Contract]) -> dict[str, Any]:
    """The JSON Schema of a contract, labelled with its wire type, kind and aggregate."""
    schema = model.model_json_schema()
    schema.update(
        {
            "$schema": DIALECT,
            "$id": model.wire_type(),
            "title": model.wire_type(),
            "x-yanpei-kind": model.kind,
        }
    )
    if issubclass(model, Event):
        schema["x-yanpei-aggregate"] = model.aggregate
    return schema


def render(schema: dict[str, Any]) -> str:
    """The text of a schema file: pretty, keys sorted, one trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def committed_schemas(directory: Path = SCHEMAS) -> dict[str, dict[str, Any]]:
    """The schema files in ``directory``, by wire type."""
    return {path.stem: json.loads(path.read_text("utf-8")) for path in _files(directory)}


def stale_files(directory: Path = SCHEMAS) -> list[str]:
    """What ``--check`` reports: files missing, differing from the code, or without a
    contract in code (a wire type must never disappear)."""
    expected = {_file_name(m): render(schema_of(m)) for m in contracts_in_code()}
    found = {path.name: path.read_text("utf-8") for path in _files(directory)}
    problems = [f"{name}: missing" for name in sorted(expected.keys() - found.keys())]
    problems += [
        f"{name}: differs from the code"
        for name in sorted(expected.keys() & found.keys())
        if expected[name] != found[name]
    ]
    problems += [f"{name}: no contract in code" for name in sorted(found.keys() - expected)]
    return problems


def write_schemas(
    directory: Path = SCHEMAS, *, allow_breaking: bool = False
) -> tuple[list[str], list[str]]:
    """Write every contract's schema; return (files written, refusals with reasons).

    A file whose new schema is incompatible with the committed one is left alone unless
    ``allow_breaking``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written, refused = [], []
    for model in contracts_in_code():
        path = directory / _file_name(model)
        text = render(schema_of(model))
        if path.exists() and path.read_text("utf-8") == text:
            continue
        reasons = [] if allow_breaking else _breaks(path, json.loads(text))
        if reasons:
            refused.append(f"{path.name}: " + "; ".join(reasons))
            continue
        path.write_text(text, "utf-8")
        written.append(path.name)
    return written, refused


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the schema files, or ``--check`` them; 1 when anything is off."""
    parser = argparse.ArgumentParser(prog=EXPORT_COMMAND, description=_SUMMARY)
    parser.add_argument("--check", action="store_true", help="report, write nothing")
    parser.add_argument("--allow-breaking", action="store_true", help="overwrite anyway")
    parser.add_argument("--dir", type=Path, default=SCHEMAS, help="schema directory")
    args = parser.parse_args(argv)
    if args.check:
        return _report(stale_files(args.dir), f"out of date; run `{EXPORT_COMMAND}`")
    written, refused = write_schemas(args.dir, allow_breaking=args.allow_breaking)
    for name in written:
        print(f"wrote {args.dir / name}")
    return _report(
        refused,
        "not written, incompatible with the committed schema (put the change in a new major "
        "version; --allow-breaking overwrites a schema that was never released)",
    )


def _report(problems: list[str], headline: str) -> int:
    if not problems:
        return 0
    print(f"contract schemas {headline}:", *problems, sep="\n  ", file=sys.stderr)
    return 1


def _breaks(path: Path, schema: dict[str, Any]) -> list[str]:
    if not path.exists():
        return []
    from contracts.compat import incompatibilities  # needs jsonsubschema, a dev dependency

    return incompatibilities(json.loads(path.read_text("utf-8")), schema)


def _defined_in_contracts(model: type[Contract]) -> bool:
    return model.__module__ == "contracts" or model.__module__.startswith("contracts.")


def _file_name(model: type[Contract]) -> str:
    return f"{model.wire_type()}.json"


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


if __name__ == "__main__":
    sys.exit(main())
