"""Paged named queries: the resource bound inside the subquery that picks the page, the page set in its
LIMIT/OFFSET, never in a comment or a string that looks like one."""

from __future__ import annotations

import pytest

from graph.sparql import set_slice, subquery_where_brace

PAGED = """# LIMIT 1 OFFSET 2 in a comment { SELECT ?x WHERE {
SELECT ?a ?label {
  { SELECT ?a WHERE { ?a ?p "LIMIT 3 OFFSET 4 { WHERE" } ORDER BY ?a LIMIT 20 OFFSET 0 }
  ?a <urn:label> ?label .
}
"""


def test_the_binding_goes_inside_the_subquery_not_into_a_comment_or_string() -> None:
    at = subquery_where_brace(PAGED)
    assert PAGED[:at].endswith("{ SELECT ?a WHERE {")
    assert PAGED[at:].startswith(' ?a ?p "LIMIT 3')


def test_the_page_replaces_the_subquery_slice_only() -> None:
    text = set_slice(PAGED, 5, 40)
    assert "ORDER BY ?a LIMIT 5 OFFSET 40 }" in text
    assert "# LIMIT 1 OFFSET 2" in text and '"LIMIT 3 OFFSET 4 { WHERE"' in text


@pytest.mark.parametrize("query", ["SELECT ?a { ?a ?p ?o }", "SELECT ?a WHERE { ?a ?p ?o } LIMIT 3"])
def test_a_query_without_a_subquery_has_nowhere_to_bind_a_page(query: str) -> None:
    with pytest.raises(ValueError):
        subquery_where_brace(query)


def test_a_subquery_without_the_where_keyword_is_found() -> None:
    text = "SELECT * { { SELECT (COUNT(*) AS ?n) { ?a ?p ?o } } }"
    assert text[: subquery_where_brace(text)].endswith("AS ?n) {")


def test_a_query_without_limit_and_offset_cannot_be_paged() -> None:
    with pytest.raises(ValueError):
        set_slice("SELECT ?a { { SELECT ?a { ?a ?p ?o } ORDER BY ?a LIMIT 3 } }", 1, 0)


def test_negative_pages_are_refused() -> None:
    with pytest.raises(ValueError):
        set_slice(PAGED, -1, 0)
