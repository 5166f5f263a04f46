"""Stream settings in one place, declared idempotently.

One stream per context, so retention, replicas and permissions can differ. Every stream is
on file storage, allows direct gets (aggregate loads) and atomic batches (multi-event
commands). Production runs R3 with ``sync_interval: always`` in the server config.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from eventlog.subjects import context_filter

__all__ = [
    "CONTEXTS",
    "DEAD_LETTER_STREAM",
    "StreamSettings",
    "dead_letter_config",
    "declare_streams",
    "event_stream_config",
    "stream_name",
]

log = logging.getLogger(__name__)

CONTEXTS = ("registry", "activities", "credits", "notify", "system")
DEAD_LETTER_STREAM = "DEAD_LETTERS"


@dataclass(frozen=True)
class StreamSettings:
    """What may differ between deployments; everything else is fixed here."""

    replicas: int = 1
    duplicate_window_seconds: float = 120.0
    dead_letter_max_age_days: float = 90.0


def stream_name(context: str) -> str:
    """The stream holding one context's events, e.g. ``EVT_REGISTRY``."""
    return f"EVT_{context.upper()}"


def event_stream_config(context: str, settings: StreamSettings = StreamSettings()) -> StreamConfig:
    """The configuration of a context's event stream: kept forever, never edited."""
    return StreamConfig(
        name=stream_name(context),
        description=f"yanpei {context} events, all counties",
        subjects=[context_filter(context)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        num_replicas=settings.replicas,
        duplicate_window=settings.duplicate_window_seconds,
        allow_direct=True,
        allow_atomic=True,
        deny_delete=True,
        deny_purge=True,
    )


def dead_letter_config(settings: StreamSettings = StreamSettings()) -> StreamConfig:
    """Dead letters: events a projection could not apply, with the reason in headers."""
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        description="events that a projection could not apply, with the reason",
        subjects=["dlq.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=settings.replicas,
        duplicate_window=settings.duplicate_window_seconds,
        max_age=settings.dead_letter_max_age_days * 86400,
        allow_direct=True,
    )


async def declare_streams(
    js: JetStreamContext,
    contexts: tuple[str, ...] = CONTEXTS,
    settings: StreamSettings = StreamSettings(),
) -> list[str]:
    """Create or update the streams of ``contexts`` and the dead-letter stream.

    Safe to call from every service on every start: a stream that exists is updated to the
    same settings, so two services can never disagree about them.
    """
    configs = [event_stream_config(c, settings) for c in contexts]
    configs.append(dead_letter_config(settings))
    for config in configs:
        assert config.name is not None
        try:
            await js.stream_info(config.name)
        except NotFoundError:
            await js.add_stream(config)
            log.info("declared stream %s", config.name)
        else:
            await js.update_stream(config)
    return [c.name for c in configs if c.name]
