"""SPARQL 1.1 Protocol over real HTTP: forms, formats, negotiation, dataset, refusals and limits."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from ontology.namespaces import GRAPH, ONTOLOGY_GRAPH
from tests.api.conftest import start_server, stop_server

SELECT = (
    "PREFIX bomay: <https://w3id.org/bomay/ontology#> "
    "SELECT DISTINCT ?doc ?id WHERE { ?doc a bomay:SourceDocument ; "
    "<http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"
)
CONSTRUCT = (
    "PREFIX bomay: <https://w3id.org/bomay/ontology#> "
    "CONSTRUCT { ?doc a bomay:SourceDocument } WHERE { ?doc a bomay:SourceDocument }"
)
SEED_IDS = ["000_3db7e80d1100efe9", "002_2638025429762e0c"]
SRX = "{http://www.w3.org/2005/sparql-results#}"


def ids_from_json(body: bytes) -> list[str]:
    return [b["id"]["value"] for b in json.loads(body)["results"]["bindings"]]


@pytest.mark.parametrize(
    "accept, media",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_in_every_results_format(http: httpx.Client, accept: str, media: str) -> None:
    r = http.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    if "json" in media:
        assert ids_from_json(r.content) == SEED_IDS
    elif "xml" in media:
        root = ET.fromstring(r.content)
        vals = [lit.text for b in root.iter(f"{SRX}binding") if b.get("name") == "id" for lit in b]
        assert vals == SEED_IDS
    elif media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["id"] for row in rows] == SEED_IDS
        assert rows[0]["doc"].startswith("https://w3id.org/bomay/id/article/")
    else:
        lines = r.text.strip().split("\n")
        assert lines[0] == "?doc\t?id"
        assert lines[1].split("\t") == [
            f"<https://w3id.org/bomay/id/article/{SEED_IDS[0]}>",
            f'"{SEED_IDS[0]}"',
        ]


def test_ask_json_and_xml(http: httpx.Client) -> None:
    q = "ASK { ?s a <https://w3id.org/bomay/ontology#SourceDocument> }"
    assert http.get("/sparql", params={"query": q}).json() == {"head": {}, "boolean": True}
    r = http.get("/sparql", params={"query": q, "format": "xml"})
    assert ET.fromstring(r.content).find(f"{SRX}boolean").text == "true"


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_in_every_graph_format(http: httpx.Client, accept: str, rdflib_format: str) -> None:
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    ds = rdflib.Dataset()
    ds.parse(data=r.content, format=rdflib_format)
    subjects = {str(s) for s, _, _, _ in ds.quads((None, None, None, None))}
    assert subjects == {f"https://w3id.org/bomay/id/article/{i}" for i in SEED_IDS}


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        (
            "application/sparql-results+xml;q=0.2, application/sparql-results+json;q=0.9",
            "application/sparql-results+json",
        ),
        ("text/html, application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml"),
        ("image/png, text/*;q=0.3", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_accept_with_several_types_and_q_values(http: httpx.Client, accept: str, expected: str) -> None:
    r = http.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(expected)


def test_format_parameter_overrides_accept(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": SELECT, "format": "tsv"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = http.get("/sparql", params={"query": CONSTRUCT, "format": "application/n-triples"})
    assert r.headers["content-type"].startswith("application/n-triples")


def test_not_acceptable_is_406_with_message(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "Không có định dạng" in r.json()["message"]
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406


def test_post_form_and_direct_body(http: httpx.Client) -> None:
    r = http.post("/sparql", data={"query": SELECT})
    assert ids_from_json(r.content) == SEED_IDS
    r = http.post("/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert ids_from_json(r.content) == SEED_IDS
    r = http.post("/sparql", content=b"x", headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 415


def test_dataset_parameters_are_honoured(http: httpx.Client) -> None:
    one = str(GRAPH[f"article/{SEED_IDS[0]}"])
    r = http.get("/sparql", params={"query": SELECT, "default-graph-uri": one})
    assert ids_from_json(r.content) == [SEED_IDS[0]]
    r = http.post("/sparql", data={"query": SELECT, "default-graph-uri": str(ONTOLOGY_GRAPH)})
    assert ids_from_json(r.content) == []
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/bomay/ontology#SourceDocument> } }"
    r = http.get("/sparql", params={"query": q, "named-graph-uri": one})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [one]
    q_from = SELECT.replace("WHERE", f"FROM <{one}> WHERE")
    assert ids_from_json(http.get("/sparql", params={"query": q_from}).content) == [SEED_IDS[0]]


def test_default_graph_is_the_union_of_named_graphs(http: httpx.Client) -> None:
    assert ids_from_json(http.get("/sparql", params={"query": SELECT}).content) == SEED_IDS


def test_service_description_has_void_counts_and_union_statement(http: httpx.Client) -> None:
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (None, sd.feature, sd.UnionDefaultGraph) in g
    counts = {
        str(name): int(n)
        for name, n in g.query(
            "SELECT ?name ?n WHERE { ?ng <http://www.w3.org/ns/sparql-service-description#name> ?name ; "
            "<http://www.w3.org/ns/sparql-service-description#graph>/<http://rdfs.org/ns/void#triples> ?n }"
        )
    }
    for doc in SEED_IDS:
        assert counts[str(GRAPH[f"article/{doc}"])] > 0
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH[f'article/{SEED_IDS[0]}']}> {{ ?s ?p ?o }} }}"
    n = int(http.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])
    assert counts[str(GRAPH[f"article/{SEED_IDS[0]}"])] == n
    default = next(g.objects(None, sd.defaultGraph))
    every = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n = int(http.get("/sparql", params={"query": every}).json()["results"]["bindings"][0]["n"]["value"])
    assert int(g.value(default, void.triples)) == n  # each triple once: what ?s ?p ?o counts
    assert n < sum(counts.values())  # the seeds share models and places: the graphs' sum counts them twice
    assert any("union" in str(c).lower() for c in g.objects(None, rdflib.RDFS.comment))


@pytest.mark.parametrize(
    "request_kw",
    [
        {"params": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"params": {"query": "LOAD <http://example.org/data.ttl>"}},
        {"params": {"query": "PREFIX x: <urn:x:> DELETE WHERE { ?s ?p ?o }"}},
        {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
        {"params": {"query": "SELECT * WHERE { SERVICE SILENT ?ep { ?s ?p ?o } }"}},
    ],
)
def test_updates_load_and_service_are_refused(http: httpx.Client, request_kw: dict) -> None:
    r = http.get("/sparql", **request_kw)
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "refused"


def test_update_by_post_is_refused_and_changes_nothing(http: httpx.Client) -> None:
    r = http.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    r = http.post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403
    assert ids_from_json(http.get("/sparql", params={"query": SELECT}).content) == SEED_IDS


def test_syntax_error_is_400_with_parser_message(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "syntax_error" and "error at 1:" in body["message"]


def test_time_limit_stops_the_query_and_server_keeps_answering(http: httpx.Client) -> None:
    before = http.get("/health").json()["worker_restarts"]
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = http.get("/sparql", params={"query": slow})
    assert r.status_code == 503
    assert r.json()["error"] == "query_timeout"
    after = http.get("/health").json()["worker_restarts"]
    assert after == before + 1  # the worker running it was killed and replaced
    assert ids_from_json(http.get("/sparql", params={"query": SELECT}).content) == SEED_IDS


def test_result_limit_is_a_clear_error(seeded_store: Path, tmp_path: Path) -> None:
    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_server(tmp_path / "store", tmp_path / "server.log", BOMAY_RESULT_LIMIT="100")
    try:
        with srv.client() as c:
            r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000"})
            assert r.status_code == 422
            assert r.json()["error"] == "result_limit" and "100" in r.json()["message"]
            r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1000"})
            assert r.status_code == 422
            r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100"})
            assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 100
    finally:
        stop_server(srv)


def test_request_body_cap(http: httpx.Client) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2_100_000
    r = http.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large"


def test_graph_store_read(http: httpx.Client) -> None:
    one = str(GRAPH[f"article/{SEED_IDS[0]}"])
    r = http.get("/graph-store", params={"graph": one}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="nt")
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{one}> {{ ?s ?p ?o }} }}"
    n = int(http.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])
    assert len(g) == n
    r = http.get("/graph-store", params={"default": ""}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) > n  # the whole store
    assert http.get("/graph-store", params={"graph": "https://w3id.org/bomay/graph/nope"}).status_code == 404
    assert http.get("/graph-store").status_code == 400


def test_cors_header_for_configured_origin(http: httpx.Client) -> None:
    r = http.get("/health", headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "https://example.org"
    r = http.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
