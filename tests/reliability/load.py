"""Bounded load test: N concurrent clients mix SPARQL, REST and ingest against a real server.

    python -m tests.reliability.load --seconds 60            # its own server on a copy of the seeded store
    python -m tests.reliability.load --seconds 10 --clients 16 --json out.json

Loopback only. Bounded in time (`--seconds`, then in-flight requests finish, each with a timeout) and in
count (`--max-requests`). Checks: no 5xx and no transport error; every accepted article (201/200) that
was not deleted afterwards is queryable whole (its graph holds the triple count the API reported);
deleted ones are gone; the server's memory (uvicorn process plus its query workers, VmRSS from /proc)
stays bounded. Prints a JSON summary (requests, errors, p50/p95 per kind, memory) and exits 1 when a
check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.memory import tree_rss_mb

ARTICLE_GRAPH = "https://w3id.org/bomay/graph/article/"
SPARQL = [
    "PREFIX bomay: <https://w3id.org/bomay/ontology#> SELECT ?m ?l WHERE { ?m a bomay:PilotModel ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 50",
    "ASK { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "PREFIX bomay: <https://w3id.org/bomay/ontology#> CONSTRUCT { ?e bomay:status ?s } "
    "WHERE { ?e bomay:status ?s } LIMIT 200",
    "PREFIX bomay: <https://w3id.org/bomay/ontology#> SELECT ?e ?w WHERE { ?e bomay:when ?w } "
    "ORDER BY ?w LIMIT 100",
]
ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml",
           "text/tab-separated-values"]
REST = [
    ("/api/mergers", {}), ("/api/mergers", {"province": "hai duong"}),
    ("/api/mergers.csv", {"status": "stopped"}),
    ("/api/places", {"q": "thuan thanh"}), ("/api/events", {}), ("/api/places/2023/30", {}),
    ("/api/documents", {}), ("/api/search", {"q": "van phong"}), ("/api/search", {"q": "Bắc Ninh"}),
    ("/health", {}), ("/api/documents/article/000_3db7e80d1100efe9", {}),
    ("/api/models", {}), ("/api/models", {"kind": "merger"}),
]
# Attackers: a cross product that runs until the time limit stops it, and a query nested past what the
# engine's parser survives (refused before it reaches a worker). Each attacker comes from its own
# loopback address (127.0.0.2, ...), as a distinct client would.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CRASHING = "SELECT (" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) {}"
KNOWN_SLOW: list[tuple[str, dict]] = []  # endpoints left out unless --all-endpoints (none at the moment)


@dataclass
class Stats:
    """Everything the run observed."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    unexpected_4xx: list[str] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)  # article id -> triples reported
    deleted: set[str] = field(default_factory=set)
    memory_mb: list[tuple[float, float]] = field(default_factory=list)  # (t, rss)
    requests: int = 0

    def record(self, kind: str, status: int, seconds: float, detail: str) -> None:
        self.requests += 1
        self.latencies.setdefault(kind, []).append(seconds)
        by_status = self.statuses.setdefault(kind, {})
        by_status[status] = by_status.get(status, 0) + 1
        if status >= 500:
            self.server_errors.append(f"{kind} {status} {detail[:200]}")
        elif status >= 400:
            self.unexpected_4xx.append(f"{kind} {status} {detail[:200]}")


