"""The pool gives back what writes leave in its in-memory replicas: past a budget of replaced triples it
loads a fresh zygote in the background and swaps every worker to it, and no answer ever misses a write,
including the writes made while the fresh zygote was loading."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from api.engine import WorkerPool
from graph.embedded import EmbeddedStore

G = "https://w3id.org/bomay/graph/article/refresh-{}"
P = URIRef("https://x.org/version")


def article(k: int, version: int) -> Graph:
    g = Graph()
    for i in range(50):
        g.add((URIRef(f"https://x.org/a{k}/s{i}"), P, Literal(version)))
    return g


def versions(rows: list[dict]) -> set[int]:
    return {int(r["v"]) for r in rows}


def test_a_refreshed_pool_answers_every_write_made_before_during_and_after_it(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(G.format(0), article(0, 0))

    async def run() -> tuple[int, set[int], set[int]]:
        pool = WorkerPool(store, 2, timeout=30, limit=10_000, deny_network=False)
        pool.REFRESH_MIN, pool.REFRESH_SHARE = 120, 0.0  # refresh after a few replaces
        await pool.start()
        try:
            q = "SELECT DISTINCT ?v WHERE { ?s <https://x.org/version> ?v }"
            for version in range(1, 12):
                await pool.write((G.format(0),), store.replace_graph, G.format(0), article(0, version))
                await asyncio.sleep(0)  # let a refresh start between writes
            while pool._refreshing is not None:
                await pool.write((G.format(1),), store.replace_graph, G.format(1), article(1, 100))
                await asyncio.sleep(0.05)
            seen = versions(await pool.run({"kind": "rows", "query": q}))
            await pool.write((G.format(0),), store.replace_graph, G.format(0), article(0, 99))
            after = versions(await pool.run({"kind": "rows", "query": q}))
            return pool.refreshes, seen, after
        finally:
            pool.close()

    refreshes, seen, after = asyncio.run(run())
    store.close()
    assert refreshes >= 1
    assert 11 in seen and not set(range(11)) & seen  # the last version of graph 0, none older
    assert after == {99} | ({100} if 100 in seen else set())


def pool_pss_mb(pool: WorkerPool) -> float:
    import psutil

    pids = [pool._zygote.proc.pid] if pool._zygote else []
    pids += [w.pid for w in pool._all]
    return sum(psutil.Process(pid).memory_full_info().pss for pid in pids) / 2**20


def replace_200_times(store: EmbeddedStore, refresh: bool) -> tuple[float, float]:
    """PSS of the pool's processes after 20 and after 220 replaces of one article graph."""
    g = store.get_graph(SEED_GRAPH)

    async def run() -> tuple[float, float]:
        pool = WorkerPool(store, 2, timeout=60, limit=10_000, deny_network=False)
        if not refresh:
            pool.REFRESH_MIN = 10**12
        await pool.start()
        try:
            for _ in range(20):
                await pool.write((SEED_GRAPH,), store.replace_graph, SEED_GRAPH, g)
            while pool._refreshing is not None:
                await asyncio.sleep(0.1)
            before = pool_pss_mb(pool)
            for _ in range(200):
                await pool.write((SEED_GRAPH,), store.replace_graph, SEED_GRAPH, g)
            while pool._refreshing is not None:
                await asyncio.sleep(0.1)
            return before, pool_pss_mb(pool)
        finally:
            pool.close()

    return asyncio.run(run())


SEED_GRAPH = "https://w3id.org/bomay/graph/article/000_3db7e80d1100efe9"


def test_200_replaces_of_one_article_leave_the_replicas_memory_where_it_was(
    seeded_store: Path, tmp_path: Path
) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    try:
        before, after = replace_200_times(store, refresh=True)
    finally:
        store.close()
    assert after - before < 15, f"the replicas grew from {before:.0f} to {after:.0f} MB"
