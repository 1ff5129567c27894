"""POSTed articles are extracted and validated in worker processes (api/ingest_pool.py): concurrent
POSTs both land, a worker killed mid-validation is a clean 503 that writes nothing and is followed by a
fresh pool, and the per-graph counts of /health and the service description follow every write without
recounting the store (they answer while the only query worker is busy)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace

from tests.api.conftest import ROOT, TOKEN, Server, start_on_copy, stop_server

psutil = pytest.importorskip("psutil")

AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLAIN = {**AUTH, "Content-Type": "text/plain; charset=utf-8"}
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# Runs until the query time limit stops it: keeps the server's only query worker busy.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def pool_server(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server with two ingest workers and a single query worker."""
    srv = start_on_copy(
        seeded_store,
        tmp_path_factory.mktemp("poolstore"),
        BOMAY_TOKEN=TOKEN,
        BOMAY_INGEST_WORKERS="2",
        BOMAY_QUERY_WORKERS="1",
        BOMAY_QUERY_TIMEOUT="6",
    )
    yield srv
    stop_server(srv)


@pytest.fixture()
def c(pool_server: Server) -> Iterator[httpx.Client]:
    with pool_server.client() as client:
        yield client


def fresh_counts(c: httpx.Client) -> dict[str, int]:
    """Triple count per named graph, counted now by a query."""
    r = c.get("/sparql", params={"query": COUNTS}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def default_count(c: httpx.Client) -> int:
    """Triples in the default graph, counted now by a query."""
    r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
              headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def void_counts(c: httpx.Client) -> tuple[int, dict[str, int]]:
    """(default graph's void:triples, void:triples per named graph) of the service description."""
    r = c.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format="turtle")
    per = {}
    for ng in g.objects(None, SD.namedGraph):
        gr = g.value(ng, SD.graph)
        per[str(g.value(ng, SD.name))] = int(g.value(gr, VOID.triples))
    default = next(g.objects(None, SD.defaultGraph))
    return int(g.value(default, VOID.triples)), per


def check_counts(c: httpx.Client) -> dict[str, int]:
    """/health and the service description agree with a fresh count; returns the fresh count."""
    fresh = fresh_counts(c)
    health = c.get("/health").json()
    assert health["graphs"] == len(fresh)
    assert health["articles"] == sum(1 for g in fresh if "/graph/article/" in g)
    total, per = void_counts(c)
    assert per == fresh
    assert total == default_count(c)  # each triple once, however many graphs state it
    return fresh


def post(c: httpx.Client, doc: str, text: str) -> httpx.Response:
    return c.post("/api/articles", params={"id": doc}, content=text.encode(), headers=PLAIN)


def graph_iri(doc: str) -> str:
    return f"https://w3id.org/bomay/graph/article/{doc}"


def test_counts_follow_ingest_replace_and_delete(c: httpx.Client) -> None:
    before = check_counts(c)
    r = post(c, "pool_count_a", SEED_TEXTS[0])
    assert r.status_code == 201, r.text
    r = post(c, "pool_count_b", SEED_TEXTS[1])
    assert r.status_code == 201, r.text
    after = check_counts(c)
    assert after[graph_iri("pool_count_b")] == r.json()["triples"]
    r = post(c, "pool_count_a", SEED_TEXTS[1])  # replaced by the other article's content
    assert r.status_code == 200 and r.json()["replaced"], r.text
    after = check_counts(c)
    assert after[graph_iri("pool_count_a")] == after[graph_iri("pool_count_b")]
    for doc in ("pool_count_a", "pool_count_b"):
        assert c.delete(f"/api/articles/{doc}", headers=AUTH).status_code == 200
    assert check_counts(c) == before


def test_counts_are_not_recounted_after_a_write(c: httpx.Client, pool_server: Server) -> None:
    """With its only query worker busy, the server still answers /health and the service description at
    once, with the write just made: the counts come from the writes, not from a query."""
    before = fresh_counts(c)
    r = post(c, "pool_no_rescan", SEED_TEXTS[0])
    assert r.status_code == 201, r.text
    triples = r.json()["triples"]
    busy: list[httpx.Response] = []

    def endless() -> None:
        with pool_server.client() as own:
            busy.append(own.get("/sparql", params={"query": ENDLESS}))

    worker = threading.Thread(target=endless)
    worker.start()
    try:
        time.sleep(1.0)  # the endless query holds the worker now
        t = time.monotonic()
        health = c.get("/health", timeout=30).json()
        total, per = void_counts(c)
        took = time.monotonic() - t
        still_busy = worker.is_alive()
    finally:
        worker.join(timeout=60)
    assert took < 2.0, f"/health and the service description waited {took:.1f} s for a query worker"
    assert still_busy, "the query meant to keep the worker busy ended early"
    assert health["articles"] == sum(1 for g in before if "/graph/article/" in g) + 1
    assert per[graph_iri("pool_no_rescan")] == triples
    assert busy and busy[0].status_code == 503, busy and busy[0].text  # stopped by the time limit
    assert total == default_count(c)  # counted once each, and known without a query
    assert c.delete("/api/articles/pool_no_rescan", headers=AUTH).status_code == 200
    assert check_counts(c) == before


