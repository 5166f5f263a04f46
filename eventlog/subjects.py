"""The subject scheme, county first.

Events: ``evt.<county>.<context>.<aggregate>.<aggregate_id>.<EventName>``.
Commands: ``cmd.<county>.<context>.<CommandName>``.
Dead letters: ``dlq.<context>.<projection>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "AggregateRef",
    "InvalidSubjectToken",
    "command_subject",
    "context_filter",
    "parse_event_subject",
]

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")
COUNTY_WILDCARD = "*"


class InvalidSubjectToken(ValueError):
    """A county, context, aggregate or id cannot stand in a NATS subject."""


def token(value: str, what: str) -> str:
    """Check that ``value`` is one safe subject token (letters, digits, ``_`` and ``-``)."""
    if not _TOKEN.match(value):
        raise InvalidSubjectToken(
            f"{what} {value!r} may hold only letters, digits, '_' and '-' (it is a subject token)"
        )
    return value


@dataclass(frozen=True, order=True)
class AggregateRef:
    """Which aggregate instance: the county, the context, its kind and its id."""

    county: str
    context: str
    aggregate: str
    id: str

    def __post_init__(self) -> None:
        token(self.county, "county")
        token(self.context, "context")
        token(self.aggregate, "aggregate")
        token(self.id, "aggregate id")

    @property
    def filter(self) -> str:
        """The subject filter of every event of this aggregate."""
        return f"evt.{self.county}.{self.context}.{self.aggregate}.{self.id}.*"

    def subject(self, event_name: str) -> str:
        """The subject of one of its events."""
        return f"evt.{self.county}.{self.context}.{self.aggregate}.{self.id}.{event_name}"

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of what this aggregate emits."""
        return f"/yanpei/{self.county}/{self.context}"

    @property
    def ce_subject(self) -> str:
        """The CloudEvents ``subject``: ``<aggregate>/<id>``."""
        return f"{self.aggregate}/{self.id}"


@lru_cache(maxsize=65536)
def parse_event_subject(subject: str) -> tuple[AggregateRef, str]:
    """Split an event subject into its aggregate and event name (cached: replays repeat)."""
    parts = subject.split(".")
    if len(parts) != 6 or parts[0] != "evt":
        raise InvalidSubjectToken(
            f"{subject!r} is not evt.<county>.<context>.<aggregate>.<id>.<Event>"
        )
    _, county, context, aggregate, id_, name = parts
    return AggregateRef(county, context, aggregate, id_), name


def context_filter(context: str, county: str = COUNTY_WILDCARD) -> str:
    """The subject filter of a context's events in one county (or all)."""
    return f"evt.{county}.{context}.>"


def command_subject(county: str, context: str, command: str) -> str:
    """The request subject of a command."""
    return f"cmd.{token(county, 'county')}.{token(context, 'context')}.{token(command, 'command')}"
