"""The registry's projections: one per view, each fed by the facts its events state.

Each batch inserts the new facts (insert-once: a redelivered event adds nothing), then
rewrites the derived rows of every entity the batch touched from all of that entity's
facts. So the derived tables are a pure function of the facts, and a rebuild from the log
gives exactly the live tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, MetaData, Table, and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from contracts import Contract
from eventlog.messages import StoredEvent
from eventlog.projection import Projection
from services.registry.views import derive, tables
from services.registry.views.facts import Fact
from services.registry.views.mapping import (
    Facts,
    community_facts,
    organisation_facts,
    teacher_facts,
)

__all__ = ["CommunityView", "OrganisationView", "TeacherView", "registry_views"]

Entity = tuple[str, str]
_CHUNK = 500


class FactView(Projection):
    """A view whose tables derive from dated facts about its aggregates' entities."""

    contexts = ("registry",)
    aggregates: ClassVar[frozenset[str]]

    def __init__(self, counties: Iterable[str] | None = None) -> None:
        super().__init__()
        self.counties = frozenset(counties) if counties is not None else None

    def facts_of(self, event: Contract) -> Facts:
        """The facts one event states, as (kind, entity, attribute, date, value)."""
        raise NotImplementedError

    def wants(self, stored: StoredEvent) -> bool:
        """Only this view's aggregates, in the counties it serves (cheap: the subject)."""
        parts = stored.subject.split(".")
        if len(parts) != 6 or parts[3] not in self.aggregates:
            return False
        return self.counties is None or parts[1] in self.counties

    def facts(self, events: Sequence[StoredEvent]) -> list[Fact]:
        """The facts stated by ``events``."""
        found = []
        for stored in events:
            if not self.wants(stored):
                continue
            county = stored.subject.split(".")[1]
            for kind, entity, attribute, day, value in self.facts_of(stored.event):
                found.append(Fact(kind, entity, county, attribute, day, stored.sequence, value))
        return found

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        new = self.facts(events)
        if not new:
            return
        insert = postgresql.insert if tx.dialect.name == "postgresql" else sqlite.insert
        rows = [{**f.row(), "value": json.dumps(f.value, ensure_ascii=False)} for f in new]
        tx.execute(insert(tables["facts"]).on_conflict_do_nothing(), rows)
        touched = sorted({(f.kind, f.entity) for f in new})
        self.derive(tx, tables, load_facts(tx, tables["facts"], touched))

    def derive(
        self, tx: Connection, tables: Mapping[str, Table], facts: dict[Entity, list[Fact]]
    ) -> None:
        """Rewrite the derived rows of the entities in ``facts``."""
        raise NotImplementedError


def load_facts(
    tx: Connection, table: Table, entities: Sequence[Entity]
) -> dict[Entity, list[Fact]]:
    """Every stored fact of ``entities``, by entity."""
    found: dict[Entity, list[Fact]] = {e: [] for e in entities}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, entity in entities:
        by_kind[kind].append(entity)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(table).where(and_(table.c.kind == kind, table.c.entity.in_(chunk)))
            for row in tx.execute(query):
                fact = Fact(
                    row.kind,
                    row.entity,
                    row.county,
                    row.attribute,
                    row.effective_on,
                    row.sequence,
                    json.loads(row.value),
                )
                found[(kind, row.entity)].append(fact)
    return found


def replace_rows(
    tx: Connection, table: Table, key: str, ids: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Delete the rows of ``ids`` and insert ``rows`` in their place."""
    for start in range(0, len(ids), _CHUNK):
        tx.execute(delete(table).where(table.c[key].in_(ids[start : start + _CHUNK])))
    if rows:
        tx.execute(table.insert(), rows)


class OrganisationView(FactView):
    """Counties and schools, with their versions over time."""

    name = "registry_organisation"
    aggregates = frozenset({"county", "school"})

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return tables.organisation_tables(metadata, suffix)

    def facts_of(self, event: Contract) -> Facts:
        return organisation_facts(event)

    def derive(
        self, tx: Connection, tables: Mapping[str, Table], facts: dict[Entity, list[Fact]]
    ) -> None:
        for kind, table, key, rows_of in (
            ("county", tables["counties"], "county_code", derive.county_rows),
            ("school", tables["schools"], "school_id", derive.school_rows),
        ):
            chosen = {e: f for (k, e), f in facts.items() if k == kind}
            rows = [row for entity, fs in chosen.items() for row in rows_of(entity, fs)]
            replace_rows(tx, table, key, sorted(chosen), rows)


class TeacherView(FactView):
    """Teachers, with their versions over time (school, roles, status...)."""

    name = "registry_teachers"
    aggregates = frozenset({"teacher"})

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return tables.teacher_tables(metadata, suffix)

    def facts_of(self, event: Contract) -> Facts:
        return teacher_facts(event)

    def derive(
        self, tx: Connection, tables: Mapping[str, Table], facts: dict[Entity, list[Fact]]
    ) -> None:
        rows = [row for (_, e), fs in facts.items() for row in derive.teacher_rows(e, fs)]
        replace_rows(tx, tables["teachers"], "teacher_id", sorted(e for _, e in facts), rows)


class CommunityView(FactView):
    """Communities, their versions, and their members' intervals."""

    name = "registry_communities"
    aggregates = frozenset({"community"})

    def define(self, metadata: MetaData, suffix: str) -> dict[str, Table]:
        return tables.community_tables(metadata, suffix)

    def facts_of(self, event: Contract) -> Facts:
        return community_facts(event)

    def derive(
        self, tx: Connection, tables: Mapping[str, Table], facts: dict[Entity, list[Fact]]
    ) -> None:
        ids = sorted(e for _, e in facts)
        versions = [r for (_, e), fs in facts.items() for r in derive.community_rows(e, fs)]
        members = [r for (_, e), fs in facts.items() for r in derive.member_rows(e, fs)]
        replace_rows(tx, tables["communities"], "community_id", ids, versions)
        replace_rows(tx, tables["members"], "community_id", ids, members)


def registry_views(counties: Iterable[str] | None = None) -> list[FactView]:
    """The registry's projections, for all counties or the given ones."""
    chosen = None if counties is None else tuple(counties)
    return [OrganisationView(chosen), TeacherView(chosen), CommunityView(chosen)]
