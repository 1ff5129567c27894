"""A query worker's replica holds the store's default graph alone and follows each write from what the
writer says the write moved (EmbeddedStore.default_changes), blank nodes included (evidence selectors are
blank nodes): after every write it equals the store's default graph, the set union of the named graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from api import worker
from graph.embedded import EmbeddedStore

A1, A2 = "urn:test:a1", "urn:test:a2"


def article(event: str, quote: str) -> bytes:
    """A small article graph: a model label both articles share, and one event with a blank-node quote."""
    return (f'<urn:test:m> <urn:test:label> "model" .\n'
            f'<urn:test:{event}> <urn:test:evidence> _:q{event} .\n'
            f'_:q{event} <urn:test:exact> "{quote}" .\n').encode()


def default_of(store: ox.Store) -> set[tuple[str, str, str]]:
    """The default graph with blank nodes as "_" (their labels are the store's own)."""
    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        return "_" if isinstance(t, ox.BlankNode) else str(t)
    return {(term(q.subject), term(q.predicate), term(q.object))
            for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def write(store: EmbeddedStore, replica: ox.Store, iri: str, body: bytes | None) -> None:
    """Replace (or drop, for None) one graph, then sync the replica as the pool does."""
    before = {iri: store.graph_ntriples(iri)}
    if body is None:
        store.drop_graph(iri)
    else:
        store.replace_many({iri: body})
    present, absent = store.default_changes(before, {iri: store.graph_ntriples(iri)})
    worker.apply_sync(replica, {"kind": "sync", "present": present, "absent": absent})


def test_the_replica_loaded_from_a_checkpoint_is_the_default_graph_alone(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_many({A1: article("e1", "one"), A2: article("e2", "two")})
    store.checkpoint(tmp_path / "checkpoint")
    replica = worker._load(str(tmp_path / "checkpoint"))
    assert list(replica.named_graphs()) == []
    assert default_of(replica) == default_of(store._store)
    assert len(replica) == 5  # the shared label once, two events, two quotes


def test_a_replica_follows_replaced_and_dropped_articles_with_their_blank_nodes(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_many({A1: article("e1", "one"), A2: article("e2", "two")})
    store.checkpoint(tmp_path / "checkpoint")
    replica = worker._load(str(tmp_path / "checkpoint"))

    write(store, replica, A1, article("e1", "one, reworded"))
    assert default_of(replica) == default_of(store._store)
    assert ("_", "<urn:test:exact>", '"one"') not in default_of(replica)

    write(store, replica, A1, None)
    texts = {o for _, _, o in default_of(replica)}
    assert '"model"' in texts and '"two"' in texts  # the shared label stays: the other article holds it
    assert not any("one" in t for t in texts)
    assert default_of(replica) == default_of(store._store)
    assert len(replica) == 3

    write(store, replica, A2, None)
    assert len(replica) == 0 == len(list(store._store.quads_for_pattern(None, None, None, ox.DefaultGraph())))


def test_replaying_a_write_the_replica_already_holds_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_many({A1: article("e1", "one")})
    before = {A1: store.graph_ntriples(A1)}
    store.replace_many({A1: article("e1", "two")})
    present, absent = store.default_changes(before, {A1: store.graph_ntriples(A1)})
    store.checkpoint(tmp_path / "checkpoint")  # taken after the write, as a refresh may be
    replica = worker._load(str(tmp_path / "checkpoint"))
    worker.apply_sync(replica, {"kind": "sync", "present": present, "absent": absent})
    assert default_of(replica) == default_of(store._store)
