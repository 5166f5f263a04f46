"""Values shared by the credits' v1 contracts.

Hours are decimals: on the wire a JSON string such as ``"36.5"`` (never a float, so a
total is exact and an agency can add them up without rounding drift). Import them from
:mod:`contracts.credits.v1`.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

__all__ = [
    "Hours",
    "Period",
    "PeriodKind",
    "ReviewOutcome",
    "ReviewStep",
    "RuleSetId",
    "RuleSetVersion",
]

Hours = Annotated[Decimal, Field(allow_inf_nan=False)]
"""A number of hours (or credits), a decimal string on the wire, e.g. ``"12"``, ``"2.5"``."""

Period = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}([-/][0-9]{4})?$")]
"""A calendar year (``"2026"``), a school year (``"2025/2026"``, from 1 September) or a
cycle (``"2021-2025"``)."""

RuleSetId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
"""A rule set's id, e.g. ``county_510781``."""

RuleSetVersion = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,40}$")]
"""A rule set's version, e.g. ``2026.1``."""


class PeriodKind(StrEnum):
    """Whether a period is a school year's calendar year (年度) or a 5-year cycle (周期)."""

    YEAR = "year"
    CYCLE = "cycle"


class ReviewStep(StrEnum):
    """Who reviews hours (学时审核), in order: 学校 school, 县 county, 市 city, 省 province."""

    SCHOOL = "school"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"


class ReviewOutcome(StrEnum):
    """A review step's outcome: approved (通过) or rejected (退回) with a reason."""

    APPROVED = "approved"
    REJECTED = "rejected"
