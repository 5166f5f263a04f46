"""OpenTelemetry for the event log: spans, trace context in NATS headers, counters.

The W3C ``traceparent`` written with each event lets a projection continue the trace of the
command that caused it, so one trace spans command, append and projection update.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context

__all__ = [
    "count",
    "current_trace_headers",
    "extract",
    "span",
    "tracer",
]

tracer = trace.get_tracer("yanpei.eventlog")
_meter = metrics.get_meter("yanpei.eventlog")
_counters: dict[str, Any] = {}


def current_trace_headers() -> dict[str, str]:
    """``traceparent``/``tracestate`` of the active span, ready to put in NATS headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract(headers: Mapping[str, str] | None) -> Context:
    """The trace context carried by a message's headers."""
    return propagate.extract(dict(headers or {}))


@contextmanager
def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    parent: Mapping[str, str] | None = None,
    links: list[trace.Link] | None = None,
) -> Iterator[trace.Span]:
    """A span, child of the trace in ``parent`` headers if they carry one, else of the current."""
    context = extract(parent) if parent and "traceparent" in parent else None
    with tracer.start_as_current_span(
        name, context=context, attributes=dict(attributes or {}), links=links
    ) as current:
        yield current


def link_from(headers: Mapping[str, str]) -> trace.Link | None:
    """A span link to the trace carried in ``headers`` (for batches of many causes)."""
    ctx = trace.get_current_span(extract(headers)).get_span_context()
    return trace.Link(ctx) if ctx.is_valid else None


def count(name: str, amount: int = 1, attributes: Mapping[str, Any] | None = None) -> None:
    """Add to a named counter (conflicts, dead letters, events applied)."""
    counter = _counters.get(name)
    if counter is None:
        counter = _counters[name] = _meter.create_counter(name)
    counter.add(amount, dict(attributes or {}))
