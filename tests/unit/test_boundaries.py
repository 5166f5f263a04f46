"""Import boundaries: services stay apart, and domain code does no I/O and reads no clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "activities", "credits", "notify")
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy",
    "faststream",
    "nats",
    "eventlog",
    "time",
    "os",
    "random",
    "socket",
    "asyncio",
    "httpx",
    "aiosmtplib",
    "uuid",
)
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}


def imports_of(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def domain_modules() -> list[Path]:
    return sorted(
        p
        for p in (ROOT / "services").rglob("*.py")
        if p.stem == "domain" or "domain" in p.relative_to(ROOT / "services").parts[1:-1]
    )


def broken_domain_rules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for name, line in imports_of(tree):
        root = name.split(".")[0]
        if root in FORBIDDEN_IN_DOMAIN:
            problems.append(f"{path.name}:{line} imports {name}")
        if root == "services" and name.split(".")[1:2] != [path.relative_to(ROOT).parts[1]]:
            problems.append(f"{path.name}:{line} imports another service: {name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS
        ):
            problems.append(f"{path.name}:{node.lineno} reads the clock: .{node.func.attr}()")
    return problems


def test_import_linter_contracts_hold():
    """Services are independent; contracts and the event log know no service."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_modules_do_no_io_and_read_no_clock(path: Path):
    assert broken_domain_rules(path) == []


def test_the_checker_catches_a_domain_module_that_breaks_the_rules(tmp_path: Path, monkeypatch):
    bad = ROOT / "services" / "registry" / "domain_probe_tmp.py"
    bad.write_text(
        "import sqlalchemy\nfrom datetime import datetime\nfrom services.credits import x\n"
        "def decide():\n    return datetime.now()\n",
        encoding="utf-8",
    )
    try:
        problems = broken_domain_rules(bad)
    finally:
        bad.unlink()
    assert any("imports sqlalchemy" in p for p in problems)
    assert any("another service: services.credits" in p for p in problems)
    assert any("reads the clock: .now()" in p for p in problems)


def test_no_service_imports_another_service():
    """The same rule as import-linter, checked directly so the failure names the file."""
    problems = []
    for service in SERVICES:
        for path in (ROOT / "services" / service).rglob("*.py"):
            for name, line in imports_of(ast.parse(path.read_text(encoding="utf-8"))):
                parts = name.split(".")
                if parts[0] == "services" and len(parts) > 1 and parts[1] != service:
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert problems == []
