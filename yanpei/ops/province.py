"""The province roll-up: one stream that sources every county's public events.

Counties' events stay in their context streams; ``EVT_<PROVINCE>`` sources from each of
them only the subjects of the counties in the tenancy file (``evt.<county>.<ctx>.>``),
so a province-wide view or agency reads one stream and no code is copied. Onboarding a
county updates the sources; the server back-fills the new county's history by itself.
"""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig, StreamSource
from nats.js.errors import NotFoundError

from eventlog.streams import StreamSettings, stream_name
from yanpei.ops.tenancy import PUBLIC_CONTEXTS, Tenancy

__all__ = ["declare_province_stream", "province_stream_config", "province_stream_name"]

log = logging.getLogger(__name__)


def province_stream_name(tenancy: Tenancy) -> str:
    """E.g. ``EVT_PROVINCE`` or ``EVT_SICHUAN``."""
    return f"EVT_{tenancy.province.upper().replace('-', '_')}"


def province_stream_config(
    tenancy: Tenancy, settings: StreamSettings | None = None
) -> StreamConfig:
    """A sourcing stream: every public context stream, filtered to the tenancy's counties."""
    sources = [
        StreamSource(name=stream_name(ctx), filter_subject=f"evt.{county}.{ctx}.>")
        for ctx in PUBLIC_CONTEXTS
        for county in tenancy.county_codes()
    ]
    return StreamConfig(
        name=province_stream_name(tenancy),
        description=f"yanpei public events of {len(tenancy.counties)} counties (sourced)",
        sources=sources,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=(settings or StreamSettings()).replicas,
        allow_direct=True,
        deny_delete=True,
        deny_purge=True,
    )


async def declare_province_stream(js: JetStreamContext, tenancy: Tenancy) -> str:
    """Create or update the roll-up stream to source the tenancy's counties."""
    config = province_stream_config(tenancy)
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
        log.info("declared %s sourcing %d counties", config.name, len(tenancy.counties))
    else:
        await js.update_stream(config)
    return config.name
