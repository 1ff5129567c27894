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


def cli_count(store: Path, query: str) -> int:
    env = {**os.environ, "BOMAY_STORE": str(store)}
    env.pop("BOMAY_SPARQL_URL", None)
    done = subprocess.run([sys.executable, "-m", "api.cli", "query", query, "--format", "json"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
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


def test_cli_store_sparql_rest_and_export_count_the_same_models_and_triples(srv: Server) -> None:
    with srv.client() as c:
        for query in (MERGERS, MODELS, TRIPLES):
            over_http = sparql_count(c, query)
            assert over_http > 0
            assert cli_count(srv.store, query) == over_http
            assert store_count(srv.store, query) == over_http
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
        assert cli_count(srv.store, label) == before


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
