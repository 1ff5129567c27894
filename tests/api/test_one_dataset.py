"""One dataset behind every read path: the CLI, the store API, /sparql, REST and /export answer the
same questions with the same counts, because the default graph is stored as the set union of the named
graphs rather than made up by each reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from tests.api.conftest import ROOT, TOKEN, Server, start_on_copy, stop_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SEED = "002_2638025429762e0c"
PREFIX = ("PREFIX bomay: <https://w3id.org/bomay/ontology#>\n"
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
MERGERS = PREFIX + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a bomay:MergerModel }"
MODELS = PREFIX + ("SELECT (COUNT(DISTINCT ?m) AS ?n) "
                   "WHERE { ?m a ?class . ?class rdfs:subClassOf* bomay:PilotModel }")
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def srv(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    server = start_on_copy(seeded_store, tmp_path_factory.mktemp("onedataset"), BOMAY_TOKEN=TOKEN)
    with server.client() as c:  # a third article repeating the models, places and documents of a seed
        body = (ROOT / "examples" / f"{SEED}.txt").read_bytes()
        r = c.post("/api/articles", params={"id": "copy-of-002"}, content=body,
                   headers={"Content-Type": "text/plain", **AUTH})
        assert r.status_code == 201, r.text
    yield server
    stop_server(server)


def bomay_query(store: Path | str, query: str) -> subprocess.CompletedProcess:
    """`bomay query QUERY --format json --store STORE`."""
    env = {**os.environ}
    env.pop("BOMAY_SPARQL_URL", None)
    env.pop("BOMAY_STORE", None)
    return subprocess.run([sys.executable, "-m", "api.cli", "query", query, "--format", "json",
                           "--store", str(store)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def cli_count(store: Path | str, query: str) -> int:
    done = bomay_query(store, query)
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"])


def store_count(store: Path, query: str) -> int:
    from graph.embedded import EmbeddedStore

    with EmbeddedStore(store, read_only=True) as st:
        return int(st.select(query)[0]["n"])


def sparql_count(c: httpx.Client, query: str) -> int:
    r = c.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_rest_and_export_count_the_same_models_and_triples(srv: Server) -> None:
    with srv.client() as c:
        for query in (MERGERS, MODELS, TRIPLES):
            over_http = sparql_count(c, query)
            assert over_http > 0
        models = c.get("/api/models", params={"per_page": 1})
        assert models.status_code == 200
        assert int(models.headers["X-Total-Count"]) == sparql_count(c, MODELS)
        mergers = c.get("/api/models", params={"per_page": 1, "kind": "merger"})
        assert int(mergers.headers["X-Total-Count"]) == sparql_count(c, MERGERS)
        dump = c.get("/export/ntriples")
        assert dump.status_code == 200
        lines = [ln for ln in dump.content.splitlines() if ln.strip()]
        assert len(lines) == sparql_count(c, TRIPLES)


def test_a_shared_triple_is_counted_once_after_replacing_and_deleting_one_of_its_articles(
    srv: Server,
) -> None:
    label = (PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?m a bomay:MergerModel ; rdfs:label ?l }")
    with srv.client() as c:
        before = sparql_count(c, label)
        body = (ROOT / "examples" / f"{SEED}.txt").read_bytes()
        r = c.post("/api/articles", params={"id": "copy-of-002", "replace": "true"}, content=body,
                   headers={"Content-Type": "text/plain", **AUTH})
        assert r.status_code in (200, 201), r.text
        assert sparql_count(c, label) == before
        assert c.delete("/api/articles/copy-of-002", headers=AUTH).status_code == 200
        assert sparql_count(c, label) == before


def test_beside_the_running_server_the_cli_points_to_it_instead_of_reading_the_store(srv: Server) -> None:
    """A read-only handle beside a live writer is undefined behaviour in RocksDB: refused, with the way."""
    done = bomay_query(srv.store, TRIPLES)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "/sparql" in done.stderr
    from graph.embedded import StoreHeld

    with pytest.raises(StoreHeld):
        store_count(srv.store, TRIPLES)


def test_the_cli_pointed_at_the_running_servers_sparql_counts_what_it_serves(srv: Server) -> None:
    """The way the refusal above points to: the service's default graph is already the union, so the CLI
    sends its queries as they are rather than naming a union graph the service does not hold."""
    with srv.client() as c:
        for query in (MERGERS, MODELS, TRIPLES):
            served = sparql_count(c, query)
            assert served > 0
            assert cli_count(f"{srv.url}/sparql", query) == served


def test_after_the_server_stops_the_cli_and_the_store_read_what_it_served(
    seeded_store: Path, tmp_path: Path
) -> None:
    server = start_on_copy(seeded_store, tmp_path, BOMAY_TOKEN=TOKEN)
    try:
        with server.client() as c:
            body = (ROOT / "examples" / f"{SEED}.txt").read_bytes()
            r = c.post("/api/articles", params={"id": "copy-of-002"}, content=body,
                       headers={"Content-Type": "text/plain", **AUTH})
            assert r.status_code == 201, r.text
            served = {query: sparql_count(c, query) for query in (MERGERS, MODELS, TRIPLES)}
    finally:
        stop_server(server)
    for query, n in served.items():
        assert cli_count(server.store, query) == n
        assert store_count(server.store, query) == n


# -- the store itself ------------------------------------------------------------------------------------
A, B = "https://w3id.org/bomay/graph/article/a", "https://w3id.org/bomay/graph/article/b"
SHARED = (URIRef("https://w3id.org/bomay/id/model/m"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
          Literal("Hợp nhất hai văn phòng"))


def graph_with(*triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def own(name: str):
    return (URIRef(f"https://w3id.org/bomay/id/article/{name}"), URIRef("https://x.org/says"), SHARED[0])


def count(st, query: str = TRIPLES) -> int:
    return int(st.select(query)[0]["n"])


def test_the_stored_default_graph_keeps_a_shared_triple_once_through_replace_and_drop(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "s") as st:
        st.replace_graph(A, graph_with(SHARED, own("a")))
        st.replace_graph(B, graph_with(SHARED, own("b")))
        assert count(st) == 3
        st.replace_graph(A, graph_with(own("a")))  # A no longer states it; B still does
        assert count(st) == 3
        st.replace_graph(A, graph_with(SHARED, own("a")))
        assert st.drop_graph(B)
        assert count(st) == 2
        assert st.drop_graph(A)
        assert count(st) == 0


def test_a_store_without_the_union_marker_gets_its_default_graph_rebuilt_on_open(tmp_path: Path) -> None:
    from graph.embedded import UNION_MARK, EmbeddedStore

    with EmbeddedStore(tmp_path / "s") as st:
        st.replace_graph(A, graph_with(SHARED, own("a")))
        st._update("CLEAR DEFAULT")  # as a store written before the default graph was kept
        assert count(st) == 0
    (tmp_path / "s" / UNION_MARK).unlink()
    with EmbeddedStore(tmp_path / "s") as st:
        assert count(st) == 2
    with EmbeddedStore(tmp_path / "s", read_only=True) as st:
        assert count(st) == 2
