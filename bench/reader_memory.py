"""Memory of a slow catch-up read: RSS while ``read_batches`` feeds a slow caller.

Publishes ``--n`` 400-byte messages into a stream of their own on an embedded nats-server,
then reads them with :func:`eventlog.reader.read_batches`, the caller sleeping ``--sleep``
seconds per batch of 1,000 (a projection writing to a slow database). Prints the peak RSS
every 100,000 events: with a bounded window it stays flat however long the stream.

    python bench/reader_memory.py --n 400000 --sleep 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from nats.js.api import StreamConfig

from eventlog.connection import connect
from eventlog.reader import read_batches
from yanpei.natsserver import EmbeddedNatsServer


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


async def _publish(js, n: int) -> None:
    body, pending = b"x" * 400, []
    for i in range(n):
        headers = {"ce-type": "system.Bench.v1", "ce-id": str(i)}
        pending.append(await js.publish_async(f"bench.{i % 1000}", body, headers=headers))
        if len(pending) >= 3000:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)


async def main(n: int, sleep: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with EmbeddedNatsServer(Path(folder)) as server:
            nc = await connect(server.url, "bench-reader")
            js = nc.jetstream()
            await js.add_stream(StreamConfig(name="BENCH", subjects=["bench.>"]))
            await _publish(js, n)
            started, count = time.perf_counter(), 0
            async for batch in read_batches(nc, "BENCH"):
                count += len(batch)
                await asyncio.sleep(sleep)
                if count % 100_000 == 0:
                    seconds = time.perf_counter() - started
                    print(f"{count:>9,} events  peak RSS {_rss_mb()} MB  {seconds:.1f} s")
            print(f"read {count:,} events; peak RSS {_rss_mb()} MB")
            await nc.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400_000)
    parser.add_argument("--sleep", type=float, default=0.01)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.sleep))
