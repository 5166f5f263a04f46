"""The internal stream of contact data, ``INT_REGISTRY``: subjects, settings, declaration.

Kept until erased: file storage, no age limit, no message deletes, but subject purges are
allowed so a teacher's contact data can be erased. Until ``eventlog.streams`` declares it
with the other streams, the registry declares it on start (create or update, like them).
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from eventlog.streams import StreamSettings
from eventlog.subjects import token

__all__ = ["CONTACT_STREAM", "contact_filter", "contact_subject", "declare_contact_stream"]

CONTACT_STREAM = "INT_REGISTRY"
SUBJECTS = "int.*.registry.>"
_DEFAULTS = StreamSettings()


def contact_subject(county: str, teacher_id: str, event_name: str) -> str:
    """``int.<county>.registry.contact.<teacher id>.<Event>``."""
    return (
        f"int.{token(county, 'county')}.registry.contact."
        f"{token(teacher_id, 'teacher id')}.{event_name}"
    )


def contact_filter(county: str = "*", teacher_id: str = "*") -> str:
    """The subjects of one teacher's (or every) contact event."""
    return f"int.{county}.registry.contact.{teacher_id}.*"


def contact_stream_config(settings: StreamSettings = _DEFAULTS) -> StreamConfig:
    """The internal stream's settings."""
    return StreamConfig(
        name=CONTACT_STREAM,
        description="yanpei registry contact data (personal information), internal only",
        subjects=[SUBJECTS],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        num_replicas=settings.replicas,
        duplicate_window=settings.duplicate_window_seconds,
        allow_direct=True,
        deny_delete=True,
        deny_purge=False,
    )


async def declare_contact_stream(js: JetStreamContext, settings: StreamSettings = _DEFAULTS) -> str:
    """Create or update ``INT_REGISTRY``."""
    config = contact_stream_config(settings)
    try:
        await js.stream_info(CONTACT_STREAM)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)
    return CONTACT_STREAM
