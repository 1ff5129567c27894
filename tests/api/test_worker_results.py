"""The query worker serialises SELECT answers with the engine itself and counts rows without Python
terms: every format must equal the engine's own output, and the row cap must hold exactly, whatever
the literals contain (JSON-like text, line breaks) and however many rows bind nothing."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from api import worker
from graph.formats import RESULT_FORMATS

P = ox.NamedNode("urn:p")
TRICKY = ["plain", "{}", '},{"a":{}}', "line\nbreak\ttab", '"quoted"', "[{}],{}", "", "ü 𝄞"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st = ox.Store()
    for i, text in enumerate(TRICKY * 5):
        st.add(ox.Quad(ox.NamedNode(f"urn:s{i}"), P, ox.Literal(text), ox.DefaultGraph()))
    st.add(ox.Quad(ox.BlankNode("b1"), P, ox.Literal("x", language="vi"), ox.DefaultGraph()))
    return st


QUERIES = [
    "SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s",
    "SELECT ?x WHERE { ?s <urn:p> ?o } ",  # every row binds nothing
    "SELECT ?o ?x WHERE { { ?s <urn:p> ?o } UNION { ?s <urn:p> ?o2 } } ORDER BY ?o",  # half empty rows
    "SELECT * WHERE { }",
    "SELECT ?s WHERE { ?s <urn:nothing> ?o }",
]


def job(query: str, fmt: str, limit: int) -> dict:
    return {"kind": "sparql", "query": query, "result_format": fmt, "limit": limit}


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_format_is_the_engines_own_and_the_cap_is_exact(store: ox.Store, query: str, fmt: str) -> None:
    n = len(list(store.query(query)))
    native = store.query(query).serialize(format=RESULT_FORMATS[fmt].ox)
    body, media = worker.run_job(store, job(query, fmt, n))  # exactly at the cap: allowed
    assert media == {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                     "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}[fmt]
    if fmt == "json":
        assert json.loads(body) == json.loads(native)
    else:
        assert body == native
    if n:
        with pytest.raises(worker.LimitExceeded):
            worker.run_job(store, job(query, fmt, n - 1))


def test_json_counting_is_checked_against_this_engine() -> None:
    assert worker._json_counting_works()


def test_large_answers_stop_at_the_cap_while_serialising() -> None:
    st = ox.Store()
    st.extend(
        ox.Quad(ox.NamedNode(f"urn:s{i}"), P, ox.Literal(str(i)), ox.DefaultGraph()) for i in range(50_000)
    )
    for fmt in ("json", "tsv"):
        sink = worker._JsonRowCap(100) if fmt == "json" else worker._RowCap(100)
        with pytest.raises(worker.LimitExceeded):
            st.query("SELECT ?s ?o { ?s ?p ?o }").serialize(sink, format=RESULT_FORMATS[fmt].ox)
        assert len(b"".join(sink.parts)) < 100_000  # stopped early, not after all 50,000 rows
