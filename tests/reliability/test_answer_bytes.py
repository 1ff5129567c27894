"""Answers are bounded in bytes as well as in rows: one row can be hundreds of megabytes
(GROUP_CONCAT of every literal), so the worker stops writing past BOMAY_MAX_ANSWER_BYTES and the
server answers 422 with the limit; nothing that large crosses the worker's pipe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.conftest import Server, fresh_server, stop_server

LIMIT = 200_000
# One row: every literal of the store concatenated, doubled (the seeds' gazetteer alone is megabytes).
ONE_HUGE_ROW = ("SELECT (CONCAT(?all, ?all) AS ?x) WHERE { "
                "{ SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } } }")
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def small(seeded_store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = fresh_server(seeded_store, tmp_path_factory.mktemp("bytes"), BOMAY_MAX_ANSWER_BYTES=str(LIMIT))
    yield srv
    stop_server(srv)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml", "text/tab-separated-values"])
def test_one_row_longer_than_the_byte_limit_is_refused_in_every_format(small: Server, accept: str) -> None:
    with small.client() as c:
        r = c.get("/sparql", params={"query": ONE_HUGE_ROW}, headers={"Accept": accept})
    assert r.status_code == 422, (r.status_code, r.text[:200])
    assert r.json()["error"] == "answer_too_large"
    assert "MiB" in r.json()["message"]


def test_a_graph_answer_and_a_whole_export_past_the_byte_limit_are_refused(small: Server) -> None:
    with small.client() as c:
        construct = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 15000"},
                          headers={"Accept": "application/n-triples"})
        dump = c.get("/export/nquads")
    assert construct.status_code == 422 and construct.json()["error"] == "answer_too_large"
    assert dump.status_code == 422 and dump.json()["error"] == "answer_too_large"


def test_answers_under_the_byte_limit_are_unchanged(small: Server) -> None:
    with small.client() as c:
        ok = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"}, headers=JSON)
        rest = c.get("/api/mergers")
        health = c.get("/health").json()
    assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 50
    assert rest.status_code == 200 and rest.json()["items"]
    assert health["worker_restarts"] == 0  # refusing an answer is not a crash
