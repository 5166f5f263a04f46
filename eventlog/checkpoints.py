"""Bookkeeping tables of projections: live generation and per-stream checkpoints.

A projection's tables exist in generations (``<table>_g<N>``). One generation is live and
answers queries; a rebuild fills the next one beside it and switches when caught up. Each
generation keeps, per stream it reads, the last stream sequence applied: the checkpoint,
written in the same transaction as the rows it covers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    select,
    update,
)

__all__ = ["Bookkeeping", "bookkeeping"]

metadata = MetaData()

generations = Table(
    "projection_generations",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("status", String(20), nullable=False),  # building | live | retired
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("switched_at", DateTime(timezone=True)),
)

checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
)


class Bookkeeping:
    """Reads and writes generations and checkpoints inside the caller's transaction."""

    def live_generation(self, tx: Connection, projection: str) -> int | None:
        """The generation answering queries, or None before the first build."""
        return tx.execute(
            select(generations.c.generation).where(
                generations.c.projection == projection, generations.c.status == "live"
            )
        ).scalar()

    def building_generation(self, tx: Connection, projection: str) -> int | None:
        """A rebuild under way (resumable after a crash), if any."""
        return tx.execute(
            select(generations.c.generation).where(
                generations.c.projection == projection, generations.c.status == "building"
            )
        ).scalar()

    def newest_generation(self, tx: Connection, projection: str) -> int:
        """The highest generation ever created (0 when none)."""
        value = tx.execute(
            select(generations.c.generation)
            .where(generations.c.projection == projection)
            .order_by(generations.c.generation.desc())
            .limit(1)
        ).scalar()
        return int(value or 0)

    def add_generation(self, tx: Connection, projection: str, generation: int, status: str) -> None:
        """Record a new generation."""
        tx.execute(
            generations.insert().values(
                projection=projection,
                generation=generation,
                status=status,
                created_at=datetime.now(UTC),
            )
        )

    def switch(self, tx: Connection, projection: str, generation: int) -> int | None:
        """Make ``generation`` live and retire the previous live one; returns the old one."""
        old = self.live_generation(tx, projection)
        if old is not None:
            tx.execute(
                update(generations)
                .where(generations.c.projection == projection, generations.c.generation == old)
                .values(status="retired")
            )
        tx.execute(
            update(generations)
            .where(generations.c.projection == projection, generations.c.generation == generation)
            .values(status="live", switched_at=datetime.now(UTC))
        )
        return old

    def position(self, tx: Connection, projection: str, generation: int, stream: str) -> int:
        """The checkpoint (0 when nothing applied yet); locks the row on PostgreSQL."""
        query = select(checkpoints.c.position).where(
            checkpoints.c.projection == projection,
            checkpoints.c.generation == generation,
            checkpoints.c.stream == stream,
        )
        if tx.dialect.name == "postgresql":
            query = query.with_for_update()
        return int(tx.execute(query).scalar() or 0)

    def ensure(self, tx: Connection, projection: str, generation: int, stream: str) -> None:
        """Create the checkpoint row at 0 if missing, so it can always be locked."""
        exists = tx.execute(
            select(checkpoints.c.position).where(
                checkpoints.c.projection == projection,
                checkpoints.c.generation == generation,
                checkpoints.c.stream == stream,
            )
        ).first()
        if exists is None:
            tx.execute(
                checkpoints.insert().values(
                    projection=projection, generation=generation, stream=stream, position=0
                )
            )

    def advance(
        self, tx: Connection, projection: str, generation: int, stream: str, position: int
    ) -> None:
        """Move the checkpoint forward, in the caller's transaction."""
        changed = tx.execute(
            update(checkpoints)
            .where(
                checkpoints.c.projection == projection,
                checkpoints.c.generation == generation,
                checkpoints.c.stream == stream,
            )
            .values(position=position)
        ).rowcount
        if not changed:
            tx.execute(
                checkpoints.insert().values(
                    projection=projection,
                    generation=generation,
                    stream=stream,
                    position=position,
                )
            )

    def version(self, tx: Connection, projection: str) -> tuple[tuple[int, str, int], ...]:
        """The live generation's checkpoints, read without locking: a value that changes
        whenever the projection applies events or switches generation (a cache key)."""
        c, g = checkpoints, generations
        query = (
            select(c.c.generation, c.c.stream, c.c.position)
            .join(g, and_(g.c.projection == c.c.projection, g.c.generation == c.c.generation))
            .where(c.c.projection == projection, g.c.status == "live")
            .order_by(c.c.stream)
        )
        return tuple((int(r.generation), str(r.stream), int(r.position)) for r in tx.execute(query))

    def generations_of(self, tx: Connection, projection: str) -> list[int]:
        """Every generation ever recorded for ``projection``, oldest first."""
        query = (
            select(generations.c.generation)
            .where(generations.c.projection == projection)
            .order_by(generations.c.generation)
        )
        return [int(g) for g in tx.execute(query).scalars()]

    def forget(self, tx: Connection, projection: str) -> None:
        """Delete the generations and checkpoints of a projection whose tables are gone."""
        for table in (checkpoints, generations):
            tx.execute(delete(table).where(table.c.projection == projection))


bookkeeping = Bookkeeping()
