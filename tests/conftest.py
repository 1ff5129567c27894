"""Shared fixtures: a real Virtuoso server for the session, and stores of both kinds.

`store` is parametrised over the embedded Oxigraph store and the remote store talking to Virtuoso, so every
test that takes it runs on both. `mini_store` is the same with the hand-written miniature of the seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from bench.virtuoso import VIRTUOSO, Virtuoso
from graph.embedded import EmbeddedStore
from graph.remote import RemoteStore
from graph.store import Store

DATA = Path(__file__).parent / "graph" / "data"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One Virtuoso for the whole run, on free loopback ports, with its own database."""
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t not installed (.ci/run installs virtuoso-opensource)")
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    yield server
    server.stop()


def remote_store(server: Virtuoso) -> RemoteStore:
    """A RemoteStore on `server` with every graph of ours dropped (tests share the server)."""
    store = RemoteStore(
        server.sparql_url, update_url=server.update_url, gsp_url=server.gsp_url, gsp_param="graph-uri",
        user=server.user, password=server.password, auth_scheme="digest",
    )
    store.drop_all()
    return store


@pytest.fixture(params=["embedded", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind (no ontology graph: tests that need it load it)."""
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path / "store")
    else:
        s = remote_store(request.getfixturevalue("virtuoso"))
    yield s
    s.close()


def load_trig(store: Store, path: Path) -> dict[str, int]:
    """Write each named graph of a TriG file with replace_graph; returns the triple counts."""
    ds = Dataset()
    ds.parse(path, format="trig")
    counts = {}
    for g in ds.graphs():
        if len(g):
            counts[str(g.identifier)] = store.replace_graph(str(g.identifier), g)
    return counts


@pytest.fixture
def mini_store(store: Store) -> Store:
    """`store` holding tests/graph/data/mini.trig (two article graphs)."""
    load_trig(store, DATA / "mini.trig")
    return store


SEEDS = Path(__file__).parent.parent / "examples"
SEED_IDS = ("000_3db7e80d1100efe9", "002_2638025429762e0c")


@pytest.fixture(scope="session")
def gazetteer_graph():
    """The gazetteer graph, built once per run (about 7 s)."""
    from loaders.gazetteer_rdf import gazetteer_graph as build

    return build()


def seed_graphs() -> dict[str, object]:
    """The two seed articles through the article pipeline: their named graphs by IRI."""
    from api.pipeline import article_graph, read_file

    built = [article_graph(a.text, a.doc_id) for a in (read_file(SEEDS / f"{i}.txt") for i in SEED_IDS)]
    return {b.iri: b.graph for b in built}


@pytest.fixture(scope="session", params=["embedded", "virtuoso"])
def seeded_store(request, tmp_path_factory, gazetteer_graph) -> Iterator[Store]:
    """A store of each kind holding the ontology, the gazetteer and the two seeds (read-only use!).

    The Virtuoso one is a server of its own, so that tests emptying the shared server do not touch it.
    Ingest times are recorded on the store as `seed_timings` (reported, never asserted).
    """
    import time

    from graph.ingest import ingest_graph
    from ontology.namespaces import GAZETTEER_GRAPH

    server = None
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path_factory.mktemp("seeded") / "store")
    else:
        if VIRTUOSO is None:
            pytest.skip("virtuoso-t not installed")
        server = Virtuoso(tmp_path_factory.mktemp("virtuoso-seeded")).start()
        s = remote_store(server)
    s.ensure_ontology()
    s.bulk_replace_graph(str(GAZETTEER_GRAPH), gazetteer_graph)
    timings = {}
    for iri, graph in seed_graphs().items():
        t = time.perf_counter()
        report = ingest_graph(s, iri, graph)
        timings[iri] = (time.perf_counter() - t, report)
        assert report.written, report.validation.summary()
    s.seed_timings = timings
    yield s
    s.close()
    if server is not None:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs `--dist loadgroup`) a module's tests stay on one worker, so the
    servers a module starts for its tests start once; a module marked `spread` (each test starts what it
    needs) is shared out test by test."""
    for item in items:
        if item.get_closest_marker("spread") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
