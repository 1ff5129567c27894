"""A SPARQL parse error for an undeclared prefix names the prefix (and the declaration to add), instead
of the engine's list of the characters a name may hold."""

from __future__ import annotations

import httpx


def test_an_undeclared_prefix_is_named(http: httpx.Client) -> None:
    query = "PREFIX zz: <https://example.org/zz#> SELECT * WHERE { ?s skos:prefLabel ?o ; zz:p ?x }"
    r = http.get("/sparql", params={"query": query})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "syntax_error"
    assert "'skos:'" in body["message"] and "'zz:'" not in body["message"]
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in body["message"]
    assert len(body["message"]) < 200 and "\\u{" not in body["message"]


def test_a_prefix_nobody_knows_gets_a_placeholder(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s qq:p ?o }"})
    assert r.status_code == 400 and "PREFIX qq: <...>" in r.json()["message"]


def test_other_syntax_errors_keep_the_parser_message(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400 and "error at 1:" in r.json()["message"]
