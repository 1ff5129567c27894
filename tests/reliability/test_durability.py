"""Durability: SIGKILL during ingest, replace or delete leaves the store openable and each document whole
or absent; two writers do not corrupt anything; readers during writes see whole graphs only.

Writers are real processes (tests/reliability/writer.py, or HTTP clients of a real server); kills are
SIGKILL sent to the process we started, by its pid.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from ontology.namespaces import article_graph
from tests.api.conftest import ROOT, stop_server
from tests.reliability.conftest import AUTH, graph_counts, seed_text, start_app
from tests.reliability.writer import expected_count

pytestmark = pytest.mark.spread  # each test runs its own servers and writers

PAD = 20_000


class Writer:
    """A writer subprocess whose stdout lines are collected by a thread (reads never block the test)."""

    def __init__(self, store: Path, *args: object) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.writer", str(store), *map(str, args)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("<eof>")

    def wait_for(self, prefix: str, n: int, timeout: float = 120) -> list[str]:
        """Lines until `n` lines starting with `prefix` were seen (or EOF, or the deadline)."""
        deadline = time.monotonic() + timeout
        while sum(1 for s in self.seen if s.startswith(prefix)) < n and time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line == "<eof>":
                break
            self.seen.append(line)
        return self.seen

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self, timeout: float = 180) -> int:
        self.wait_for("done", 1, timeout)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def drain(self) -> list[str]:
        while True:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                return self.seen
            if line == "<eof>":
                return self.seen
            self.seen.append(line)

    def done(self, word: str) -> set[str]:
        return {s.split()[1] for s in self.drain() if s.startswith(word + " ")}


def reopen_counts(store: Path) -> dict[str, int]:
    """Open the store read-write (it must open after a crash) and count the triples of each graph."""
    from graph.embedded import EmbeddedStore

    s = EmbeddedStore(store)
    try:
        return s.graphs()
    finally:
        s.close()


def doc_count(counts: dict[str, int], doc: str) -> int:
    return counts.get(str(article_graph(doc)), 0)


@pytest.fixture(scope="module")
def whole() -> dict[tuple[int, int], int]:
    """Triple count of a whole padded article graph per (seed, pad)."""
    return {(seed, pad): expected_count(seed, pad) for seed in (0, 1) for pad in (0, PAD, PAD // 2, PAD * 2)}


def test_sigkill_during_ingest_leaves_each_document_whole_or_absent(tmp_path: Path, whole) -> None:
    store = tmp_path / "store"
    rng = random.Random(7)
    for cycle in range(2):
        prefix = f"kill{cycle}"
        w = Writer(store, "ingest", prefix, 40, PAD)
        w.wait_for("writing ", 2 + cycle % 2)
        time.sleep(rng.uniform(0.05, 0.6))  # inside the write of that document, most of the time
        w.kill()
        committed = w.done("ok")
        assert committed, w.seen
        counts = reopen_counts(store)
        for i in range(40):
            doc = f"{prefix}_{i:03d}"
            n = doc_count(counts, doc)
            assert n in (0, whole[(i % 2, PAD)]), (doc, n, "partial document after SIGKILL")
            if doc in committed:
                assert n == whole[(i % 2, PAD)], (doc, "committed write lost")


def test_sigkill_during_replace_leaves_the_old_or_the_new_graph(tmp_path: Path, whole) -> None:
    store = tmp_path / "store"
    first = Writer(store, "replace", "relrep", 1, PAD // 2, PAD // 2)
    assert first.finish() == 0
    allowed = {whole[(0, PAD // 2)], whole[(0, PAD * 2)]}
    rng = random.Random(11)
    for cycle in range(2):
        w = Writer(store, "replace", "relrep", 30, PAD * 2, PAD // 2)
        w.wait_for("writing ", 2 + cycle)
        time.sleep(rng.uniform(0.05, 0.6))
        w.kill()
        n = doc_count(reopen_counts(store), "relrep")
        assert n in allowed, (n, allowed, "replace was not atomic")


def test_sigkill_during_delete_leaves_each_document_whole_or_absent(tmp_path: Path, whole) -> None:
    store = tmp_path / "store"
    docs = [f"del_{i:03d}" for i in range(12)]
    assert Writer(store, "ingest", "del", len(docs), PAD).finish() == 0
    w = Writer(store, "delete", *docs)
    w.wait_for("writing ", 3)
    time.sleep(random.Random(3).uniform(0.0, 0.05))
    w.kill()
    deleted = w.done("deleted")
    counts = reopen_counts(store)
    for i, doc in enumerate(docs):
        n = doc_count(counts, doc)
        assert n in (0, whole[(i % 2, PAD)]), (doc, n)
        if doc in deleted:
            assert n == 0, (doc, "delete reported but graph still there")
    # and the survivors can still be deleted cleanly afterwards
    rest = [d for d in docs if doc_count(counts, d)]
    if rest:
        assert Writer(store, "delete", *rest).finish() == 0
    assert not [g for g in reopen_counts(store) if "/article/del_" in g]


def test_two_writer_processes_do_not_corrupt_the_store(tmp_path: Path, whole) -> None:
    """RocksDB admits one writing process: the other must fail cleanly (exit 3), never half-write."""
    store = tmp_path / "store"
    assert Writer(store, "ingest", "warm", 1).finish() == 0
    a = Writer(store, "ingest", "wa", 6, PAD)
    b = Writer(store, "ingest", "wb", 6, PAD)
    codes = [a.finish(), b.finish()]
    assert set(codes) <= {0, 3}, (codes, a.seen, b.seen)
    assert 0 in codes
    for w, code in ((a, codes[0]), (b, codes[1])):
        if code == 3:
            assert any(s.startswith("locked") for s in w.seen), w.seen
            assert not any("Traceback" in s for s in w.seen)
    counts = reopen_counts(store)
    for w, prefix in ((a, "wa"), (b, "wb")):
        ok = w.done("ok")
        for i in range(6):
            doc = f"{prefix}_{i:03d}"
            n = doc_count(counts, doc)
            assert n == (whole[(i % 2, PAD)] if doc in ok else 0), (doc, n)


def test_a_second_writer_is_refused_while_the_server_holds_the_store(seeded_store: Path,
                                                                     tmp_path: Path) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_app(tmp_path / "store", tmp_path / "server.log")
    try:
        with srv.client() as c:
            before = graph_counts(c)
            w = Writer(tmp_path / "store", "ingest", "intruder", 2)
            assert w.finish() == 3, w.seen
            assert graph_counts(c) == before
    finally:
        stop_server(srv)
    assert reopen_counts(tmp_path / "store") == before


POSTER = r"""
import sys, httpx
url, token, prefix, n, seed_path = sys.argv[1:6]
text = open(seed_path, encoding="utf-8").read()
with httpx.Client(base_url=url, timeout=120) as c:
    for i in range(int(n)):
        doc = f"{prefix}_{i:02d}"
        r = c.post("/api/articles", params={"id": doc}, content=text.encode(),
                   headers={"Authorization": "Bearer " + token, "Content-Type": "text/plain"})
        info = r.json().get("triples") if r.status_code < 300 else r.text[:200]
        print(doc, r.status_code, info, flush=True)
