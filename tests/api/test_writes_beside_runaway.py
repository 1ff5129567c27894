"""A write never waits for queries: with a runaway query holding a worker, a write is acknowledged, and a
query started after it sees the write, both before the runaway's time limit ends it; the worker that was
busy catches up with the write before its next job."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from api.engine import QueryTimeout, WorkerPool
from tests.api.test_fair_share import RUNAWAY, filled

G = "https://w3id.org/bomay/graph/article/beside-runaway"
P = URIRef("https://x.org/written")
SEEN = "SELECT ?v WHERE { <https://x.org/w> <https://x.org/written> ?v }"


def written(value: int) -> Graph:
    g = Graph()
    g.add((URIRef("https://x.org/w"), P, Literal(value)))
    return g


def test_a_runaway_query_holds_neither_writes_nor_later_queries(tmp_path: Path) -> None:
    store = filled(tmp_path / "store")

    async def run() -> tuple[list[str], set[int], set[int]]:
        pool = WorkerPool(store, 2, timeout=8, limit=10_000, deny_network=False)
        await pool.start()
        order: list[str] = []
        try:
            await asyncio.gather(*(pool.run({"kind": "rows", "query": SEEN}) for _ in range(2)))  # warm

            async def runaway() -> None:
                with pytest.raises(QueryTimeout):
                    await pool.run({"kind": "rows", "query": RUNAWAY})
                order.append("runaway ended")

            attack = asyncio.ensure_future(runaway())
            await asyncio.sleep(0.5)  # the runaway holds a worker
            await pool.write((G,), store.replace_graph, G, written(1))
            order.append("write acknowledged")
            seen = {int(r["v"]) for r in await pool.run({"kind": "rows", "query": SEEN})}
            order.append("query answered")
            await attack
            # every worker now, the one the runaway held replaced, answers with the write
            after = await asyncio.gather(*(pool.run({"kind": "rows", "query": SEEN}) for _ in range(2)))
            return order, seen, {int(r["v"]) for rows in after for r in rows}
        finally:
            pool.close()

    order, seen, after = asyncio.run(run())
    store.close()
    assert order == ["write acknowledged", "query answered", "runaway ended"]
    assert seen == {1} and after == {1}


def test_a_busy_worker_applies_the_writes_it_missed_before_its_next_job(tmp_path: Path) -> None:
    store = filled(tmp_path / "store")
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^6 rows: a moment

    async def run() -> list[set[int]]:
        pool = WorkerPool(store, 1, timeout=60, limit=10_000, deny_network=False)
        await pool.start()
        try:
            busy = asyncio.ensure_future(pool.run({"kind": "rows", "query": slow}))
            await asyncio.sleep(0.05)
            for value in (1, 2, 3):  # each acknowledged while the one worker is busy
                await pool.write((G,), store.replace_graph, G, written(value))
            await busy
            return [{int(r["v"]) for r in await pool.run({"kind": "rows", "query": SEEN})} for _ in range(2)]
        finally:
            pool.close()

    answers = asyncio.run(run())
    store.close()
    assert answers == [{3}, {3}]
