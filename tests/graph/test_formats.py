"""Choosing an answer format: the one table and the one negotiation every store, worker and route uses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.formats import GRAPH_FORMATS, RESULT_FORMATS, NotAcceptable, by_media, negotiate, parse_accept


@pytest.mark.parametrize("accept,kind,key", [
    ("text/csv;q=0.5, text/tab-separated-values", "results", "tsv"),
    ("application/xml;q=0.9, */*;q=0.8", "results", "xml"),
    ("application/ld+json", "graph", "jsonld"),
    ("text/turtle;q=0, application/n-triples", "graph", "ntriples"),
    (None, "graph", "turtle"),
    (None, "results", "json"),
    ("", "results", "json"),
    ("*/*", "graph", "turtle"),
    ("text/*", "results", "csv"),
    ("application/json", "results", "json"),
    ("application/json", "graph", "jsonld"),
    ("text/plain", "graph", "ntriples"),
    ("text/n3", "graph", "turtle"),
    ("application/sparql-results+json;q=0.2, application/sparql-results+xml;q=0.8", "results", "xml"),
    # a more specific range outranks a wildcard with a higher q
    ("text/csv;q=0.3, */*;q=1", "results", "json"),
    ("text/csv;q=0.3, text/*;q=0.1", "results", "csv"),
])
def test_the_accept_header_picks_by_weight_then_specificity_then_order(accept, kind, key):
    assert negotiate(accept, kind).key == key


@pytest.mark.parametrize("given,kind,key", [
    ("json", "results", "json"),
    ("srx", "results", "xml"),
    ("text", "results", "tsv"),
    ("application/sparql-results+xml", "results", "xml"),
    ("ttl", "graph", "turtle"),
    ("n3", "graph", "turtle"),
    ("xml", "graph", "rdfxml"),  # SPARQLWrapper's XML for a CONSTRUCT
    ("json", "graph", "jsonld"),
    ("nq", "graph", "nquads"),
    ("text/turtle; charset=utf-8", "graph", "turtle"),
    (["bogus", "csv"], "results", "csv"),  # an unknown name never hides a known one after it
    ("bogus,tsv", "results", "tsv"),  # comma lists are alternatives too
])
def test_format_names_win_over_the_accept_header(given, kind, key):
    assert negotiate("application/sparql-results+json", kind, given).key == key


def test_an_unknown_name_leaves_the_choice_to_the_accept_header():
    assert negotiate("text/csv", "results", "no-such-format").key == "csv"


def test_nothing_acceptable_says_what_is_offered_in_both_languages():
    with pytest.raises(NotAcceptable) as e:
        negotiate("image/png", "results")
    assert "application/sparql-results+json" in str(e.value) and "Not acceptable" in str(e.value)
    with pytest.raises(NotAcceptable) as e:
        negotiate("image/png", "graph", "png")
    assert "'png' không hỗ trợ" in str(e.value)
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle;q=0, application/*;q=0", "graph")


def test_each_format_is_pyoxigraphs_own_with_its_media_type_and_extension():
    turtle, csv, nquads = GRAPH_FORMATS["turtle"], RESULT_FORMATS["csv"], GRAPH_FORMATS["nquads"]
    assert turtle.ox is ox.RdfFormat.TURTLE and turtle.extension == "ttl"
    assert turtle.content_type == "text/turtle; charset=utf-8"
    assert csv.media == "text/csv" and csv.content_type == "text/csv; charset=utf-8"
    assert GRAPH_FORMATS["jsonld"].content_type == "application/ld+json"
    assert nquads.datasets and GRAPH_FORMATS["trig"].datasets
    assert not GRAPH_FORMATS["jsonld"].datasets  # a JSON-LD export is the reviewed default graph
    assert GRAPH_FORMATS["rdfxml"].iri == "http://www.w3.org/ns/formats/RDF_XML"
    assert GRAPH_FORMATS["jsonld"].iri == "http://www.w3.org/ns/formats/JSON-LD"
    assert RESULT_FORMATS["json"].iri == "http://www.w3.org/ns/formats/SPARQL_Results_JSON"


def test_media_types_and_their_other_names_find_their_format():
    assert by_media("application/x-turtle", "graph") is GRAPH_FORMATS["turtle"]
    assert by_media("Text/Plain", "graph") is GRAPH_FORMATS["ntriples"]
    assert by_media("image/png", "graph") is None


def test_malformed_accept_parts_are_skipped_and_q_is_clamped():
    assert parse_accept("garbage, text/csv;q=7, text/tsv;q=x") == [("text/csv", 1.0, 1), ("text/tsv", 0.0, 2)]
    assert parse_accept(" ") == [("*/*", 1.0, 0)]
