"""Fixed per-request cost of the HTTP layer: /sparql and REST medians against in-process pyoxigraph.

`python -m bench.http_overhead --data DIR [-n 300]` (DIR from `python -m bench.generate -o DIR`) loads
DIR/data.nq twice, once in this process laid out like a query worker's replica (api/worker.py: merged
default graph, plus the default-graph-only copy when the worker has one) and once on disk for
`bomay serve`, then times the same queries both ways in the same run and prints a Markdown table.
In-process = the query on the store the worker would pick plus the engine's own SPARQL-JSON
serialisation (the bytes a client gets); HTTP = a keep-alive httpx client on 127.0.0.1, GET /sparql
with `Accept: application/sparql-results+json`; the two alternate, call by call. REST rows time
GET /api/places/{id} and /api/models/{id}; their in-process column is the sum of the worker jobs the
endpoint sends (api.rest.row_job: same texts, same bindings), run one after another.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

JSON = "application/sparql-results+json"
UNIT = "https://w3id.org/bomay/id/unit/"
MODEL = "https://w3id.org/bomay/id/model/"
PREFIXES = """PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
SPARQL_CASES = {
    "ASK {}": "ASK {}",
    "SELECT 10 rows": PREFIXES
    + "SELECT ?u ?label ?code WHERE { ?u a bomay:Province ; rdfs:label ?label ; bomay:unitCode ?code }"
    " ORDER BY ?code LIMIT 10",
    "SELECT 1,000 rows": PREFIXES
    + "SELECT ?u ?label ?code WHERE { ?u bomay:unitCode ?code ; rdfs:label ?label } LIMIT 1000",
    "GROUP BY 9 rows (~5 ms at S)": PREFIXES
    + "SELECT ?type (COUNT(*) AS ?n) WHERE { ?u bomay:unitType ?type ; rdfs:label ?label }"
    " GROUP BY ?type ORDER BY ?type",
}


def paired_medians(
    a: Callable[[], object], b: Callable[[], object], n: int, warmup: int
) -> tuple[float, float]:
    """Median wall times of `a` and `b` in milliseconds, run alternately (`n` each, after `warmup`
    unmeasured pairs), so that both see the same machine: on a shared host the load moves faster than
    one case takes to measure."""
    for _ in range(warmup):
        a()
        b()
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(n):
        for k in (0, 1) if i % 2 else (1, 0):
            t = time.perf_counter()
            (a, b)[k]()
            times[k].append(time.perf_counter() - t)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


class Replica:
    """The stores of one query worker, built the way api/worker.py builds them."""

    def __init__(self, data: Path) -> None:
        from api import worker

        self.worker = worker
        self.full = ox.Store()
        self.full.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        worker.merge_default(self.full)
        only = getattr(worker, "default_only", None)
        self.merged = only(self.full) if only else self.full

    def store(self, job: dict) -> ox.Store:
        """The store the worker answers `job` from."""
        names = getattr(self.worker, "names_graphs", None)
        return self.full if names is None or names(job) else self.merged

    def sparql_json(self, query: str) -> bytes:
        """What the engine alone costs for /sparql: evaluate and serialise to SPARQL JSON."""
        store = self.store({"kind": "sparql", "query": query})
        return store.query(query).serialize(format=ox.QueryResultsFormat.JSON)

    def rows(self, job: dict) -> Any:
        """One REST job, exactly as the worker runs it."""
        return self.worker.run_job(self.store(job), {"limit": 10**9, **job})


def canonical(body: bytes) -> object:
    """What must agree between both sides: the head and the row count (a LIMIT without ORDER BY may
    pick other rows from a replica loaded in another order), or the boolean."""
    doc = json.loads(body)
    return doc["head"], len(doc["results"]["bindings"]) if "results" in doc else doc["boolean"]


