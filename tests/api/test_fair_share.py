"""Fair share of the query workers: one worker is kept for clients whose queries were answered in time;
a client whose query ran into the time limit becomes a suspect and shares the others, so a well-behaved
client is answered while two more of the suspect's runaway queries are still running or waiting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from api.engine import QueryTimeout, WorkerPool
from graph.embedded import EmbeddedStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
QUICK = "ASK { ?s <https://x.org/p> ?o }"


def filled(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    g = Graph()
    for i in range(100):
        g.add((URIRef(f"https://x.org/s{i}"), URIRef("https://x.org/p"), Literal(i)))
    store.replace_graph("https://w3id.org/bomay/graph/article/fair", g)
    return store


def test_a_suspect_cannot_hold_every_worker(tmp_path: Path) -> None:
    store = filled(tmp_path / "store")

    async def run() -> tuple[bool, set[str]]:
        # a time limit far above a quick query's time even on a cold, loaded machine; the runaway (10^10
        # rows) never ends within any
        pool = WorkerPool(store, 2, timeout=8, limit=10_000, deny_network=False)
        await pool.start()
        try:
            for _ in range(2):  # both workers answer once (no client: no share rules) before the test
                await asyncio.gather(*(pool.run({"kind": "results", "query": QUICK, "result_format": "json"})
                                       for _ in range(2)))
            quick = {"kind": "results", "query": QUICK, "result_format": "json", "client": "10.0.0.7"}
            await pool.run(quick)  # answered in time: this client may use the kept worker
            with pytest.raises(QueryTimeout):
                await pool.run({"kind": "rows", "query": RUNAWAY, "client": "10.0.0.66"})
            assert pool.suspect("10.0.0.66") and not pool.trusted("10.0.0.66")
            assert pool.trusted("10.0.0.7") and not pool.suspect("10.0.0.7")
            attack = {"kind": "rows", "query": RUNAWAY, "client": "10.0.0.66"}
            attacks = [asyncio.ensure_future(pool.run(attack)) for _ in range(2)]
            await asyncio.sleep(0.5)  # both attacks asked for a worker first
            ordinary = asyncio.ensure_future(pool.run(quick))
            done, _ = await asyncio.wait([ordinary, *attacks], return_when=asyncio.FIRST_COMPLETED)
            first = {"ordinary" if t is ordinary else "attack" for t in done}
            answered = ordinary in done and ordinary.exception() is None
            await asyncio.gather(*attacks, return_exceptions=True)
            return answered, first
        finally:
            pool.close()

    answered, first = asyncio.run(run())
    assert first == {"ordinary"} and answered
    store.close()
