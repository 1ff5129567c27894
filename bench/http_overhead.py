"""Fixed per-request cost of the HTTP layer: /sparql and REST medians against in-process pyoxigraph.

`python -m bench.http_overhead --data DIR [-n 300] [--cq] [--budget S]` (DIR from `python -m bench.generate
-o DIR`, or a run's data directory, /tmp/bomay-bench/<size>-<seed>) loads
DIR/data.nq twice, once in this process laid out like a query worker's replica (api/worker.py: merged
default graph, plus the default-graph-only copy when the worker has one) and once on disk for
`bomay serve`, then times the same queries both ways in the same run and prints a Markdown table.
In-process = the query on the store the worker would pick plus the engine's own SPARQL-JSON
serialisation (the bytes a client gets); HTTP = a keep-alive httpx client on 127.0.0.1, GET /sparql
with `Accept: application/sparql-results+json`; the two alternate, call by call. REST rows time
GET /api/places/{id} and /api/models/{id}; their in-process column is the sum of the worker jobs the
endpoint sends (api.rest.row_job: same texts, same bindings), run one after another. `--cq` adds the
competency questions of the bench mix (first parameter value each); `--budget` bounds each case by time
(what `python -m bench.run` does when it runs this as its paired step, see bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from bench.engines import Http

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
    a: Callable[[], object],
    b: Callable[[], object],
    n: int,
    warmup: int,
    budget: float | None = None,
    min_n: int = 6,
) -> tuple[float, float, int]:
    """Median wall times of `a` and `b` in milliseconds and the number of pairs timed, run alternately
    (`n` each, after `warmup` unmeasured pairs), so that both see the same machine: on a shared host the
    load moves faster than one case takes to measure. With a `budget` (seconds, warm-up included) the
    warm-up stops after a fifth of it and the timing after it, once `min_n` pairs are in (an even
    number, so that each side went first equally often)."""
    start = time.perf_counter()
    for _ in range(warmup):
        a()
        b()
        if budget is not None and time.perf_counter() - start > budget / 5:
            break
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(n):
        for k in (0, 1) if i % 2 else (1, 0):
            t = time.perf_counter()
            (a, b)[k]()
            times[k].append(time.perf_counter() - t)
        if budget is not None and i % 2 and i + 1 >= min_n and time.perf_counter() - start > budget:
            break
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000, len(times[0])


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


class Server(Http):
    """`bomay serve` on a store bulk-loaded from the same N-Quads (bench.engines.Http: logs to
    workdir/serve.log), without a token (no ingest pool beside the query workers) and with the service's
    own query limit, plus a keep-alive client."""

    def __init__(self, data: Path, workdir: Path, workers: int | None) -> None:
        super().__init__(
            store_dir=workdir / "store",
            timeout=None,
            workers=workers,
            result_limit=100_000,
            token=None,
            start_limit=900,
        )
        self.client = httpx.Client(timeout=120)
        try:
            self.load(data)
        except BaseException:
            self.client.close()
            raise

    def get(self, path: str, params: dict | None = None, accept: str = "application/json") -> bytes:
        r = self.client.get(self.base + path, params=params, headers={"Accept": accept})
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code} on {path}: {r.text[:300]}")
        return r.content

    def close(self) -> None:
        self.client.close()
        super().close()


def rest_jobs(kind: str, iri: str) -> list[dict]:
    """The worker jobs GET /api/{places|models}/{id} sends (api/rest.py place_jobs, model_jobs: the
    first page of a model's places)."""
    from api.rest import PLACES_PER_PAGE, model_jobs, place_jobs

    return model_jobs(iri, 1, PLACES_PER_PAGE) if kind == "model" else place_jobs(iri)


def cases(params: dict, cq: bool) -> list[tuple[str, str, bool]]:
    """(name, query, is a CQ) per /sparql case: the fixed-cost ones, then the CQs if asked."""
    out = [(name, query, False) for name, query in SPARQL_CASES.items()]
    if cq:
        from bench.mix import load_mix

        mix = load_mix(params, per_query=1)
        out += [(inst[0].name, inst[0].texts[0], True) for inst in mix if inst[0].cq]
    return out


def measure(
    replica: Replica,
    server: Server,
    params: dict,
    cq: bool,
    n: int,
    warmup: int,
    budget: float | None,
    rest_ids: int,
    log: Callable[[str], None] = lambda _msg: None,
) -> list[dict]:
    """The paired rows: /sparql cases (answers checked to agree first), then the REST lookups."""
    rows: list[dict] = []
    for name, query, is_cq in cases(params, cq):
        local = canonical(replica.sparql_json(query))
        if local != canonical(server.get("/sparql", {"query": query}, JSON)):
            raise RuntimeError(f"{name}: HTTP answer differs from in-process")
        ip, http, k = paired_medians(
            lambda q=query: replica.sparql_json(q),
            lambda q=query: server.get("/sparql", {"query": q}, JSON),
            n,
            warmup,
            budget,
        )
        rows.append({"case": f"/sparql {name}", "cq": is_cq, "in_process_ms": ip, "http_ms": http, "n": k})
        log(f"{name}: {ip:.2f} / {http:.2f} ms, n={k}")
    rest_n = max(5, n // 10)
    for kind, prefix, path in (("place", UNIT, "/api/places/"), ("model", MODEL, "/api/models/")):
        for iri in params[kind][:rest_ids]:
            jobs = rest_jobs(kind, iri)
            url = path + iri[len(prefix) :]
            ip, http, k = paired_medians(
                lambda js=jobs: [replica.rows(j) for j in js], lambda u=url: server.get(u), rest_n, 2, budget
            )
            rows.append({"case": f"GET {url}", "cq": False, "in_process_ms": ip, "http_ms": http, "n": k})
            log(f"GET {url}: {ip:.2f} / {http:.2f} ms, n={k}")
    return rows


def main(argv: list[str] | None = None) -> None:
    """Load, time, print the table (and optionally write it as JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="directory with data.nq and params.json")
    ap.add_argument("-n", type=int, default=300, help="measured pairs per /sparql case at most (REST: n/10)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--budget", type=float, help="seconds per case, warm-up included (at least 6 pairs)")
    ap.add_argument("--workers", type=int, help="BOMAY_QUERY_WORKERS (default: inherited, the service's 2)")
    ap.add_argument("--rest-ids", type=int, default=4, help="ids per REST endpoint (from params.json)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--cq", action="store_true", help="also time the competency questions of the bench mix")
    args = ap.parse_args(argv)
    # stopped by bench.run at its limit: leave through `finally`, which stops the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(4))
    data = args.data / "data.nq"
    params = json.loads((args.data / "params.json").read_text())

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t = time.perf_counter()
    replica = Replica(data)
    log(f"replica: {len(replica.full):,} quads, {time.perf_counter() - t:.1f} s")
    workdir = Path(tempfile.mkdtemp(prefix="bench-ovh-"))
    try:
        t = time.perf_counter()
        server = Server(data, workdir, args.workers)
        try:
            log(f"bomay serve up in {time.perf_counter() - t:.1f} s at {server.base}")
            rows = measure(
                replica, server, params, args.cq, args.n, args.warmup, args.budget, args.rest_ids, log
            )
        finally:
            server.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    from bench.report import paired_table

    limit = f"budget {args.budget:g} s per case" if args.budget else f"n={args.n}"
    print(f"\n{len(replica.full):,} quads, {args.workers or 'default'} workers, {limit}\n")
    print("\n".join(paired_table(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