"""


def test_parallel_http_writers_and_readers_see_whole_graphs(seeded_store: Path, tmp_path: Path) -> None:
    """Two writer processes POST articles and one re-ingests the same id with alternating texts, while
    reader threads keep counting triples: every graph a reader sees is whole (its final or alternate
    size), the seed graphs never change, and every accepted article is stored whole."""
    import shutil

    from tests.api.conftest import SEEDS, TOKEN

    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_app(tmp_path / "store", tmp_path / "server.log", BOMAY_TOKEN=TOKEN)
    try:
        with srv.client() as c:
            seeds_before = graph_counts(c)
            sizes = {}
            for i in (0, 1):  # the two sizes of the flip-flopping article
                r = c.post("/api/articles", params={"id": "flip"}, content=seed_text(i).encode(),
                           headers={**AUTH, "Content-Type": "text/plain"})
                assert r.status_code in (200, 201), r.text
                sizes[i] = r.json()["triples"]
        stop = threading.Event()
        observed: list[dict[str, int]] = []
        errors: list[str] = []
        query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")

        def reader() -> None:
            with srv.client() as rc:
                deadline = time.monotonic() + 120
                while not stop.is_set() and time.monotonic() < deadline:
                    r = rc.get("/sparql", params={"query": query})
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    rows = r.json()["results"]["bindings"]
                    observed.append({b["g"]["value"]: int(b["n"]["value"]) for b in rows})

        def flipper() -> None:
            with srv.client() as fc:
                for k in range(4):
                    r = fc.post("/api/articles", params={"id": "flip"}, content=seed_text(k % 2).encode(),
                                headers={**AUTH, "Content-Type": "text/plain"})
                    if r.status_code not in (200, 201):
                        errors.append(f"flip {r.status_code} {r.text[:200]}")

        readers = [threading.Thread(target=reader) for _ in range(3)]
        flip = threading.Thread(target=flipper)
        posters = [subprocess.Popen([sys.executable, "-c", POSTER, srv.url, TOKEN, p, "3", str(SEEDS[j])],
                                    cwd=ROOT, stdout=subprocess.PIPE, text=True)
                   for j, p in enumerate(("pa", "pb"))]
        for t in (*readers, flip):
            t.start()
        outputs = [p.communicate(timeout=300)[0] for p in posters]
        flip.join(timeout=300)
        stop.set()
        for t in readers:
            t.join(timeout=60)
        assert not errors, errors[:5]
        accepted = {}
        for out in outputs:
            for line in out.splitlines():
                doc, code, triples = line.split(" ", 2)
                assert code in ("200", "201"), line
                accepted[doc] = int(triples)
        assert len(accepted) == 6
        with srv.client() as c:
            final = graph_counts(c)
        for doc, n in accepted.items():
            assert final[str(article_graph(doc))] == n, doc
        flip_iri = str(article_graph("flip"))
        assert final[flip_iri] in sizes.values()
        assert len(observed) > 3
        for snap in observed:
            for iri, n in seeds_before.items():
                assert snap.get(iri) == n, ("seed graph changed while others were written", iri)
            assert snap.get(flip_iri) in sizes.values(), ("reader saw a partial replace", snap.get(flip_iri))
            for doc, n in accepted.items():
                assert snap.get(str(article_graph(doc)), n) == n, ("reader saw a partial article", doc)
    finally:
        stop_server(srv)


def test_sigkill_of_the_server_during_http_ingest_and_delete(seeded_store: Path, tmp_path: Path) -> None:
    """The deployed case: `bomay serve` is SIGKILLed while clients POST and DELETE articles. The store
    reopens, every article graph is whole or absent, every answered write is durable, and a new server
    on the same store answers."""
    import shutil

    from tests.api.conftest import TOKEN

    shutil.copytree(seeded_store, tmp_path / "store")
    env = {"BOMAY_TOKEN": TOKEN}
    srv = start_app(tmp_path / "store", tmp_path / "server.log", **env)
    sizes: dict[int, int] = {}
    answered: dict[str, int] = {}
    deleted: set[str] = set()
    attempted: set[str] = set()  # deletes sent, answered or not
    try:
        with srv.client() as c:
            for i in (0, 1):
                r = c.post("/api/articles", params={"id": f"probe{i}"}, content=seed_text(i).encode(),
                           headers={**AUTH, "Content-Type": "text/plain"})
                assert r.status_code in (200, 201), r.text[:300]
                sizes[i] = r.json()["triples"]
                answered[f"probe{i}"] = sizes[i]

        def client(n: int) -> None:
            with httpx.Client(base_url=srv.url, timeout=120) as c:
                for k in range(40):
                    doc = f"sk{n}_{k:02d}"
                    try:
                        r = c.post("/api/articles", params={"id": doc}, content=seed_text(k % 2).encode(),
                                   headers={**AUTH, "Content-Type": "text/plain"})
                        if r.status_code in (200, 201):
                            answered[doc] = r.json()["triples"]
                        if k % 3 == 2:
                            old = f"sk{n}_{k - 1:02d}"
                            attempted.add(old)
                            if c.delete(f"/api/articles/{old}", headers=AUTH).status_code == 200:
                                deleted.add(old)
                    except httpx.HTTPError:
                        return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(answered) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(random.Random(5).uniform(0.2, 1.0))
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait(timeout=30)
        for t in threads:
            t.join(timeout=150)
    finally:
        if srv.proc.poll() is None:
            stop_server(srv)
    time.sleep(1)  # orphaned query workers see their pipe close and exit
    counts = reopen_counts(tmp_path / "store")
    for iri, n in counts.items():
        if "/graph/article/sk" in iri:
            doc = iri.rsplit("/", 1)[-1]
            assert n in sizes.values(), (doc, n, "partial article after SIGKILL")
    for doc, n in answered.items():
        if doc not in attempted:
            assert doc_count(counts, doc) == n, (doc, "answered write lost")
    for doc in deleted:
        assert doc_count(counts, doc) == 0, (doc, "answered delete lost")
    stored = sum(1 for iri in counts if "/graph/article/sk" in iri)
    print(f"SIGKILL of the server: {len(answered) - 2} posts and {len(deleted)} deletes answered, "
          f"{len(attempted - deleted)} deletes unanswered, {stored} articles stored whole, none partial, "
          "no answered write lost", flush=True)
    srv2 = start_app(tmp_path / "store", tmp_path / "server2.log", **env)
    try:
        with srv2.client() as c:
            assert graph_counts(c) == counts
            assert c.get("/api/documents/article/probe1").status_code == 200
    finally:
        stop_server(srv2)
