"""Typed replies to commands, and the errors a decision can raise.

Every command gets a :class:`CommandReply`: the events it wrote, or an error with a code a
program can branch on and a message a person can read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CommandError",
    "CommandReply",
    "DomainError",
    "ErrorCode",
    "FieldError",
    "Forbidden",
    "NotFound",
    "RuleBroken",
    "WrittenEvent",
]


class ErrorCode(StrEnum):
    """Why a command wrote nothing."""

    VALIDATION = "validation"  # the command is malformed: see ``fields``
    RULE = "rule"  # a business rule refuses it (e.g. an illegal transition)
    CONFLICT = "conflict"  # the aggregate changed concurrently; retry
    NOT_FOUND = "not_found"  # the aggregate or a referenced thing does not exist
    FORBIDDEN = "forbidden"  # the caller may not do this
    UNAVAILABLE = "unavailable"  # the event log could not be reached; nothing was written
    INTERNAL = "internal"  # a bug; nothing was written


class FieldError(BaseModel):
    """One invalid field: where (dotted path), what is wrong, and the error kind."""

    model_config = ConfigDict(frozen=True)

    loc: str = Field(description="Dotted path of the field, e.g. 'members.2.joined_on'")
    message: str = Field(description="What is wrong, for people")
    type: str = Field(default="value_error", description="Machine-readable kind of error")


class CommandError(BaseModel):
    """A refusal: a stable code, a message for people, and field errors when relevant."""

    model_config = ConfigDict(frozen=True)

    code: ErrorCode
    message: str
    fields: list[FieldError] = Field(default_factory=list)
    rule: str | None = Field(default=None, description="Name of the business rule broken")


class WrittenEvent(BaseModel):
    """An event a command wrote, as stored."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    subject: str
    sequence: int
    data: dict[str, Any]


class CommandReply(BaseModel):
    """The answer to a command: ``ok`` with events, or an ``error``."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    command_id: str
    events: list[WrittenEvent] = Field(default_factory=list)
    version: int | None = Field(default=None, description="Aggregate version after the write")
    duplicate: bool = Field(default=False, description="The command had already been handled")
    error: CommandError | None = None


class DomainError(Exception):
    """Base of the errors domain code raises; the command bus turns them into replies."""

    code: ErrorCode = ErrorCode.RULE

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule

    def to_error(self) -> CommandError:
        """The reply error for this exception."""
        fields = [FieldError(loc=self.field, message=self.message)] if self.field else []
        return CommandError(code=self.code, message=self.message, fields=fields, rule=self.rule)


class RuleBroken(DomainError):
    """A named business rule refuses the command."""

    code = ErrorCode.RULE


class NotFound(DomainError):
    """The thing the command is about does not exist."""

    code = ErrorCode.NOT_FOUND


class Forbidden(DomainError):
    """The caller may not do this."""

    code = ErrorCode.FORBIDDEN
