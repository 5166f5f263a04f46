"""Versioned contracts shared by every service: the envelope, events, commands, replies."""

from contracts.base import Command, Contract, Event, wire_type
from contracts.catalogue import (
    Catalogue,
    DecodeError,
    InvalidPayload,
    UnknownType,
    UnknownVersion,
    catalogue,
)
from contracts.envelope import Envelope, HeaderError
from contracts.loader import load_all

__all__ = [
    "Catalogue",
    "Command",
    "Contract",
    "DecodeError",
    "Envelope",
    "Event",
    "HeaderError",
    "InvalidPayload",
    "UnknownType",
    "UnknownVersion",
    "catalogue",
    "load_all",
    "wire_type",
]
