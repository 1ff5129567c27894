"""Shared fixtures: a real Virtuoso server for the session, and stores of both kinds.

`store` is parametrised over the embedded Oxigraph store and the remote store talking to Virtuoso, so every
test that takes it runs on both. `mini_store` is the same with the hand-written miniature of the seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from graph.embedded import EmbeddedStore
from graph.remote import RemoteStore
from graph.store import Store
from tests.graph.virtuoso import VIRTUOSO, VirtuosoServer

DATA = Path(__file__).parent / "graph" / "data"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the whole run, on free loopback ports, with its own database."""
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t not installed (.ci/run installs virtuoso-opensource)")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    yield server
    server.stop()


def remote_store(server: VirtuosoServer) -> RemoteStore:
    """A RemoteStore on `server` with every graph of ours dropped (tests share the server)."""
    store = RemoteStore(
        server.sparql_url, update_url=server.update_url, gsp_url=server.gsp_url, gsp_param="graph-uri",
        user=server.user, password=server.password, auth_scheme="digest",
    )
    for iri in store.graphs():
        store.drop_graph(iri)
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
