"""OpenTelemetry for the event log: spans, trace context in NATS headers, counters.

The W3C ``traceparent`` written with each event lets a projection continue the trace of the
command that caused it, so one trace spans command, append and projection update.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
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


def recording() -> bool:
    """Whether an SDK tracer provider is installed (otherwise spans cost nothing)."""
    provider = trace.get_tracer_provider()
    return not isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def current_trace_headers() -> dict[str, str]:
    """``traceparent``/``tracestate`` of the active span, ready to put in NATS headers."""
    if not trace.get_current_span().get_span_context().is_valid:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract(headers: Mapping[str, str] | None) -> Context:
    """The trace context carried by a message's headers."""
    return propagate.extract(dict(headers or {}))


def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    parent: Mapping[str, str] | None = None,
    links: list[trace.Link] | None = None,
) -> AbstractContextManager[trace.Span]:
    """A span, child of the trace in ``parent`` headers if they carry one, else of the current.

    Without an SDK provider this is a shared no-op, so the hot paths (appends, projection
    batches) pay nothing for telemetry nobody collects.
    """
    if not recording():
        return _NO_SPAN
    context = extract(parent) if parent and "traceparent" in parent else None
    return tracer.start_as_current_span(
        name, context=context, attributes=dict(attributes or {}), links=links
    )


_NO_SPAN: AbstractContextManager[trace.Span] = nullcontext(trace.INVALID_SPAN)


def link_from(headers: Mapping[str, str]) -> trace.Link | None:
    """A span link to the trace carried in ``headers`` (for batches of many causes)."""
    if "traceparent" not in headers or not recording():
        return None
    ctx = trace.get_current_span(extract(headers)).get_span_context()
    return trace.Link(ctx) if ctx.is_valid else None


def count(name: str, amount: int = 1, attributes: Mapping[str, Any] | None = None) -> None:
    """Add to a named counter (conflicts, dead letters, events applied)."""
    counter = _counters.get(name)
    if counter is None:
        counter = _counters[name] = _meter.create_counter(name)
    counter.add(amount, dict(attributes or {}))
