"""The catalogue of contracts: from a wire ``type`` to its model, with upcasting.

Old major versions stay registered beside new ones; an upcaster turns a vN instance into
vN+1, and :meth:`Catalogue.decode` chains them so consumers always see the newest version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from contracts.base import Contract

__all__ = [
    "Catalogue",
    "DecodeError",
    "InvalidPayload",
    "UnknownType",
    "UnknownVersion",
    "catalogue",
]

Upcaster = Callable[[Any], Any]


class DecodeError(ValueError):
    """A message could not be turned into a contract; ``reason`` says why, for people."""

    code = "decode_error"

    def __init__(self, type_: str, reason: str) -> None:
        super().__init__(f"{type_!r}: {reason}")
        self.type = type_
        self.reason = reason


class UnknownType(DecodeError):
    """No contract of that family is known."""

    code = "unknown_type"


class UnknownVersion(DecodeError):
    """The family is known but not that major version."""

    code = "unknown_version"


class InvalidPayload(DecodeError):
    """The body is not valid JSON or does not satisfy the contract."""

    code = "invalid_payload"


def split_type(type_: str) -> tuple[str, int]:
    """Split ``registry.SchoolRegistered.v1`` into (``registry.SchoolRegistered``, 1)."""
    family, _, tail = type_.rpartition(".")
    if not family or not tail.startswith("v") or not tail[1:].isdigit():
        raise UnknownType(type_, "not of the form <context>.<Name>.v<major>")
    return family, int(tail[1:])


class Catalogue:
    """Maps wire types to contract classes and holds the upcasters between versions."""

    def __init__(self) -> None:
        self._by_type: dict[str, type[Contract]] = {}
        self._upcasters: dict[str, Upcaster] = {}
        self._latest: dict[str, type[Contract]] = {}

    def register(self, model: type[Contract]) -> None:
        """Register a contract class under its wire type (import time, once)."""
        key = model.wire_type()
        known = self._by_type.get(key)
        # The same class re-created (a module reloaded) may replace itself; nothing else may.
        if known is not None and _origin(known) != _origin(model):
            raise ValueError(f"wire type {key} declared twice: {known!r} and {model!r}")
        self._by_type[key] = model
        newest = self._latest.get(model.family())
        if newest is None or newest.version <= model.version:
            self._latest[model.family()] = model

    def upcaster(self, source: type[Contract]) -> Callable[[Upcaster], Upcaster]:
        """Decorator registering the function that turns ``source`` into its next version."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[source.wire_type()] = fn
            return fn

        return register

    def model(self, type_: str) -> type[Contract]:
        """The class registered for ``type_``; UnknownType / UnknownVersion otherwise."""
        try:
            return self._by_type[type_]
        except KeyError:
            family, major = split_type(type_)
            known = sorted(v for f, v in map(split_type, self._by_type) if f == family)
            if not known:
                raise UnknownType(type_, f"no contract named {family!r} is known") from None
            raise UnknownVersion(
                type_, f"major version {major} of {family!r} is unknown (known: {known})"
            ) from None

    def latest(self, family: str) -> type[Contract]:
        """The newest registered major version of a family."""
        newest = self._latest.get(family)
        if newest is None:
            raise UnknownType(family, f"no contract named {family!r} is known")
        return newest

    def decode(self, type_: str, body: bytes | str, *, upcast: bool = True) -> Contract:
        """Parse a message body of the given type, upcast to the newest version by default."""
        model = self.model(type_)
        try:
            value = model.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidPayload(type_, _describe(exc)) from exc
        return self.upcast(value) if upcast else value

    def upcast(self, value: Contract) -> Contract:
        """Apply upcasters until the newest registered version of the family is reached."""
        target = self.latest(value.family()).version
        while value.version < target:
            step = self._upcasters.get(value.wire_type())
            if step is None:
                raise UnknownVersion(
                    value.wire_type(), f"no upcaster from v{value.version} to v{value.version + 1}"
                )
            value = _checked_step(step, value)
        return value

    def __iter__(self) -> Iterator[type[Contract]]:
        return iter(sorted(self._by_type.values(), key=lambda m: m.wire_type()))

    def __contains__(self, type_: object) -> bool:
        return type_ in self._by_type


def _origin(model: type[Contract]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _checked_step(step: Upcaster, value: Contract) -> Contract:
    """Run one upcaster; it must return the same family at a higher version."""
    from contracts.base import Contract

    result = step(value)
    if (
        not isinstance(result, Contract)
        or result.family() != value.family()
        or type(result).version <= type(value).version
    ):
        raise TypeError(
            f"upcaster from {value.wire_type()} returned {result!r}, "
            f"not a later version of {value.family()}"
        )
    return result


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


catalogue = Catalogue()
