"""The server process gives back what writes leave in it: the on-disk store buffers every write in memory
until its buffers fill, so once writes have gone quiet the pool has the store flush them and return the
memory. 100 replaces of one article then leave the process where it was.

RELIABILITY_BREAK=release keeps the buffers (the store's release does nothing): the test must fail."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import shutil
from multiprocessing.connection import Connection
from pathlib import Path

from tests.api.test_replica_refresh import SEED_GRAPH


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _replace_many_times(store_path: str, broken: bool) -> tuple[float, float, int]:
    """In a process of its own: this process's size once 20 replaces have settled, after 100 more and
    a quiet spell, and how many releases the pool made."""
    from api.engine import WorkerPool
    from graph.embedded import EmbeddedStore

    if broken:
        EmbeddedStore.release_memory = lambda self: None  # type: ignore[method-assign]
    store = EmbeddedStore(store_path)
    g = store.get_graph(SEED_GRAPH)

    async def quiet(pool: WorkerPool, releases: int) -> None:
        while pool.releases == releases:
            await asyncio.sleep(0.05)

    async def run() -> tuple[float, float, int]:
        pool = WorkerPool(store, 1, timeout=60, limit=10_000, deny_network=False)
        pool.RELEASE_AFTER = 0.2
        pool.REFRESH_MIN = 10**12  # the replicas are another test's (test_replica_refresh)
        await pool.start()
        try:
            for _ in range(20):
                await pool.write((SEED_GRAPH,), store.replace_graph, SEED_GRAPH, g)
            await quiet(pool, 0)
            before = _rss_mb()
            for _ in range(100):
                await pool.write((SEED_GRAPH,), store.replace_graph, SEED_GRAPH, g)
            await quiet(pool, 1)
            return before, _rss_mb(), pool.releases
        finally:
            pool.close()

    try:
        return asyncio.run(run())
    finally:
        store.close()


def _report(conn: Connection, store_path: str, broken: bool) -> None:
    conn.send(_replace_many_times(store_path, broken))
    conn.close()


def test_100_replaces_of_one_article_leave_the_server_process_where_it_was(
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
        before, after, releases = mine.recv()
    finally:
        child.join(60)
    assert child.exitcode == 0
    assert releases == 2  # one quiet spell after each burst of writes
    assert after - before < 15, f"the process grew from {before:.0f} to {after:.0f} MB"
