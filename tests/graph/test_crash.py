"""SIGKILL in the middle of an ingest: the embedded store reopens holding the whole document or none of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.terms import IRI

ROOT = Path(__file__).resolve().parents[2]
DOC = "https://w3id.org/bomay/graph/article/crash"

WRITER = r"""
import sys
from rdflib import Graph, Literal, URIRef
from graph.embedded import EmbeddedStore

path, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
g = Graph()
for i in range(n):
    g.add((URIRef(f"https://w3id.org/bomay/id/x/{i}"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
           Literal(f"{tag} {i} – Văn phòng Huyện ủy", lang="vi")))
store = EmbeddedStore(path)
print("WRITING", flush=True)
store.replace_graph(sys.argv[4], g)
print("DONE", flush=True)
store.close()
"""


def write(path: Path, n: int, tag: str, kill_after: float | None) -> str:
    """Run the writer in a subprocess; SIGKILL it `kill_after` seconds after it starts writing."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n), tag, DOC], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "WRITING"
    if kill_after is None:
        proc.wait(timeout=600)
        return "finished"
    time.sleep(kill_after)
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return "finished" if finished else "killed"


def contents(path: Path) -> tuple[int, set[str]]:
    store = EmbeddedStore(path)
    try:
        rows = store.select("SELECT ?l WHERE { GRAPH ?g { ?s ?p ?l } }", g=IRI(DOC))
        return len(rows), {r["l"].split(" ", 1)[0] for r in rows}
    finally:
        store.close()


@pytest.mark.parametrize("kill_after", [0.05, 0.3, 1.0])
def test_killed_first_ingest_leaves_all_or_nothing(tmp_path, kill_after):
    n = 40_000
    write(tmp_path / "store", n, "new", kill_after)
    count, tags = contents(tmp_path / "store")
    assert (count, tags) in ((0, set()), (n, {"new"}))


@pytest.mark.parametrize("kill_after", [0.05, 0.3, 1.0])
def test_killed_replacement_leaves_the_old_or_the_new_version(tmp_path, kill_after):
    old, new = 1_000, 40_000
    assert write(tmp_path / "store", old, "old", None) == "finished"
    write(tmp_path / "store", new, "new", kill_after)
    count, tags = contents(tmp_path / "store")
    assert (count, tags) in ((old, {"old"}), (new, {"new"}))