def test_two_concurrent_posts_both_land(c: httpx.Client, pool_server: Server) -> None:
    before = check_counts(c)
    start = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def send(doc: str, text: str) -> None:
        with pool_server.client() as own:
            start.wait()
            answers[doc] = post(own, doc, text)

    threads = [threading.Thread(target=send, args=(f"pool_conc_{i}", SEED_TEXTS[i])) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(answers) == ["pool_conc_0", "pool_conc_1"]
    for doc, r in answers.items():
        assert r.status_code == 201, r.text
        assert r.json()["stored"] and r.json()["facts"]["id"] == doc
    after = check_counts(c)
    for doc, r in answers.items():
        assert after[graph_iri(doc)] == r.json()["triples"] > 0
        assert c.get(f"/api/documents/article/{doc}").status_code == 200
    for doc in answers:
        assert c.delete(f"/api/articles/{doc}", headers=AUTH).status_code == 200
    assert check_counts(c) == before


def ingest_workers(server: Server) -> list[psutil.Process]:
    """The ingest pool's worker processes: the children of the server's fork server."""
    for child in psutil.Process(server.proc.pid).children():
        if "multiprocessing.forkserver" in " ".join(child.cmdline()):
            return child.children()
    return []


def running_ingest_workers(server: Server) -> list[psutil.Process]:
    """ingest_workers, or skip the test where the platform has no fork server (the pool then runs in
    spawned processes this test cannot find the same way)."""
    workers = ingest_workers(server)
    if not workers:
        pytest.skip("no fork server: the ingest pool is not running with 'forkserver'")
    return workers


def big_article(n: int = 200) -> str:
    """Many synthetic articles of different provinces in one text: long enough to validate for a while."""
    from bench.articles import ArticleWriter

    writer = ArticleWriter(11, prefix="killed")
    return "\n\n".join(writer.write().text for _ in range(n))


def test_killed_ingest_worker_is_a_clean_503_and_the_next_post_works(
    c: httpx.Client, pool_server: Server
) -> None:
    workers = running_ingest_workers(pool_server)
    before = check_counts(c)
    cpu = {p.pid: sum(p.cpu_times()[:2]) for p in workers}
    answer: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answer.append(post(c, "pool_killed", big_article())))
    sender.start()
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and sender.is_alive() and time.monotonic() < deadline:
        for p in workers:
            if sum(p.cpu_times()[:2]) - cpu[p.pid] > 0.05:  # this one is working on the article
                os.kill(p.pid, signal.SIGKILL)
                killed = p.pid
                break
        time.sleep(0.005)
    sender.join(timeout=120)
    assert killed is not None, "no ingest worker was seen validating the article"
    r = answer[0]
    assert r.status_code == 503, r.text[:500]
    body = r.json()
    assert body["error"] == "ingest_worker_died" and " / " in body["message"], body
    assert r.headers.get("retry-after")
    assert fresh_counts(c) == before  # nothing written
    fresh = ingest_workers(pool_server)
    assert fresh and killed not in {p.pid for p in fresh}
    r = post(c, "pool_after_kill", SEED_TEXTS[0])
    assert r.status_code == 201, r.text
    assert check_counts(c)[graph_iri("pool_after_kill")] == r.json()["triples"]
    assert c.delete("/api/articles/pool_after_kill", headers=AUTH).status_code == 200
    assert check_counts(c) == before


def test_workers_dead_before_a_post_are_replaced_without_an_error(
    c: httpx.Client, pool_server: Server
) -> None:
    workers = running_ingest_workers(pool_server)
    for p in workers:
        with contextlib.suppress(ProcessLookupError):  # gone already (a pool still winding down): as good
            os.kill(p.pid, signal.SIGKILL)
    time.sleep(1.0)  # the pool notices its dead workers
    r = post(c, "pool_after_idle_kill", SEED_TEXTS[1])
    assert r.status_code == 201, r.text
    assert not {p.pid for p in workers} & {p.pid for p in ingest_workers(pool_server)}
    assert c.delete("/api/articles/pool_after_idle_kill", headers=AUTH).status_code == 200
