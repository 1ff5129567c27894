"""Binding parameters into query text: VALUES land in the right group, values are always escaped."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graph.named import get
from graph.sparql import bind, query_form, values_row, where_brace
from graph.terms import IRI, sparql_term


def test_values_go_into_the_where_group_not_the_construct_template():
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert bind(q, {"s": IRI("https://x.org/a")}) == (
        "CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES ?s { <https://x.org/a> }\n ?s ?p ?o }")


def test_braces_and_where_inside_comments_strings_and_iris_are_ignored():
    q = ('# WHERE { not here\nPREFIX ex: <http://ex.org/{x}>\nSELECT ?s WHERE { ?s ex:p "} WHERE {" '
         "{ SELECT ?s WHERE { ?s ?p ?o } } }")
    at = where_brace(q)
    assert q[:at].endswith('SELECT ?s WHERE {')


def test_select_without_where_keyword_and_subqueries():
    xsd_integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert bind("SELECT * { ?s ?p ?o }", {"o": 3}) == (
        f'SELECT * {{\n  VALUES ?o {{ "3"^^{xsd_integer} }}\n ?s ?p ?o }}')


@pytest.mark.parametrize("value,term", [
    ('a "quoted"\nline \\ end', '"a \\"quoted\\"\\nline \\\\ end"'),
    (Literal("Hà Nội", lang="vi"), '"Hà Nội"@vi'),
    (URIRef("https://w3id.org/bomay/id/unit/2023/27"), "<https://w3id.org/bomay/id/unit/2023/27>"),
    (True, '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
])
def test_terms_are_escaped(value, term):
    assert sparql_term(value) == term


@pytest.mark.parametrize("bad", ["https://x.org/a> } DROP ALL { <b", "no-scheme", "https://x.org/a b"])
def test_bad_iris_are_refused(bad):
    with pytest.raises(ValueError):
        sparql_term(IRI(bad))


def test_bad_variable_names_are_refused():
    with pytest.raises(ValueError):
        bind("SELECT * { ?s ?p ?o }", {"s } DROP ALL": 1})


def test_query_forms():
    assert query_form("PREFIX a: <http://a/> SELECT * { ?s ?p ?o }") == "SELECT"
    assert query_form("# SELECT\nDROP ALL") == "UPDATE"
    assert query_form(get("subgraph").text) == "CONSTRUCT"




def test_a_values_row_binds_every_variable_in_one_row_with_each_term_escaped():
    row = values_row({"place": IRI("https://w3id.org/bomay/id/unit/2023/27"), "q": 'Bắc "Ninh"', "n": 3})
    assert row == ('\n  VALUES (?place ?q ?n) { (<https://w3id.org/bomay/id/unit/2023/27> "Bắc \\"Ninh\\"" '
                   '"3"^^<http://www.w3.org/2001/XMLSchema#integer>) }\n')
    assert values_row({}) == ""
    with pytest.raises(ValueError):
        values_row({"bad name": "x"})
    with pytest.raises(ValueError):
        values_row({"place": IRI("not an iri> }")})
