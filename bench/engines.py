"""The engines compared, behind one small interface: load the N-Quads, answer a query, say which processes
to measure. Each runs inside its own worker process (bench/worker.py) so memory is measured per engine.

Default-graph semantics (ARCHITECTURE.md: the default graph is the union of the named graphs):
- `oxigraph`: pyoxigraph on disk with `use_default_graph_as_union=True`, exactly what graph/embedded.py
  does. Oxigraph's union keeps one copy of a triple per graph holding it (no RDF merge), and our article
  graphs repeat shared resources (models, places), so joins on those multiply before DISTINCT.
- `oxigraph-merged`: the same store plus a deduplicated copy of all triples in the real default graph,
  queried without the union flag: the read-replica layout that removes those duplicates.
- `oxigraph-mem`: the baseline. An in-memory pyoxigraph store holding only the deduplicated default
  graph, queried in-process: exactly what the service's query workers answer from (api/worker.py keeps
  this default-graph-only copy beside the replica with the named graphs), minus HTTP.
- `rdflib`: `Dataset(default_union=True)` in memory (what an rdflib-endpoint service does; set semantics).
- `virtuoso`: its /sparql endpoint, with the same layout as the service: the named graphs plus one graph
  holding every triple once, passed as `default-graph-uri` (its "all graphs" default would, like
  Oxigraph's union flag, answer one row per copy of a shared resource).
- `http`: our service (`bomay serve`) over its own on-disk store, through /sparql and the REST paths.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

SELECT_JSON = "application/sparql-results+json"
TOKEN = "bench-token"
UNION_GRAPH = "urn:bomay:bench:union"  # Virtuoso: the deduplicated union, queried as the default graph


def nquads_to_ntriples(src: Path, dst: Path) -> None:
    """Drop the graph term of each quad (our generator's graph IRIs hold no spaces)."""
    with src.open("rb") as fi, dst.open("wb") as fo:
        for line in fi:
            head, _sep, _tail = line.rstrip(b" .\n").rpartition(b" <")
            fo.write(head + b" .\n")


class Engine:
    name = "?"
    in_process = True

    def load(self, data: Path) -> None:
        raise NotImplementedError

    def client(self) -> Callable[[str, str], int]:
        """A query function for one thread: (query text, form) -> rows or triples returned."""
        raise NotImplementedError

    def server_pid(self) -> int | None:
        return None

    def settle(self, limit: float = 60) -> None:
        """For a server: wait until a trivial query answers, so the aftermath of a query stopped at its
        limit (a query worker being replaced) is not charged to the next one."""
        if self.in_process:
            return
        run, deadline = self.client(), time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                t = time.perf_counter()
                run("SELECT (1 AS ?x) WHERE {}", "select")
                if time.perf_counter() - t < 0.5:
                    return
            except Exception:  # noqa: BLE001 - still recovering
                time.sleep(0.5)

    def close(self) -> None:
        pass


class Oxigraph(Engine):
    def __init__(self, merged: bool = False, workdir: Path | None = None, memory: bool = False) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.merged = merged
        self.name = ("oxigraph-mem" if memory else "oxigraph-merged") if merged else "oxigraph"
        # A fixed directory under the run's workdir: a worker restarted past a stuck query reopens the
        # loaded store instead of loading again.
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="bench-ox-")) / f"{self.name}-store"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.memory = memory
        self.store = ox.Store() if memory else ox.Store(str(self.dir))

    def load(self, data: Path) -> None:
        marker = self.dir / "bench-loaded"
        if marker.exists() and not self.memory:
            return
        if not self.memory:
            self.store.bulk_load(path=str(data), format=self.ox.RdfFormat.N_QUADS)
        if self.merged:
            nt = self.dir.parent / f"{self.dir.name}.nt"
            nquads_to_ntriples(data, nt)
            self.store.bulk_load(path=str(nt), format=self.ox.RdfFormat.N_TRIPLES)
            nt.unlink()
        if not self.memory:
            self.store.optimize()
        marker.touch()

    def client(self) -> Callable[[str, str], int]:
        store, union = self.store, not self.merged

        def run(text: str, form: str) -> int:
            return sum(1 for _ in store.query(text, use_default_graph_as_union=union))

        return run


class Rdflib(Engine):
    name = "rdflib"
    forkable = True

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)

    def load(self, data: Path) -> None:
        self.ds.parse(str(data), format="nquads")

    def client(self) -> Callable[[str, str], int]:
        ds = self.ds

        def run(text: str, form: str) -> int:
            return sum(1 for _ in ds.query(text))

        return run


def _http_runner(url: str, timeout: float, default_graph: str | None = None) -> Callable[[str, str], int]:
    client = httpx.Client(timeout=timeout)
    extra = {"default-graph-uri": default_graph} if default_graph else {}

    def run(text: str, form: str) -> int:
        accept = "application/n-triples" if form == "construct" else SELECT_JSON
        r = client.get(url, params={"query": text, **extra}, headers={"Accept": accept})
        if (
            r.status_code in (503, 504)
            or "S1TAT" in r.headers.get("X-SQL-State", "")
            or (
                r.status_code == 500 and "S1T00" in r.text[:200]  # Virtuoso: "Transaction timed out"
            )
        ):
            raise TimeoutError(f"server time limit: HTTP {r.status_code} {r.text[:200]}")
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
        if form == "construct":
            return r.content.count(b"\n")
        return len(json.loads(r.content)["results"]["bindings"])

    return run


