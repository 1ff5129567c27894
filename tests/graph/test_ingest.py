"""Ingest: validate with SHACL before writing, replace a document's graph whole, delete only that graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from graph.ingest import delete_document, ingest_graph, validate_store
from graph.validation import validate_graph
from ontology.namespaces import BOMAY
from tests.conftest import seed_graphs


@pytest.fixture(scope="module")
def seeds() -> dict[str, Graph]:
    return seed_graphs()


def without_status(graph: Graph) -> tuple[Graph, URIRef]:
    """A copy of `graph` where one status event has lost its status."""
    broken = Graph()
    for t in graph:
        broken.add(t)
    event, _, status = sorted(graph.triples((None, BOMAY.status, None)))[0]
    broken.remove((event, BOMAY.status, status))
    return broken, event


def test_the_extracted_seeds_conform_to_the_shapes(seeds):
    for graph in seeds.values():
        report = validate_graph(graph)
        assert report.conforms, report.summary()
        assert report.skipped is None


def test_an_event_without_status_is_rejected_and_nothing_is_written(store, seeds):
    iri, graph = next(iter(seeds.items()))
    broken, event = without_status(graph)
    report = ingest_graph(store, iri, broken)
    assert not report.written
    assert not report.validation.conforms
    assert any(r["focus"] == str(event) and r["path"] == str(BOMAY.status) for r in report.validation.results)
    assert "REJECTED" in report.line()
    assert store.graphs() == {}


def test_a_rejected_update_leaves_the_previous_version_in_place(store, seeds):
    iri, graph = next(iter(seeds.items()))
    assert ingest_graph(store, iri, graph).written
    broken, _ = without_status(graph)
    assert not ingest_graph(store, iri, broken).written
    assert store.graphs()[iri] == len(graph)


def test_re_ingesting_a_seed_is_idempotent(store, seeds):
    iri, graph = next(iter(seeds.items()))
    first = ingest_graph(store, iri, graph)
    second = ingest_graph(store, iri, graph)
    assert (first.written, first.replaced) == (True, False)
    assert (second.written, second.replaced) == (True, True)
    assert store.graphs() == {iri: len(graph)}


def test_deleting_one_article_leaves_the_other_and_the_shared_model(store, seeds):
    (a, ga), (b, gb) = seeds.items()
    ingest_graph(store, a, ga)
    ingest_graph(store, b, gb)
    shared = ("ASK { ?m a <https://w3id.org/bomay/ontology#MergerModel> ; "
              "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert delete_document(store, a) is True
    assert store.graphs() == {b: len(gb)}
    assert store.ask(shared)
    assert delete_document(store, a) is False


def test_validate_store_checks_every_article_graph(store, seeds):
    for iri, graph in seeds.items():
        ingest_graph(store, iri, graph)
    reports = validate_store(store)
    assert set(reports) == set(seeds)
    assert all(r.conforms for r in reports.values())
