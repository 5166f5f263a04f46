"""Internal registry contracts: a teacher's contact data (personal data, 个人信息).

Never public: these events go only to the internal stream ``INT_REGISTRY`` on subjects
``int.<county>.registry.contact.<teacher_id>.<Event>``, readable by the registry and the
notify service only, and into the registry's protected ``registry_contacts`` table. No
agency subscription can see them, and a teacher's contact subject can be purged to erase
the data (ADR 0005). The public module ``v1`` never imports this one.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from contracts.base import Command, Event
from contracts.registry._v1_values import CountyCode, EntityId

__all__ = [
    "INTERNAL_CONTRACTS",
    "EraseTeacherContact",
    "RecordTeacherContact",
    "TeacherContactErased",
    "TeacherContactRecorded",
    "check_email",
    "check_national_id",
    "check_phone",
]

_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def check_phone(value: str) -> str:
    """A mainland mobile (11 digits) or landline (area code, number) phone number."""
    value = value.strip().replace(" ", "")
    if not _PHONE.match(value):
        raise ValueError("not a phone number: 11-digit mobile or 0xx-xxxxxxx landline")
    return value


def check_email(value: str) -> str:
    """An e-mail address (a plain syntax check)."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value.lower()


def check_national_id(value: str) -> str:
    """An 18-character resident identity number (GB 11643) with a valid check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValueError("a national id has 17 digits and a check digit or X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError("the birth date in the national id does not exist") from None
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError("the national id's check character is wrong")
    return value


Phone = Annotated[str, AfterValidator(check_phone)]
Email = Annotated[str, AfterValidator(check_email)]
NationalId = Annotated[str, AfterValidator(check_national_id)]


class _Contact(BaseModel):
    teacher_id: EntityId = Field(description="The teacher")
    phone: Phone | None = Field(default=None, description="Phone number; null: none on record")
    email: Email | None = Field(default=None, description="E-mail address; null: none on record")
    national_id: NationalId | None = Field(
        default=None, description="Resident identity number; null: none on record"
    )


class TeacherContactRecorded(
    Event,
    _Contact,
    context="registry",
    name="TeacherContactRecorded",
    version=1,
    aggregate="contact",
):
    """INTERNAL. A teacher's contact data, replacing what was on record."""

    county_code: CountyCode = Field(description="The county holding the teacher's record")


class TeacherContactErased(
    Event,
    context="registry",
    name="TeacherContactErased",
    version=1,
    aggregate="contact",
):
    """INTERNAL. A teacher's contact data was erased (on request, or after leaving)."""

    teacher_id: EntityId = Field(description="The teacher")
    county_code: CountyCode = Field(description="The county holding the teacher's record")


class RecordTeacherContact(
    Command, _Contact, context="registry", name="RecordTeacherContact", version=1
):
    """INTERNAL. Record a teacher's contact data (replaces what is on record)."""


class EraseTeacherContact(Command, context="registry", name="EraseTeacherContact", version=1):
    """INTERNAL. Erase a teacher's contact data."""

    teacher_id: EntityId = Field(description="The teacher")


INTERNAL_CONTRACTS = (
    TeacherContactRecorded,
    TeacherContactErased,
    RecordTeacherContact,
    EraseTeacherContact,
)
"""Every internal registry contract: never exported with the public schemas."""
