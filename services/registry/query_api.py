"""Queries over request-reply: ``qry.<county>.registry.<Query>`` → :class:`QueryReply`.

Each query's request model is in :data:`contracts.registry.queries.QUERIES`; the answer is
computed by :class:`~services.registry.queries.RegistryReader` in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from faststream.nats import NatsBroker, NatsMessage
from nats.aio.client import Client
from pydantic import BaseModel, ValidationError

from contracts.registry.queries import QUERIES, QueryReply
from eventlog.subjects import token
from services.registry.queries import RegistryReader

__all__ = ["ask", "query_subject", "register_queries"]

log = logging.getLogger(__name__)

Answer = Callable[[RegistryReader, str, Any], Any]

ANSWERS: dict[str, Answer] = {
    "School": lambda r, county, q: r.school(q.school_id, q.on),
    "Teacher": lambda r, county, q: r.teacher(q.teacher_id, q.on),
    "TeacherSchool": lambda r, county, q: r.teacher_school(q.teacher_id, q.on),
    "Community": lambda r, county, q: r.community(q.community_id, q.on),
    "SchoolCommunities": lambda r, county, q: r.school_communities(q.school_id, q.on),
    "CountySummary": lambda r, county, q: r.county_summary(county, q.on),
    "Schools": lambda r, county, q: r.schools(county, q.on, q.offset, q.limit),
    "Teachers": lambda r, county, q: r.teachers(county, q.on, q.school_id, q.offset, q.limit),
    "Communities": lambda r, county, q: r.communities(county, q.on, q.offset, q.limit),
}


def query_subject(county: str, query: str) -> str:
    """``qry.<county>.registry.<Query>``."""
    return f"qry.{token(county, 'county')}.registry.{token(query, 'query')}"


def _json(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [_json(item) for item in result]
    return result


async def answer(reader: RegistryReader, name: str, subject: str, body: bytes) -> QueryReply:
    """Validate a query, answer it, wrap the answer (or the reason there is none)."""
    try:
        county = token(subject.split(".")[1], "county")
        request = QUERIES[name].model_validate_json(body or b"{}")
    except (ValidationError, ValueError) as exc:
        return QueryReply(ok=False, error=f"invalid query: {exc}")
    try:
        result = await asyncio.to_thread(ANSWERS[name], reader, county, request)
    except LookupError as exc:  # the projection has not been built yet
        return QueryReply(ok=False, error=str(exc))
    return QueryReply(ok=True, result=_json(result))


def _subscriber(name: str, reader: Callable[[], RegistryReader]) -> Callable[..., Any]:
    async def on_query(msg: NatsMessage) -> QueryReply:
        return await answer(reader(), name, msg.raw_message.subject, msg.body)

    on_query.__name__ = f"query_{name}"
    return on_query


def register_queries(broker: NatsBroker, reader: Callable[[], RegistryReader]) -> None:
    """Answer every registry query on the broker."""
    for name, model in QUERIES.items():
        broker.subscriber(
            f"qry.*.registry.{name}",
            queue="qry-registry",
            title=f"qry.*.registry.{name}",
            description=(model.__doc__ or "").strip(),
        )(_subscriber(name, reader))


async def ask(nc: Client, county: str, name: str, request: BaseModel, timeout: float = 10) -> Any:
    """Send a query and return its result (JSON); raise LookupError with the reason."""
    msg = await nc.request(
        query_subject(county, name), request.model_dump_json().encode(), timeout=timeout
    )
    reply = QueryReply.model_validate_json(msg.data)
    if not reply.ok:
        raise LookupError(reply.error)
    return reply.result
