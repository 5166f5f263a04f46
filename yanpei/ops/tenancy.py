"""The one source of truth for who may do what on the NATS server: ``deploy/tenancy.yaml``.

It lists the counties sharing the deployment and the agencies subscribing to their events.
The NATS accounts, users and permissions (:mod:`yanpei.ops.natsconfig`), the province
roll-up stream and the county overlays are all generated from it, never edited by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from services import SERVICES

__all__ = [
    "PUBLIC_CONTEXTS",
    "TENANCY_FILE",
    "Agency",
    "County",
    "Tenancy",
    "TenancyError",
    "load_tenancy",
    "save_tenancy",
]

TENANCY_FILE = Path("deploy/tenancy.yaml")
PUBLIC_CONTEXTS = (*SERVICES, "system")
"""Contexts whose ``evt.`` subjects are public (agencies may subscribe to them)."""

CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
AgencyName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,40}$")]


class TenancyError(ValueError):
    """The tenancy file is missing, malformed, or a change to it is not allowed."""


class County(BaseModel):
    """A county sharing the deployment."""

    model_config = ConfigDict(extra="forbid")
    code: CountyCode = Field(description="Six-digit administrative code")
    name: str = Field(min_length=1, description="The county's name")


class Agency(BaseModel):
    """An outside agency: subscribe-only, limited to some counties' public events."""

    model_config = ConfigDict(extra="forbid")
    name: AgencyName
    counties: list[CountyCode] = Field(min_length=1)
    contexts: list[str] = Field(min_length=1, description="Whose public events it receives")

    @field_validator("contexts")
    @classmethod
    def _known_contexts(cls, contexts: list[str]) -> list[str]:
        unknown = sorted(set(contexts) - set(PUBLIC_CONTEXTS))
        if unknown:
            raise ValueError(f"unknown context(s) {unknown}; public ones: {list(PUBLIC_CONTEXTS)}")
        return contexts


class Tenancy(BaseModel):
    """Every county and agency of one deployment."""

    model_config = ConfigDict(extra="forbid")
    province: str = Field(default="province", pattern=r"^[a-z0-9_-]+$")
    counties: list[County] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)

    def county_codes(self) -> list[str]:
        return [c.code for c in self.counties]

    def with_county(self, code: str, name: str) -> Tenancy:
        """This tenancy with one more county (an existing code keeps its entry)."""
        if code in self.county_codes():
            return self
        county = County(code=code, name=name)
        return self.model_copy(update={"counties": [*self.counties, county]})

    def with_agency(self, agency: Agency) -> Tenancy:
        """This tenancy with the agency added or replaced; its counties must exist."""
        missing = sorted(set(agency.counties) - set(self.county_codes()))
        if missing:
            raise TenancyError(
                f"agency {agency.name}: unknown county {', '.join(missing)}; "
                "onboard it first (yanpei county onboard CODE)"
            )
        others = [a for a in self.agencies if a.name != agency.name]
        return self.model_copy(update={"agencies": [*others, agency]})


def load_tenancy(path: Path = TENANCY_FILE) -> Tenancy:
    """Read and validate the tenancy file; an absent file is an empty tenancy."""
    if not path.exists():
        return Tenancy()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Tenancy.model_validate(data)
    except yaml.YAMLError as exc:
        raise TenancyError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        raise TenancyError(f"{path}: {_first_problem(exc)}") from exc


def save_tenancy(tenancy: Tenancy, path: Path = TENANCY_FILE) -> None:
    """Write the tenancy file (sorted, so diffs stay readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tenancy.model_dump(mode="json")
    data["counties"].sort(key=lambda c: c["code"])
    data["agencies"].sort(key=lambda a: a["name"])
    header = "# Generated and edited by `yanpei county onboard` and `yanpei agency add`.\n"
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{where}: {re.sub(r'^Value error, ', '', error['msg'])}{more}"
