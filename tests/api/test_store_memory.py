"""The server process gives back what writes leave in it: the on-disk store buffers every write in memory
until its buffers fill, so once writes have gone quiet the pool has the store flush them and return the
memory, and under writes that never pause, every RELEASE_EVERY writes. Replacing one article again and
again then leaves the process where it was.

RELIABILITY_BREAK=release keeps the buffers (the store's release does nothing): the test must fail."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import shutil
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from tests.api.test_replica_refresh import SEED_GRAPH


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass(frozen=True)
class Sizes:
    """The child's size (MB) once 20 replaces have been given back, after 60 more and a quiet spell, and
    after 60 more with no quiet spell; the pool's count of releases at each point."""

    before: float
    after_quiet: float
    after_busy: float
    releases: tuple[int, int, int]


def _replace_many_times(store_path: str, broken: bool) -> Sizes:
    from api.engine import WorkerPool
    from graph.embedded import EmbeddedStore

    if broken:
        EmbeddedStore.release_memory = lambda self: None  # type: ignore[method-assign]
    store = EmbeddedStore(store_path)
    g = store.get_graph(SEED_GRAPH)

    async def replace(pool: WorkerPool, times: int) -> None:
        for _ in range(times):
            await pool.write((SEED_GRAPH,), store.replace_graph, SEED_GRAPH, g)

    async def released(pool: WorkerPool, count: int) -> int:
        while pool.releases < count:
            await asyncio.sleep(0.05)
        return pool.releases

    async def run() -> Sizes:
        pool = WorkerPool(store, 1, timeout=60, limit=10_000, deny_network=False)
        pool.RELEASE_AFTER, pool.RELEASE_EVERY = 0.2, 10**9  # given back when writes go quiet
        pool.REFRESH_MIN = 10**12  # the replicas are another test's (test_replica_refresh)
        await pool.start()
        try:
            await replace(pool, 20)
            first = await released(pool, 1)
            before = _rss_mb()
            await replace(pool, 60)
            second = await released(pool, 2)
            after_quiet = _rss_mb()
            pool.RELEASE_AFTER, pool.RELEASE_EVERY = 3600.0, 20  # never quiet: given back every 20
            await replace(pool, 60)
            third = await released(pool, 5)
            return Sizes(before, after_quiet, _rss_mb(), (first, second, third))
        finally:
            pool.close()

    try:
        return asyncio.run(run())
    finally:
        store.close()


def _report(conn: Connection, store_path: str, broken: bool) -> None:
    conn.send(_replace_many_times(store_path, broken))
    conn.close()


def test_replaces_of_one_article_leave_the_server_process_where_it_was(
    seeded_store: Path, tmp_path: Path
) -> None:
    shutil.copytree(seeded_store, tmp_path / "store")
    broken = os.environ.get("RELIABILITY_BREAK") == "release"
    ctx = mp.get_context("spawn")
    mine, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_report, args=(theirs, str(tmp_path / "store"), broken))  # not daemonic:
    child.start()  # the pool it runs starts processes of its own
    theirs.close()
    try:
        sizes: Sizes = mine.recv()
    finally:
        child.join(60)
    assert child.exitcode == 0
    assert sizes.releases == (1, 2, 5)  # one per quiet spell, and one per 20 writes without one
    assert sizes.after_quiet - sizes.before < 15, f"{sizes.before:.0f} to {sizes.after_quiet:.0f} MB"
    assert sizes.after_busy - sizes.before < 15, f"{sizes.before:.0f} to {sizes.after_busy:.0f} MB"