class Server:
    """`bomay serve` on a store bulk-loaded from the same N-Quads, logs to a file."""

    def __init__(self, data: Path, workdir: Path, workers: int) -> None:
        store = workdir / "store"
        st = ox.Store(str(store))
        st.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        st.optimize()
        del st
        from bench.virtuoso import free_port

        port = free_port()
        env = os.environ | {
            "BOMAY_STORE": str(store),
            "BOMAY_QUERY_WORKERS": str(workers),
            "BOMAY_RESULT_LIMIT": "100000",
        }
        env.pop("BOMAY_SPARQL_URL", None)
        self.log = (workdir / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(timeout=120)
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("bomay serve exited: " + (workdir / "serve.log").read_text()[-1500:])
            with contextlib.suppress(httpx.HTTPError):
                if self.client.get(self.base + "/health").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("bomay serve did not answer /health in 300 s")
            time.sleep(0.2)

    def get(self, path: str, params: dict | None = None, accept: str = "application/json") -> bytes:
        r = self.client.get(self.base + path, params=params, headers={"Accept": accept})
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code} on {path}: {r.text[:300]}")
        return r.content

    def close(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def rest_jobs(kind: str, iri: str) -> list[dict]:
    """The worker jobs GET /api/{places|models}/{id} sends (api/rest.py get_place, get_model)."""
    from api.rest import row_job

    if kind == "model":
        return [row_job("api_model", model=("iri", iri)), row_job("api_events", model=("iri", iri))]
    jobs = [
        row_job("api_place", place=("iri", iri)),
        row_job("api_events", place=("iri", iri)),
        row_job("place_lineage", unit=("iri", iri)),
    ]
    if "/unit/2025/" in iri:
        jobs.append(row_job("pilots_on_territory", province=("iri", iri)))
    return jobs


def main(argv: list[str] | None = None) -> None:
    """Load, time, print the table (and optionally write it as JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="directory with data.nq and params.json")
    ap.add_argument("-n", type=int, default=300, help="measured runs per /sparql case (REST: n/10)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2, help="BOMAY_QUERY_WORKERS")
    ap.add_argument("--rest-ids", type=int, default=4, help="ids per REST endpoint (from params.json)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    data = args.data / "data.nq"
    params = json.loads((args.data / "params.json").read_text())

    t = time.perf_counter()
    replica = Replica(data)
    print(f"replica: {len(replica.full):,} quads, {time.perf_counter() - t:.1f} s", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="bench-ovh-"))
    t = time.perf_counter()
    server = Server(data, workdir, args.workers)
    print(f"bomay serve up in {time.perf_counter() - t:.1f} s at {server.base}", file=sys.stderr)
    rows: list[dict] = []
    try:
        for name, query in SPARQL_CASES.items():
            local = canonical(replica.sparql_json(query))
            if local != canonical(server.get("/sparql", {"query": query}, JSON)):
                raise RuntimeError(f"{name}: HTTP answer differs from in-process")
            ip, http = paired_medians(
                lambda q=query: replica.sparql_json(q),
                lambda q=query: server.get("/sparql", {"query": q}, JSON),
                args.n,
                args.warmup,
            )
            rows.append({"case": f"/sparql {name}", "in_process_ms": ip, "http_ms": http})
        n = max(5, args.n // 10)
        for kind, prefix, path in (("place", UNIT, "/api/places/"), ("model", MODEL, "/api/models/")):
            for iri in params[kind][: args.rest_ids]:
                jobs = rest_jobs(kind, iri)
                url = path + iri[len(prefix) :]
                ip, http = paired_medians(
                    lambda js=jobs: [replica.rows(j) for j in js], lambda u=url: server.get(u), n, 2
                )
                rows.append({"case": f"GET {url}", "in_process_ms": ip, "http_ms": http})
    finally:
        server.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{len(replica.full):,} quads, {args.workers} workers, n={args.n} (REST n={n})\n")
    print("| case | in-process ms | HTTP ms | ratio | overhead ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        ratio = r["http_ms"] / r["in_process_ms"] if r["in_process_ms"] else float("inf")
        print(
            f"| {r['case'][:90]} | {r['in_process_ms']:.2f} | {r['http_ms']:.2f} | {ratio:.2f}x "
            f"| {r['http_ms'] - r['in_process_ms']:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
