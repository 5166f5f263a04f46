"""Ledger entries (学时台账): what one participation earned under one rule-set version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CREDIT_STEP", "HOUR_STEP", "LedgerEntry", "credits_of", "entry_id", "hours_of"]

HOUR_STEP = Decimal("0.1")
CREDIT_STEP = Decimal("0.01")
# uuid.uuid5(uuid.NAMESPACE_URL, "https://yanpei.example/credits/ledger-entry"): the uuid
# module is kept out of domain code, so the namespace is spelt out and uuid5 done by hand.
_NAMESPACE = bytes.fromhex("7298db058d485566952293a736dfd1bb")


def hours_of(value: Decimal) -> Decimal:
    """Hours quantised to 0.1 h, halves rounded up, as every figure on the ledger is."""
    return value.quantize(HOUR_STEP, rounding=ROUND_HALF_UP)


def credits_of(hours: Decimal, hours_per_credit: Decimal) -> Decimal:
    """Credits (学分) for ``hours`` at a category's conversion, to 0.01."""
    return (hours / hours_per_credit).quantize(CREDIT_STEP, rounding=ROUND_HALF_UP)


def entry_id(teacher_id: str, activity_id: str, rule_set_id: str, version: str) -> str:
    """The RFC 4122 uuid5 of the entry's key: the same inputs give the same id on replay."""
    name = "/".join((teacher_id, activity_id, rule_set_id, version)).encode()
    raw = bytearray(hashlib.sha1(_NAMESPACE + name).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class LedgerEntry:
    """One teacher's hours for one activity under one rule-set version (CreditLedgerEntry).

    Zero-hour entries are kept, with the reason, so "why did I get nothing?" has an answer.
    """

    entry_id: str
    teacher_id: str
    school_id: str
    county_code: str
    activity_id: str
    activity_kind: str
    activity_level: str
    role: str
    title: str
    activity_date: date
    year: int
    cycle: str
    category: str
    hours: Decimal
    credits: Decimal
    rule_id: str
    rule_set_id: str
    rule_set_version: str
    reason: str
    source_event_ids: tuple[str, ...] = ()
