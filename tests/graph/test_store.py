"""The store contract, on the embedded store and on a real Virtuoso alike."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.store import NotAcceptable, QueryError
from graph.terms import IRI
from ontology.namespaces import article_graph

A = str(article_graph("000_3db7e80d1100efe9"))
B = str(article_graph("002_2638025429762e0c"))
MODEL = "https://w3id.org/bomay/id/model/merger/district/van-phong-huyen-uy-hdnd-ubnd"


def test_the_named_graphs_and_their_counts_are_listed(mini_store):
    assert mini_store.graphs() == {A: 91, B: 117}
    assert mini_store.article_graphs() == {A: 91, B: 117}


def test_the_default_graph_is_the_union_of_the_named_graphs(mini_store):
    rows = mini_store.select(
        "SELECT (COUNT(DISTINCT ?app) AS ?n) WHERE { ?app <https://w3id.org/bomay/ontology#model> ?m }"
    )
    assert rows == [{"n": 6}]


def test_replacing_a_graph_is_idempotent(mini_store):
    g = mini_store.get_graph(A)
    assert mini_store.replace_graph(A, g) == 91
    assert mini_store.replace_graph(A, g) == 91
    assert mini_store.graphs()[A] == 91


def test_replacing_a_graph_swaps_its_content(mini_store):
    g = Graph()
    g.add((URIRef("https://w3id.org/bomay/id/x"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
           Literal("mới", lang="vi")))
    mini_store.replace_graph(A, g)
    assert mini_store.graphs() == {A: 1, B: 117}
    assert isomorphic(mini_store.get_graph(A), g)


def test_dropping_an_article_keeps_the_shared_model_of_the_other(mini_store):
    assert mini_store.drop_graph(A) is True
    assert mini_store.drop_graph(A) is False
    assert mini_store.graphs() == {B: 117}
    labels = mini_store.select(
        "SELECT ?l WHERE { ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l }", m=IRI(MODEL)
    )
    assert labels == [{"l": "Văn phòng Huyện ủy – HĐND – UBND"}]


def test_blank_nodes_of_two_graphs_never_merge(store):
    text = "_:s <http://ex.org/p> \"{v}\" ."
    for i, iri in enumerate(("https://w3id.org/bomay/graph/t/1", "https://w3id.org/bomay/graph/t/2")):
        g = Graph()
        g.parse(data=text.format(v=i), format="nt")
        store.replace_graph(iri, g)
    rows = store.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://ex.org/p> ?o }")
    assert rows == [{"n": 2}]


def test_round_trip_keeps_vietnamese_text_quotes_and_newlines(store):
    tricky = 'Văn phòng "HĐND – UBND"\nhuyện Thuận Thành \\ uỷ'
    g = Graph()
    g.add((URIRef("https://w3id.org/bomay/id/x"), URIRef("http://ex.org/p"), Literal(tricky, lang="vi")))
    store.replace_graph("https://w3id.org/bomay/graph/t", g)
    assert isomorphic(store.get_graph("https://w3id.org/bomay/graph/t"), g)


def test_a_parameter_is_bound_as_data_never_as_query_text(mini_store):
    hostile = '"} } DROP ALL ; SELECT * WHERE { ?s ?p "'
    rows = mini_store.select(
        "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", l=hostile
    )
    assert rows == []
    assert len(mini_store.graphs()) == 2
    with pytest.raises(ValueError):
        mini_store.select("SELECT ?s WHERE { ?s ?p ?o }", s=IRI("http://x> } ; DROP ALL ; <y"))


def test_select_binds_several_values(mini_store):
    rows = mini_store.select(
        "SELECT ?u ?l WHERE { ?u <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l",
        u=[IRI("https://w3id.org/bomay/id/unit/2023/293"), IRI("https://w3id.org/bomay/id/unit/2023/296")],
    )
    assert [r["l"] for r in rows] == ["huyện Bình Giang", "huyện Kim Thành"]


def test_typed_values_come_back_as_python_values(mini_store):
    rows = mini_store.select(
        "SELECT ?start WHERE { ?sel <http://www.w3.org/ns/oa#start> ?start } ORDER BY ?start"
    )
    assert [r["start"] for r in rows] == [0, 0, 70, 99]


def test_ask_and_construct(mini_store):
    assert mini_store.ask("ASK { ?m a <https://w3id.org/bomay/ontology#MergerModel> }")
    g = mini_store.construct(
        "CONSTRUCT { ?m ?p ?o } WHERE { ?m ?p ?o }", m=IRI(MODEL)
    )
    assert (URIRef(MODEL), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Văn phòng Huyện ủy – HĐND – UBND", lang="vi")) in g


@pytest.mark.parametrize(
    "accept,media",
    [
        (None, "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "text/csv"),
    ],
)
def test_run_serialises_select_results_as_asked(mini_store, accept, media):
    body, got = mini_store.run(
        "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/bomay/ontology#Province> } }", accept)
    assert got.startswith(media)
    assert b"article/000_3db7e80d1100efe9" in body


def test_run_json_has_standard_shape(mini_store):
    body, _ = mini_store.run("SELECT ?u WHERE { ?u a <https://w3id.org/bomay/ontology#Province> }",
                             "application/sparql-results+json")
    data = json.loads(body)
    assert sorted(b["u"]["value"] for b in data["results"]["bindings"]) == [
        "https://w3id.org/bomay/id/unit/2023/27", "https://w3id.org/bomay/id/unit/2023/30"]


def test_run_construct_in_turtle_parses_back(mini_store):
    body, media = mini_store.run(
        "CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/bomay/ontology#Province> ; ?p ?o }",
        "text/turtle")
    assert media.startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    assert len(g) == 12  # two provinces, six statements each


def test_run_honours_default_graph_uris(mini_store):
    body, _ = mini_store.run("SELECT ?u WHERE { ?u a <https://w3id.org/bomay/ontology#Province> }",
                             "application/sparql-results+json", default_graph_uris=[B])
    values = [b["u"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert values == ["https://w3id.org/bomay/id/unit/2023/30"]


def test_a_malformed_query_is_a_query_error(mini_store):
    with pytest.raises(QueryError):
        mini_store.run("SELECT ?x WHERE { ?x ", "application/sparql-results+json")


def test_an_unacceptable_format_is_refused(mini_store):
    with pytest.raises(NotAcceptable):
        mini_store.run("SELECT ?x WHERE { ?x ?p ?o }", "image/png")


def test_open_store_loads_the_ontology_once_into_its_graph(tmp_path):
    import ontology
    from graph.store import open_store
    from ontology.namespaces import ONTOLOGY_GRAPH

    with open_store(tmp_path / "s") as s:
        assert s.graphs() == {str(ONTOLOGY_GRAPH): len(ontology.load())}
        assert s.describe()["union_default_graph"] is True
        assert s.ensure_ontology() is False  # already there, unchanged
    with open_store(tmp_path / "s", read_only=True) as r:
        assert r.count(str(ONTOLOGY_GRAPH)) == len(ontology.load())


def test_open_store_reaches_a_sparql_server_from_the_environment(virtuoso, monkeypatch):
    from graph.remote import RemoteStore
    from graph.store import open_store
    from ontology.namespaces import ONTOLOGY_GRAPH

    for key, value in virtuoso.env().items():
        monkeypatch.setenv(key, value)
    with open_store() as s:
        assert isinstance(s, RemoteStore)
        assert str(ONTOLOGY_GRAPH) in s.graphs()
        s.drop_graph(str(ONTOLOGY_GRAPH))


def test_a_second_writer_is_refused_while_readers_may_open(tmp_path):
    from graph.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "s") as writer:
        writer.update("INSERT DATA { GRAPH <https://w3id.org/bomay/graph/t> "
                      "{ <https://x.org/a> <https://x.org/p> 1 } }")
    with EmbeddedStore(tmp_path / "s") as writer:
        with pytest.raises(OSError):
            EmbeddedStore(tmp_path / "s")
        reader = EmbeddedStore(tmp_path / "s", read_only=True)
        assert reader.graphs() == {"https://w3id.org/bomay/graph/t": 1}
        reader.close()
        assert writer.has_graph("https://w3id.org/bomay/graph/t")


def test_a_long_query_with_many_values_and_dataset_parameters(mini_store):
    units = [IRI(f"https://w3id.org/bomay/id/unit/2023/{n}") for n in range(1, 400)]
    query = "SELECT ?u WHERE { ?u a <https://w3id.org/bomay/ontology#District> } ORDER BY ?u"
    rows = mini_store.select(query, u=units)
    assert [r["u"].rsplit("/", 1)[1] for r in rows] == ["262", "293", "295", "296"]
    long_query = "SELECT ?u WHERE { ?u a <https://w3id.org/bomay/ontology#Province> } #" + "x" * 5000
    body, _ = mini_store.run(long_query, "application/sparql-results+json", default_graph_uris=[A])
    assert [b["u"]["value"] for b in json.loads(body)["results"]["bindings"]] == [
        "https://w3id.org/bomay/id/unit/2023/27"]