class Virtuoso(Engine):
    name = "virtuoso"
    in_process = False

    def __init__(self, workdir: Path | None = None, timeout: int = 60) -> None:
        from bench.virtuoso import Virtuoso as Server

        self.tmp = Path(tempfile.mkdtemp(prefix="bench-virt-", dir=workdir))
        self.timeout = timeout
        self.server_cls = Server
        self.server = None

    def load(self, data: Path) -> None:
        from bench.virtuoso import bench_tuning

        self.server = self.server_cls(self.tmp, data.parent, bench_tuning(self.timeout)).start()
        self.server.load(data)
        # The service's layout: every triple once in one graph, used as the default graph of each query.
        nt = data.parent / f"{data.stem}.union.nt"
        if not nt.exists():
            nquads_to_ntriples(data, nt)
        self.server.load(nt, graph=UNION_GRAPH)

    def client(self) -> Callable[[str, str], int]:
        return _http_runner(self.server.sparql_url, self.timeout + 10, UNION_GRAPH)

    def server_pid(self) -> int | None:
        return self.server.proc.pid if self.server and self.server.proc else None

    def close(self) -> None:
        if self.server:
            self.server.stop()


class Http(Engine):
    """`bomay serve` on a store bulk-loaded with the same N-Quads.

    `timeout`: the service's query limit (BOMAY_QUERY_TIMEOUT; None = the service's own default);
    `workers`: BOMAY_QUERY_WORKERS (None = inherited, the service's default); `token`: BOMAY_TOKEN
    (None = writes off, so no ingest pool is started beside the query workers); `start_limit`: seconds to
    wait for /health (the workers build their replicas first: minutes at 10M triples; a server that exits
    is reported at once, and the engine's own wall limit still bounds the whole run)."""

    name = "http"
    in_process = False

    def __init__(
        self,
        workdir: Path | None = None,
        timeout: int | None = 60,
        store_dir: Path | None = None,
        *,
        workers: int | None = None,
        result_limit: int = 10_000_000,
        token: str | None = TOKEN,
        start_limit: float = 900,
    ) -> None:
        self.dir = store_dir or Path(tempfile.mkdtemp(prefix="bench-http-", dir=workdir)) / "store"
        self.timeout = timeout
        self.workers = workers
        self.result_limit = result_limit
        self.token = token
        self.start_limit = start_limit
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def load(self, data: Path) -> None:
        import pyoxigraph as ox

        st = ox.Store(str(self.dir))
        st.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        st.optimize()
        del st
        self.start()

    def start(self) -> None:
        """Start `bomay serve` on the store and wait for /health (on failure the server is stopped)."""
        from bench.virtuoso import free_port

        port = free_port()
        env = os.environ | {
            "BOMAY_STORE": str(self.dir),
            "BOMAY_RESULT_LIMIT": str(self.result_limit),
            "BOMAY_MAX_BODY": "20000000",
        }
        if self.token:
            env["BOMAY_TOKEN"] = self.token
        if self.timeout is not None:
            env["BOMAY_QUERY_TIMEOUT"] = str(self.timeout)
        if self.workers:
            env["BOMAY_QUERY_WORKERS"] = str(self.workers)
        env.pop("BOMAY_SPARQL_URL", None)
        log_path = self.dir.parent / "serve.log"
        self.log = log_path.open("ab")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_limit
        try:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError("bomay serve exited: " + log_path.read_text()[-1500:])
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"bomay serve did not answer /health in {self.start_limit:.0f} s")
                time.sleep(0.2)
        except BaseException:
            self.close()
            raise

    def restart(self) -> dict[str, float]:
        """Stop the server and start it again on the store it left: the start a user meets with the store
        present. Timed until /health answers and until a search does (the search index is built after
        /health), with the server tree's memory (PSS) then."""
        from bench.memory import tree_rss_mb

        self.close()
        t = time.perf_counter()
        self.start()
        health = time.perf_counter() - t
        self.rest_client()("/api/search?q=ha+noi&limit=1")
        search = time.perf_counter() - t
        pid = self.server_pid()
        return {"health_s": health, "search_s": search, "server_mb": tree_rss_mb(pid) if pid else 0.0}

    def _client_timeout(self) -> float:
        return (self.timeout or 110) + 10

    def client(self) -> Callable[[str, str], int]:
        return _http_runner(self.base + "/sparql", self._client_timeout())

    def rest_client(self) -> Callable[[str], int]:
        client = httpx.Client(timeout=self._client_timeout())

        def get(path: str) -> int:
            r = client.get(self.base + path, headers={"Accept": "application/json"})
            if r.status_code in (503, 504):
                raise TimeoutError(f"server time limit: HTTP {r.status_code} {r.text[:200]}")
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code} on {path}: {r.text[:300]}")
            return len(r.content)

        return get

    def server_pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()


def make(name: str, workdir: Path | None, timeout: int) -> Engine:
    if name == "oxigraph":
        return Oxigraph(False, workdir)
    if name == "oxigraph-merged":
        return Oxigraph(True, workdir)
    if name == "oxigraph-mem":
        return Oxigraph(True, workdir, memory=True)
    if name == "rdflib":
        return Rdflib()
    if name == "virtuoso":
        return Virtuoso(workdir, timeout)
    if name == "http":
        return Http(workdir, timeout)
    raise ValueError(f"unknown engine {name}")
