"""A read-only handle beside a live writer is undefined behaviour in RocksDB (seen here: opens that fail
as files vanish, and a reader growing without bound): a store another process holds for writing is
refused for reading, with StoreHeld, and opens again once that process has let go."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore, StoreHeld, held_by_writer

WRITER = """
import sys, time
import pyoxigraph as ox
st = ox.Store(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def _one_triple():
    from rdflib import Graph, Literal, URIRef

    g = Graph()
    g.add((URIRef("https://x.org/a"), URIRef("https://x.org/b"), Literal("c")))
    return g


def test_a_store_another_process_writes_is_refused_for_reading_until_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:  # this process's own write handle does not count as another's
        store.replace_graph("https://w3id.org/bomay/graph/article/x", _one_triple())
        assert not held_by_writer(path)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        assert held_by_writer(path)
        with pytest.raises(StoreHeld):
            EmbeddedStore(path, read_only=True)
    finally:
        writer.kill()
        writer.wait()
    deadline = time.monotonic() + 10
    while held_by_writer(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    with EmbeddedStore(path, read_only=True) as store:
        assert store.graphs() == {"https://w3id.org/bomay/graph/article/x": 1}
