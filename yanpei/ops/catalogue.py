"""The agencies' catalogue of events: an AsyncAPI 3.0 document generated with faststream.

Every public event (``contracts/<context>/v<N>``, not a context's internal or query
contracts) becomes a channel ``evt.{county}.<context>.<aggregate>.{id}.<Name>`` whose
message is the contract's JSON Schema; every command becomes the channel services answer
on, ``cmd.{county}.<context>.<Command>``. The broker here is never connected: it exists
only to describe. ``yanpei catalogue --check`` fails when the committed document is stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from contracts import Command, Contract, Event, catalogue
from contracts.loader import load_all

__all__ = ["ASYNCAPI_FILE", "asyncapi_document", "public_contracts"]

ASYNCAPI_FILE = Path("docs/catalogue/asyncapi.yaml")
_PUBLIC_MODULE_PREFIXES = ("v", "_v")


def public_contracts() -> list[type[Contract]]:
    """Newest version of every public contract, in wire-type order."""
    load_all()
    newest: dict[str, type[Contract]] = {}
    for model in catalogue:
        if _is_public(model) and model.version >= getattr(newest.get(model.family()), "version", 0):
            newest[model.family()] = model
    return sorted(newest.values(), key=lambda m: m.wire_type())


def _is_public(model: type[Contract]) -> bool:
    parts = model.__module__.split(".")
    return (
        len(parts) == 3 and parts[0] == "contracts" and parts[2].startswith(_PUBLIC_MODULE_PREFIXES)
    )


def asyncapi_document(version: str) -> str:
    """The AsyncAPI 3.0 YAML of every public event and command."""
    broker = NatsBroker("nats://localhost:4222", logger=None)
    for model in public_contracts():
        description = (model.__doc__ or "").strip()
        if issubclass(model, Event):
            subject = f"evt.{{county}}.{model.context}.{model.aggregate}.{{id}}.{model.name}"
            broker.publisher(
                subject, title=model.wire_type(), description=description, schema=model
            )
        elif issubclass(model, Command):
            subject = f"cmd.{{county}}.{model.context}.{model.name}"
            broker.subscriber(subject, title=model.wire_type(), description=description)(
                _handler_of(model)
            )
    spec = AsyncAPI(
        broker,
        title="yanpei events and commands",
        version=version,
        description=(
            "Public events of every county (subscribe to evt.<county>.<context>.>) and the "
            "commands the services answer. Payloads are JSON; CloudEvents attributes travel in "
            "NATS headers (ce-id, ce-type, ce-source, ce-time, traceparent)."
        ),
    )
    document = yaml.safe_load(spec.to_specification().to_yaml())
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


def _handler_of(model: type[Contract]) -> Callable[..., Awaitable[None]]:
    """A handler taking ``model``: faststream reads the payload schema off its signature."""

    async def handler(body: Any) -> None:
        """Described, never run."""

    handler.__annotations__ = {"body": model, "return": None}
    return handler
