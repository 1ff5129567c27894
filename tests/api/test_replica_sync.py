"""A query worker's replica after writes: its default graph stays the set union of the named graphs,
blank nodes included (evidence selectors are blank nodes), in both of the worker's stores."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from api import worker

SNAPSHOT = """\
<urn:m> <urn:label> "model" <urn:a1> .
<urn:e1> <urn:evidence> _:s1 <urn:a1> .
_:s1 <urn:exact> "one" <urn:a1> .
<urn:m> <urn:label> "model" <urn:a2> .
<urn:e2> <urn:evidence> _:s2 <urn:a2> .
_:s2 <urn:exact> "two" <urn:a2> .
"""


def replica(tmp_path: Path) -> tuple[ox.Store, ox.Store]:
    """The two stores a worker builds from a snapshot (api/worker.py main)."""
    path = tmp_path / "snapshot.nq"
    path.write_text(SNAPSHOT, encoding="utf-8")
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    worker.merge_default(store)
    return store, worker.default_only(store)


def default_triples(store: ox.Store) -> list[tuple[str, str, str]]:
    return sorted(
        (q.subject.value if isinstance(q.subject, ox.NamedNode) else "_", q.predicate.value, str(q.object))
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )


def test_the_default_graph_holds_a_shared_triple_once_and_each_blank_node_triple(tmp_path: Path) -> None:
    store, only = replica(tmp_path)
    expected = sorted(
        [
            ("urn:m", "urn:label", '"model"'),
            ("urn:e1", "urn:evidence", "_"),
            ("urn:e2", "urn:evidence", "_"),
            ("_", "urn:exact", '"one"'),
            ("_", "urn:exact", '"two"'),
        ]
    )
    # a blank node object prints as its label: compare on the kind of term only
    assert [(s, p, "_" if o.startswith("_:") else o) for s, p, o in default_triples(store)] == expected
    assert set(only) == set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_dropping_an_article_removes_its_blank_node_triples_from_the_union(tmp_path: Path) -> None:
    store, only = replica(tmp_path)
    worker.apply_sync(store, {"graph": "urn:a1", "data": b""}, only)
    for s in (store, only):
        texts = {str(q.object) for q in s.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert '"one"' not in texts and '"two"' in texts and '"model"' in texts  # shared: still there
        assert len(list(s.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 3
