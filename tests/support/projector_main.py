"""Run the test counters projection in its own process (for the SIGKILL test).

Usage: python -m tests.support.projector_main NATS_URL DATABASE_URL COUNTY SLOW_MS
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Table

from eventlog import connect
from eventlog.database import make_engine
from eventlog.messages import StoredEvent
from eventlog.projection import ProjectionRunner
from tests.support.counters import Counters


class SlowCounters(Counters):
    """Counters that take ``slow_ms`` per event, so a kill lands inside a transaction."""

    def __init__(self, county: str, slow_ms: float) -> None:
        super().__init__(county)
        self.slow = slow_ms / 1000

    def apply(
        self, tx: Connection, tables: Mapping[str, Table], events: Sequence[StoredEvent]
    ) -> None:
        for event in events:
            time.sleep(self.slow)
            super().apply(tx, tables, [event])


async def main(nats_url: str, database_url: str, county: str, slow_ms: float) -> None:
    nc = await connect(nats_url, "projector-under-test")
    runner = ProjectionRunner(
        nc, make_engine(database_url), SlowCounters(county, slow_ms), batch_size=50
    )
    await runner.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
