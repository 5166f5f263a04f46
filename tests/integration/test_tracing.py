"""One trace spans a command, its append and the projection update it causes."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from eventlog.commandbus import CommandClient
from eventlog.projection import ProjectionRunner
from tests.support.counters import Counters, OpenCounter, counter_service
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    trace.set_tracer_provider(provider)
    return memory


async def test_one_trace_from_command_to_projection(
    exporter, nats_server, database_url, county, nc
):
    exporter.clear()
    async with counter_service(nats_server.url, database_url, county) as service:
        with trace.get_tracer("test").start_as_current_span("user clicks 'open'") as root:
            reply = await CommandClient(nc).send(county, OpenCounter(counter_id="t", label="t"))
        assert reply.ok
        runner = ProjectionRunner(service.nc, service.engine, Counters(county))
        generation = await asyncio.to_thread(runner.setup)
        await eventually(
            lambda: runner.position(generation, "system") >= reply.version, what="projection"
        )

        def projected() -> bool:
            return any(
                s.name == "projection.apply"
                and s.attributes.get("yanpei.first_sequence") == reply.version
                for s in exporter.get_finished_spans()
            )

        await eventually(projected, what="the projection span")

    trace_id = root.get_span_context().trace_id
    spans = {s.name: s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id}
    assert "command system.TestOpenCounter.v1" in spans
    assert "eventlog.append" in spans
    assert "projection.apply" in spans
    by_id = {s.context.span_id: s for s in exporter.get_finished_spans()}
    # The projection span descends from the append, which descends from the command.
    chain = []
    span = spans["projection.apply"]
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span.name)
    assert "eventlog.append" in chain
    assert "command system.TestOpenCounter.v1" in chain
    assert chain[-1] == "user clicks 'open'"
