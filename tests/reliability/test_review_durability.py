"""SIGKILL during a review write leaves the review fully stored or not at all, and the default graph
exactly what the rule says (the store reopens, and rebuilding the default graph changes nothing)."""

from __future__ import annotations

import queue
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from tests.api.conftest import ROOT, seeded_store  # noqa: F401 — the seeded template store fixture
from tests.reliability.test_durability import Writer

DOC = "000_3db7e80d1100efe9"


class ReviewWriter(Writer):
    """tests/reliability/review_writer.py as a process we start, read and kill by its pid."""

    def __init__(self, store: Path, n: int) -> None:  # noqa: D107 — same pumping as Writer
        args = [sys.executable, "-m", "tests.reliability.review_writer", str(store), str(n)]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()


def test_sigkill_during_review_write(seeded_store: Path, tmp_path: Path) -> None:  # noqa: F811
    from graph import reviews as rv
    from graph.embedded import EmbeddedStore

    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    rng = random.Random(5)
    before = 0
    for cycle in range(3):
        w = ReviewWriter(store, 400)
        seen = w.wait_for("storing ", 3 + cycle)
        assert any(s.startswith("storing ") for s in seen), seen
        time.sleep(rng.uniform(0.0, 0.05))  # inside the one update, often
        w.kill()
        ok = max(int(s.split()[1]) for s in w.drain() if s.startswith("ok "))
        s = EmbeddedStore(store)
        try:
            stored = len(rv.stored(s, DOC))
            assert stored in (before + ok, before + ok + 1), (stored, before, ok)
            default = {q.triple for q in s._store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
            s.rebuild_union()
            rebuilt = {q.triple for q in s._store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
            assert rebuilt == default
        finally:
            s.close()
        before = stored
