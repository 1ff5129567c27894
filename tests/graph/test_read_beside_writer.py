"""`bomay query` beside a running server: a read-only handle opened while the writer flushes and compacts
its files still opens and answers (RocksDB's file list can name a file the writer just removed)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from graph.embedded import EmbeddedStore

WRITER = """
import itertools, sys
import pyoxigraph as ox
st = ox.Store(sys.argv[1])
for i in itertools.count():
    st.extend(ox.Quad(ox.NamedNode(f"urn:s{i}-{j}"), ox.NamedNode("urn:p"), ox.Literal(str(j)))
              for j in range(200))
    st.flush()
    if i % 5 == 0:
        st.optimize()
"""


def test_read_only_opens_succeed_while_another_process_flushes_and_compacts(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = ox.Store(str(path))
    first.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("0")))
    first.flush()
    del first
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
    try:
        time.sleep(1)  # the writer is flushing and compacting by now
        seen = []
        for _ in range(60):
            with EmbeddedStore(path, read_only=True) as store:
                seen.append(store.ask("ASK { <urn:a> <urn:b> ?o }"))
        assert writer.poll() is None, "the writer stopped: nothing was racing"
    finally:
        writer.kill()
        writer.wait()
    assert seen == [True] * 60
