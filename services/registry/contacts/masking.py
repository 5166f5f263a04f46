"""Masking contact data for listings and exports (pure)."""

from __future__ import annotations

__all__ = ["mask_email", "mask_national_id", "mask_phone"]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    return value[:3] + "*" * max(len(value) - 7, 1) + value[-4:]


def mask_email(value: str | None) -> str:
    """``zhang.san@example.cn`` → ``z***@example.cn``."""
    if not value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_national_id(value: str | None) -> str:
    """``110105194912310021`` → ``1101**********0021``."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
