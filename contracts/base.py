"""Base classes for versioned contracts: events and commands with stable wire names.

A contract's wire name (``<context>.<Name>.v<major>``) is declared on the class and never
derived from its Python path, so modules can move without breaking stored events.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Command", "Contract", "Event", "wire_type"]

# Class attributes that carry a contract's identity; a field of the same name would replace
# them on instances (``event.name``, ``event.version``) and corrupt subjects and upcasting.
_RESERVED = frozenset({"context", "name", "version", "kind", "aggregate", "family", "wire_type"})


def wire_type(context: str, name: str, version: int) -> str:
    """The ``type`` attribute of a contract, e.g. ``registry.SchoolRegistered.v1``."""
    return f"{context}.{name}.v{version}"


class Contract(BaseModel):
    """A frozen, versioned message model.

    Subclasses declare their wire identity as class keywords::

        class SchoolRegistered(Event, context="registry", name="SchoolRegistered", version=1,
                               aggregate="school"): ...

    Unknown fields are ignored on read, so a consumer tolerates a producer that added
    optional fields; producers build models from typed Python values and are checked then.
    Fields may not reuse the identity names (``name``, ``version``, ``context``, ``kind``,
    ``aggregate``, ``family``, ``wire_type``): say ``school_name``, ``rule_set_version``.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    context: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[int] = 0
    kind: ClassVar[str] = "contract"

    def __init_subclass__(
        cls,
        *,
        context: str | None = None,
        name: str | None = None,
        version: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if context is not None:
            cls.context = context
        if name is not None:
            cls.name = name
        if version is not None:
            if version < 1:
                raise ValueError(f"{cls.__qualname__}: version must be >= 1, got {version}")
            cls.version = version

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _refuse_reserved_fields(cls)
        if cls.name and cls.context and cls.version:
            from contracts.catalogue import catalogue

            catalogue.register(cls)

    @classmethod
    def wire_type(cls) -> str:
        """The stable ``type`` string of this contract."""
        return wire_type(cls.context, cls.name, cls.version)

    @classmethod
    def family(cls) -> str:
        """The version-less name, ``<context>.<Name>``, shared by all major versions."""
        return f"{cls.context}.{cls.name}"


def _refuse_reserved_fields(cls: type[Contract]) -> None:
    clash = sorted(_RESERVED & cls.model_fields.keys())
    if clash:
        raise TypeError(
            f"{cls.__qualname__}: field(s) {clash} would hide the contract's identity "
            "attributes; give them a more specific name (e.g. 'school_name')"
        )


class Event(Contract):
    """A fact that happened, named in the past tense (``SchoolRegistered``).

    ``aggregate`` names the kind of aggregate whose stream the event belongs to; it becomes
    the fourth token of the subject ``evt.<county>.<context>.<aggregate>.<id>.<Name>``.
    """

    kind: ClassVar[str] = "event"
    aggregate: ClassVar[str] = ""

    def __init_subclass__(cls, *, aggregate: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if aggregate is not None:
            cls.aggregate = aggregate


class Command(Contract):
    """An intention, named in the imperative (``RegisterSchool``)."""

    kind: ClassVar[str] = "command"
