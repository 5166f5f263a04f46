"""System contracts, major version 1."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from contracts.base import Event

__all__ = ["ServiceStarted"]


class ServiceStarted(
    Event, context="system", name="ServiceStarted", version=1, aggregate="service"
):
    """A service instance started and is ready to handle messages."""

    service: str = Field(description="Name of the service, e.g. 'registry'")
    instance: str = Field(description="Id of this running instance (host name or pod name)")
    # Not `version`: that name is the contract's own major version (see Contract).
    service_version: str = Field(description="Version of the code the instance runs")
    started_at: datetime = Field(description="When the instance became ready (UTC)")
