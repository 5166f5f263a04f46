"""Import every contract module, so the catalogue knows every wire type.

Contracts live in one package per context, ``contracts/<context>/v<N>.py``, plus whatever
else a context keeps there (``contracts/registry/internal.py``). Importing a module
registers its classes; exporting schemas needs all of them, whatever was imported before.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType

import contracts

__all__ = ["load_all"]

_VERSION_MODULE = re.compile(r"v([1-9][0-9]*)")


def load_all() -> list[str]:
    """Import every module of every context package; return their names.

    ``v<N>`` modules come first, oldest first (an upcaster in v2 imports v1), then the
    other modules of the context in name order.
    """
    names = [name for package in _context_packages() for name in _modules_of(package)]
    for name in names:
        importlib.import_module(name)
    return names


def _context_packages() -> Iterator[ModuleType]:
    for info in pkgutil.iter_modules(contracts.__path__):
        if info.ispkg and not info.name.startswith("_"):
            yield importlib.import_module(f"{contracts.__name__}.{info.name}")


def _modules_of(package: ModuleType) -> list[str]:
    found = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return [f"{package.__name__}.{name}" for name in sorted(found, key=_import_order)]


def _import_order(name: str) -> tuple[int, int, str]:
    match = _VERSION_MODULE.fullmatch(name)
    return (0, int(match.group(1)), name) if match else (1, 0, name)
