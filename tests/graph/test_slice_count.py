"""Paging in SPARQL: `slice_query` composes a page with the query's own top-level LIMIT/OFFSET (never one in
a subquery, comment or string, and before a trailing VALUES), `count_query` counts what the pages add up
to; checked by running both on an engine."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.sparql import count_query, slice_query

ROWS = 23
DATA = "".join(f"<urn:s{i:02d}> <urn:p> {i} .\n" for i in range(ROWS))
QUERIES = [
    "PREFIX p: <urn:> SELECT ?s ?o WHERE { ?s p:p ?o } ORDER BY ?o",
    "SELECT ?s ?o WHERE { ?s <urn:p> ?o FILTER(?o >= 0) } ORDER BY ?o LIMIT 17 OFFSET 3",
    "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?o LIMIT 20 } }\n"
    "ORDER BY ?o # LIMIT 2",
    'SELECT ?s ?o ?t WHERE { ?s <urn:p> ?o BIND("LIMIT 1 OFFSET 1" AS ?t) } ORDER BY ?o',
    "SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?o VALUES ?o { 1 2 3 4 5 6 7 }",
]


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _rows(engine: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(t) for t in sol) for sol in engine.query(query)]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("per_page", [1, 4, 50])
def test_pages_add_up_to_the_whole_answer_and_the_count(engine: ox.Store, query: str, per_page: int) -> None:
    whole = _rows(engine, query)
    assert whole
    pages: list[tuple[str, ...]] = []
    for page in range(len(whole) // per_page + 2):
        pages += _rows(engine, slice_query(query, per_page, page * per_page))
    assert pages == whole
    (total,) = next(iter(engine.query(count_query(query))))
    assert int(total.value) == len(whole)


def test_a_cut_never_lengthens_the_query_own_limit(engine: ox.Store) -> None:
    assert len(_rows(engine, slice_query(QUERIES[1], 100))) == 17
    assert len(_rows(engine, slice_query(QUERIES[1], 5))) == 5
    cut = slice_query("CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s <urn:p> ?o } # end", 6)
    assert len(list(engine.query(cut))) == 6
