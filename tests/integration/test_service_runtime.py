"""The service runtime's periodic work: it runs on start, again and again, and survives errors."""

from __future__ import annotations

from eventlog.service import Service
from tests.support.waiting import eventually


async def test_periodic_work_runs_repeatedly_and_a_failure_does_not_stop_it(
    nats_server, database_url
):
    runs: list[int] = []

    async def work(service: Service) -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    service = Service(
        "test-periodic", "system", nats_url=nats_server.url, database_url=database_url
    )
    service.every(0.01, work, "test work")
    async with service:
        await eventually(lambda: len(runs) >= 3, what="three runs")
        assert (await service.health()).status == "ok"