def process_breakdown(pid: int) -> dict[str, Any]:
    """Memory (PSS, bench.memory) of the server process itself and of each child tree, in MB."""
    kids: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids.extend(int(x) for x in (task / "children").read_text().split())
    except OSError:
        return {}
    total = tree_rss_mb(pid)
    children = [round(tree_rss_mb(k), 1) for k in kids]
    return {"server_mb": round(total - sum(children), 1), "children_mb": children}


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def client_loop(n: int, c: httpx.AsyncClient, token: str, texts: list[str], deadline: float,
                      stats: Stats, budget: list[int], run_id: str, ingest_share: float,
                      rest: list[tuple[str, dict]]) -> None:
    rng = random.Random(n)
    mine: list[str] = []
    k = 0
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        roll = rng.random()
        t0 = time.perf_counter()
        try:
            if roll < ingest_share:
                kind = "ingest"
                doc = f"load_{run_id}_{n:02d}_{k:04d}"
                k += 1
                r = await c.post("/api/articles", params={"id": doc}, content=rng.choice(texts).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"})
                if r.status_code in (200, 201):
                    stats.accepted[doc] = r.json()["triples"]
                    mine.append(doc)
            elif roll < ingest_share + 0.02 and mine:
                kind = "delete"
                doc = mine.pop(rng.randrange(len(mine)))
                r = await c.delete(f"/api/articles/{doc}", headers={"Authorization": f"Bearer {token}"})
                if r.status_code == 200:
                    stats.deleted.add(doc)
            elif roll < 0.45:
                kind = "sparql"
                q = rng.choice(SPARQL)
                accept = "text/turtle" if "CONSTRUCT" in q else rng.choice(ACCEPTS)
                if rng.random() < 0.5:
                    r = await c.get("/sparql", params={"query": q}, headers={"Accept": accept})
                else:
                    r = await c.post("/sparql", data={"query": q})
            else:
                kind = "rest"
                path, params = rng.choice(rest)
                r = await c.get(path, params=params)
            detail = r.text[:200] if r.status_code >= 400 else ""
            stats.record(kind, r.status_code, time.perf_counter() - t0, detail)
        except httpx.HTTPError as e:
            stats.transport_errors.append(f"{type(e).__name__}: {e}")


async def attacker_loop(url: str, address: str, query: str, deadline: float, stats: Stats) -> None:
    """One attacking client, from `address`, sending `query` back to back until the deadline."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=url, timeout=90, transport=transport) as c:
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                r = await c.post("/sparql", data={"query": query})
                stats.requests += 1
                stats.latencies.setdefault("attack", []).append(time.perf_counter() - t0)
                by_status = stats.statuses.setdefault("attack", {})
                by_status[r.status_code] = by_status.get(r.status_code, 0) + 1
            except httpx.HTTPError as e:
                stats.transport_errors.append(f"attack {type(e).__name__}: {e}")


async def warm_up(c: httpx.AsyncClient, token: str, texts: list[str], run_id: str) -> None:
    """One of each request before the clock starts (every REST path and query, one article posted and
    deleted), so the memory the run starts from is that of a server that has served each kind once."""
    for path, params in REST:
        await c.get(path, params=params)
    for q in SPARQL:
        await c.post("/sparql", data={"query": q})
    if token:
        doc, auth = f"load_{run_id}_warm", {"Authorization": f"Bearer {token}"}
        await c.post("/api/articles", params={"id": doc}, content=texts[0].encode(),
                     headers={**auth, "Content-Type": "text/plain"})
        await c.delete(f"/api/articles/{doc}", headers=auth)


async def sample_memory(pid: int | None, stats: Stats, stop: asyncio.Event) -> None:
    if pid is None:
        return
    t0 = time.monotonic()
    while not stop.is_set():
        stats.memory_mb.append((round(time.monotonic() - t0, 1), round(tree_rss_mb(pid), 1)))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def verify(c: httpx.AsyncClient, stats: Stats) -> list[str]:
    """Every accepted, undeleted article is stored whole; every deleted one is gone."""
    r = await c.get("/sparql", params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                                "GROUP BY ?g"})
    counts = {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}
    lost = []
    for doc, triples in stats.accepted.items():
        n = counts.get(ARTICLE_GRAPH + doc, 0)
        if doc in stats.deleted:
            if n:
                lost.append(f"{doc}: deleted but {n} triples remain")
        elif n != triples:
            lost.append(f"{doc}: accepted with {triples} triples, store holds {n}")
    for doc in list(stats.accepted)[:20]:
        if doc not in stats.deleted:
            r = await c.get(f"/api/documents/article/{doc}")
            if r.status_code != 200:
                lost.append(f"{doc}: /api/documents answers {r.status_code}")
    return lost


async def clean_up(c: httpx.AsyncClient, token: str, stats: Stats, pid: int | None,
                   settle: float = 30.0) -> dict[str, Any]:
    """Delete every article the run left, then let the server settle (the query workers give back what
    writes left in their replicas in the background) and say how its memory compares with the start."""
    left = [doc for doc in stats.accepted if doc not in stats.deleted]
    for doc in left:
        await c.delete(f"/api/articles/{doc}", headers={"Authorization": f"Bearer {token}"})
    if pid is None or not stats.memory_mb:
        return {"cleaned_up": len(left)}
    samples = []
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        await asyncio.sleep(2.0)
        samples.append(tree_rss_mb(pid))
        if len(samples) >= 3 and max(samples[-3:]) - min(samples[-3:]) < 5:  # steady
            break
    start = stats.memory_mb[0][1]
    after = round(samples[-1], 1)
    return {"cleaned_up": len(left), "after_cleanup_mb": after,
            "after_cleanup_vs_start": round(after / start, 3) if start else None}


def summarise(stats: Stats, seconds: float, clients: int, lost: list[str],
              mem_limit_mb: float) -> dict[str, Any]:
    per_kind = {}
    for kind, lat in sorted(stats.latencies.items()):
        per_kind[kind] = {"requests": len(lat), "p50_ms": round(pct(lat, 0.5) * 1000, 1),
                          "p95_ms": round(pct(lat, 0.95) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
                          "statuses": {str(k): v for k, v in sorted(stats.statuses[kind].items())}}
    everything = [x for lat in stats.latencies.values() for x in lat]
    mem = [m for _, m in stats.memory_mb]
    warm = mem[len(mem) // 5:] or mem
    memory = {"start_mb": mem[0] if mem else None, "after_warmup_mb": warm[0] if warm else None,
              "max_mb": max(mem) if mem else None, "end_mb": mem[-1] if mem else None,
              "growth_after_warmup_mb": round(max(warm) - warm[0], 1) if warm else None,
              "limit_growth_mb": mem_limit_mb}
    failures = []
    if stats.server_errors:
        failures.append(f"{len(stats.server_errors)} server errors (5xx)")
    if stats.transport_errors:
        failures.append(f"{len(stats.transport_errors)} transport errors")
    if stats.unexpected_4xx:
        failures.append(f"{len(stats.unexpected_4xx)} unexpected 4xx")
    if lost:
        failures.append(f"{len(lost)} lost or partial articles")
    if warm and max(warm) - warm[0] > mem_limit_mb:
        failures.append(f"memory grew {max(warm) - warm[0]:.0f} MB after warm-up (limit {mem_limit_mb} MB)")
    return {
        "seconds": seconds, "clients": clients, "requests": stats.requests,
        "throughput_rps": round(stats.requests / seconds, 1) if seconds else None,
        "p50_ms": round(statistics.median(everything) * 1000, 1) if everything else None,
        "p95_ms": round(pct(everything, 0.95) * 1000, 1), "per_kind": per_kind,
        "server_errors": len(stats.server_errors), "transport_errors": len(stats.transport_errors),
        "unexpected_4xx": len(stats.unexpected_4xx), "accepted_articles": len(stats.accepted),
        "deleted_articles": len(stats.deleted), "lost_articles": lost[:20], "memory": memory,
        "examples": (stats.server_errors + stats.transport_errors + stats.unexpected_4xx)[:10],
        "ok": not failures, "failures": failures,
    }


async def run(url: str, token: str, seconds: float, clients: int = 16, pid: int | None = None,
              max_requests: int = 100_000, ingest_share: float = 0.08, mem_limit_mb: float = 300.0,
              all_endpoints: bool = False, runaway: int = 0, crashing: int = 0) -> dict:
    """Drive `url` for `seconds` with `clients` concurrent clients, and `runaway` + `crashing` attackers
    beside them; returns the summary dict (the attackers' answers apart: 503 is what a runaway earns)."""
    from tests.api.conftest import SEEDS

    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    stats = Stats()
    run_id = f"{int(time.time()) % 100000:05d}"
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=url, timeout=90) as c:
        await warm_up(c, token, texts, run_id)
    at_start = process_breakdown(pid) if pid else {}
    sampler = asyncio.create_task(sample_memory(pid, stats, stop))
    started = time.monotonic()
    # each client is a user of its own, from its own loopback address (the server limits requests in
    # flight per address); the attackers too, from 127.0.0.2 on
    users = [httpx.AsyncClient(base_url=url, timeout=90,
                               transport=httpx.AsyncHTTPTransport(local_address=f"127.0.1.{1 + i}"))
             for i in range(clients)]
    async with httpx.AsyncClient(base_url=url, timeout=90) as c, contextlib.AsyncExitStack() as stack:
        for user in users:
            await stack.enter_async_context(user)
        deadline = time.monotonic() + seconds
        budget = [max_requests]
        rest = REST + (KNOWN_SLOW if all_endpoints else [])
        attacks = Stats()
        queries = [RUNAWAY] * runaway + [CRASHING] * crashing
        await asyncio.gather(
            *(client_loop(i, users[i], token, texts, deadline, stats, budget, run_id, ingest_share, rest)
              for i in range(clients)),
            *(attacker_loop(url, f"127.0.0.{2 + i}", q, deadline, attacks) for i, q in enumerate(queries)))
        elapsed = time.monotonic() - started
        stop.set()
        await sampler
        breakdown = process_breakdown(pid) if pid else {}
        lost = await verify(c, stats)
        cleanup = await clean_up(c, token, stats, pid)
    summary = summarise(stats, round(elapsed, 1), clients, lost, mem_limit_mb)
    summary["memory"]["at_start"] = at_start
    summary["memory"]["at_end"] = breakdown
    summary["memory"].update(cleanup)
    summary["memory"]["after_cleanup"] = process_breakdown(pid) if pid else {}
    answered = sorted(attacks.statuses.get("attack", {}).items())
    summary["attackers"] = {"runaway": runaway, "crashing": crashing, "requests": attacks.requests,
                            "statuses": {str(k): v for k, v in answered},
                            "transport_errors": len(attacks.transport_errors)}
    return summary


def own_server_run(args: argparse.Namespace, runaway: int, crashing: int) -> dict[str, Any]:
    """One run on a server of its own, over a freshly seeded store."""
    from tests.api.conftest import TOKEN, seed_store, start_server, stop_server

    tmp = Path(tempfile.mkdtemp(prefix="bomay-load-"))
    try:
        print("seeding a store…", file=sys.stderr)
        seed_store(tmp / "store")
        srv = start_server(tmp / "store", tmp / "server.log", BOMAY_TOKEN=TOKEN,
                           BOMAY_QUERY_TIMEOUT=args.query_timeout)
        try:
            print(f"server {srv.url} (pid {srv.proc.pid}); {args.clients} clients and {runaway} runaway + "
                  f"{crashing} crashing attackers for {args.seconds:g} s…", file=sys.stderr)
            return asyncio.run(run(srv.url, TOKEN, args.seconds, args.clients, srv.proc.pid,
                                   args.max_requests, args.ingest_share, args.memory_limit_mb,
                                   args.all_endpoints, runaway, crashing))
        finally:
            stop_server(srv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


ATTACKED_P95_LIMIT = 2.0  # the ordinary requests' p95 with attackers, against the run without


def compare(baseline: dict[str, Any], attacked: dict[str, Any]) -> dict[str, Any]:
    """Both summaries and, per kind of ordinary request, the p95 with attackers over the p95 without;
    failed when either run failed or a REST or SPARQL ratio passes ATTACKED_P95_LIMIT."""
    ratios = {kind: round(attacked["per_kind"][kind]["p95_ms"] / row["p95_ms"], 2)
              for kind, row in baseline["per_kind"].items()
              if kind in attacked["per_kind"] and row["p95_ms"]}
    failures = [f"without attackers: {f}" for f in baseline["failures"]]
    failures += [f"with attackers: {f}" for f in attacked["failures"]]
    failures += [f"{kind} p95 {ratio}x the run without attackers (limit {ATTACKED_P95_LIMIT}x)"
                 for kind, ratio in ratios.items()
                 if kind in ("rest", "sparql") and ratio > ATTACKED_P95_LIMIT]
    return {"without_attackers": baseline, "with_attackers": attacked, "p95_ratio": ratios,
            "ok": not failures, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--ingest-share", type=float, default=0.08)
    ap.add_argument("--memory-limit-mb", type=float, default=300)
    ap.add_argument("--url", help="an already running server (loopback); default: start one")
    ap.add_argument("--token", help="its BOMAY_TOKEN (with --url)")
    ap.add_argument("--pid", type=int, help="its process id, for memory sampling (with --url)")
    ap.add_argument("--json", help="also write the summary to this file")
    ap.add_argument("--all-endpoints", action="store_true", help="include KNOWN_SLOW endpoints (/api/models)")
    ap.add_argument("--runaway", type=int, default=0, help="extra clients sending runaway queries")
    ap.add_argument("--crashing", type=int, default=0, help="extra clients sending parser-crashing queries")
    ap.add_argument("--query-timeout", default="30", help="the server's BOMAY_QUERY_TIMEOUT (own server)")
    ap.add_argument("--compare", action="store_true",
                    help="first a run without the attackers (the baseline), then one with them, each on a "
                         "fresh server; the ordinary requests' p95 with them must stay within 2x")
    args = ap.parse_args(argv)
    if args.compare and args.url:
        ap.error("--compare starts its own servers")
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        ap.error("loopback only")
    if args.url:
        summary = asyncio.run(run(args.url, args.token or "", args.seconds, args.clients, args.pid,
                                  args.max_requests, args.ingest_share, args.memory_limit_mb,
                                  args.all_endpoints, args.runaway, args.crashing))
    elif args.compare:
        baseline = own_server_run(args, runaway=0, crashing=0)
        attacked = own_server_run(args, args.runaway, args.crashing)
        summary = compare(baseline, attacked)
    else:
        summary = own_server_run(args, args.runaway, args.crashing)
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
