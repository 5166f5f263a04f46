"""The event log on JetStream and what reads it: one package, used by every service.

- :mod:`eventlog.store`: append with optimistic concurrency, load an aggregate.
- :mod:`eventlog.reader`: read a context's log fast from a sequence.
- :mod:`eventlog.projection`: projections and their runner (checkpoints, dead letters,
  blue/green rebuilds).
- :mod:`eventlog.commandbus`: commands over request-reply with typed replies.
- :mod:`eventlog.streams`: stream settings, declared in one place.
"""

from eventlog.connection import MINIMUM_SERVER_VERSION, ServerTooOld, connect
from eventlog.messages import StoredEvent
from eventlog.store import ANY, NEW, AppendFailed, AppendResult, Conflict, EventStore
from eventlog.subjects import AggregateRef

__all__ = [
    "ANY",
    "MINIMUM_SERVER_VERSION",
    "NEW",
    "AggregateRef",
    "AppendFailed",
    "AppendResult",
    "Conflict",
    "EventStore",
    "ServerTooOld",
    "StoredEvent",
    "connect",
]
