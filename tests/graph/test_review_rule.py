"""The one rule of the default graph with reviews: a triple is in it iff some named graph holds it and no
review graph retracts it from that graph. Checked on the on-disk store (each write in one update) and on a
query worker's default-graph replica (api.worker.apply_sync, fed by EmbeddedStore.default_changes), which
must agree after every write, and with rebuild_union."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef

from api import worker
from graph.embedded import EmbeddedStore
from graph.store import RETRACTED_FROM, Store, paired_graphs
from ontology.namespaces import GRAPH

A, B, R = str(GRAPH["article/t1"]), str(GRAPH["article/t2"]), str(GRAPH["review/t1"])
X, P = URIRef("urn:test:x"), URIRef("urn:test:p")


def graph(*values: int, retract: tuple[int, ...] = ()) -> Graph:
    g = Graph()
    for v in values:
        g.add((X, P, Literal(v)))
    for v in retract:
        st = URIRef(f"urn:test:st{v}")
        g.add((st, RDF.subject, X))
        g.add((st, RDF.predicate, P))
        g.add((st, RDF.object, Literal(v)))
        g.add((st, URIRef(RETRACTED_FROM), URIRef(A)))
    return g


def default(store: ox.Store) -> set:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def values(triples: set) -> list[int]:
    return sorted(int(t.object.value) for t in triples if t.subject == ox.NamedNode(str(X)))


def test_store_and_replica_keep_the_reviewed_view(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graph(A, graph(1, 2))
    store.replace_graph(B, graph(2))
    store.checkpoint(tmp_path / "checkpoint")
    merged = worker._load(str(tmp_path / "checkpoint"))
    written = {iri: store.graph_ntriples(iri) for iri in (A, B, R)}  # as the replica last heard

    def synced(*iris: str) -> list[int]:
        after = {iri: store.graph_ntriples(iri) for iri in iris}
        present, absent = store.default_changes({iri: written[iri] for iri in iris}, after)
        worker.apply_sync(merged, {"kind": "sync", "present": present, "absent": absent})
        written.update(after)
        on_disk = default(store._store)
        assert {q.triple for q in merged} == on_disk
        return values(on_disk)

    assert synced() == [1, 2]
    store.replace_graph(R, graph(3, retract=(1,)))  # a review retracts 1 from the article, asserts 3
    assert synced(R) == [2, 3]
    store.replace_graph(A, graph(1))  # re-extracted: still retracted
    assert synced(A) == [2, 3]
    store.replace_graphs({A: graph(1, 2), R: graph(retract=(2,))})  # 2 retracted from A, still held by B
    assert synced(A, R) == [1, 2]
    store.drop_graph(B)  # now only A holds 2, and a review retracts it there
    assert synced(B) == [1]
    before = default(store._store)
    store.rebuild_union()
    assert default(store._store) == before
    store.drop_graph(R)  # without the review, the extraction is the view again
    assert synced(R) == [1, 2]
    # the extraction alone is still there, as written
    assert sorted(int(r["o"]) for r in store.select(f"SELECT ?o {{ GRAPH <{A}> {{ ?s ?p ?o }} }}")) == [1, 2]


def test_a_review_graph_pairs_with_its_article_graph() -> None:
    assert paired_graphs(R) == [R, A] and paired_graphs(A) == [A]


def test_every_store_kind_keeps_the_reviewed_view(store: Store) -> None:
    """The same writes on the embedded store and on a SPARQL server (Virtuoso, through its Graph Store:
    the union graph gets a written graph whole, then loses what reviews retract from it)."""

    def view() -> list[int]:
        return sorted(int(r["o"]) for r in store.select(f"SELECT ?o WHERE {{ <{X}> <{P}> ?o }}"))

    store.replace_graph(A, graph(1, 2))
    store.replace_graph(B, graph(2))
    assert view() == [1, 2]
    store.replace_graph(R, graph(3, retract=(1,)))  # a review retracts 1 from the article, asserts 3
    assert view() == [2, 3]
    store.replace_graph(A, graph(1, 2, 4))  # re-extracted with the review in place: 1 stays retracted
    assert view() == [2, 3, 4]
    store.replace_graph(R, graph(retract=(1, 2)))  # 2 retracted from A, still held by B
    assert view() == [2, 4]
    store.drop_graph(B)  # now only A holds 2, and a review retracts it there
    assert view() == [4]
    store.rebuild_union()
    assert view() == [4]
    store.drop_graph(R)  # without the review, the extraction is the view again
    assert view() == [1, 2, 4]
