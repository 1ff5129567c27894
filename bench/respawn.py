"""Query workers: stand-alone replicas against workers forked from one zygote, on the same store.

`python -m bench.respawn --data DIR [--workers N]` (DIR from `python -m bench.generate`, or a store
directory). Both designs run in this process's children, one after the other, on one on-disk store:

- spawned: each worker a fresh interpreter loading its own replica from a checkpoint of the
  store (`api.worker.main`): what replacing a killed worker cost before the zygote;
- forked: one zygote loads the replica, the workers are forked from it (`api.engine.WorkerPool`).

Measured: time until N workers answer, time to replace one (the stall a runaway query costs the pool),
and the memory of the workers (PSS: a page shared by k processes counts 1/k; RSS beside it), with the
ratio of each against the spawned design. Markdown to bench/results/<date>-respawn-<size>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import shutil
import tempfile
import time
from pathlib import Path

import psutil

from api import worker
from api.engine import WorkerPool, _Worker

ASK = {"kind": "results", "query": "ASK { ?s ?p ?o }", "result_format": "json", "limit": 10}


def _mb(pids: list[int]) -> tuple[float, float]:
    pss = rss = 0
    for pid in pids:
        info = psutil.Process(pid).memory_full_info()
        pss += info.pss
        rss += info.rss
    return pss / 2**20, rss / 2**20


def _store(data: Path, work: Path):
    from graph.embedded import EmbeddedStore

    if (data / "CURRENT").exists():
        return EmbeddedStore(data)
    import pyoxigraph as ox

    path = work / "store"
    raw = ox.Store(str(path))
    raw.bulk_load(path=str(data / "data.nq"), format=ox.RdfFormat.N_QUADS)
    del raw
    return EmbeddedStore(path)  # builds the stored union once (no marker yet)


def spawned(store, n: int) -> dict:
    """Stand-alone workers, each loading its replica from a checkpoint (the design before the zygote)."""
    ctx = mp.get_context("spawn")
    where = Path(tempfile.mkdtemp(prefix="bomay-respawn-", dir=store.path.parent))
    t0 = time.perf_counter()
    store.checkpoint(where / "first")
    workers = []
    for _ in range(n):
        w = _Worker.__new__(_Worker)
        w.conn, child = ctx.Pipe()
        w.proc = ctx.Process(target=worker.main, args=(child, str(where / "first"), False), daemon=True)
        w.proc.start()
        workers.append(w)
    for w in workers:
        w.wait_ready()
    start = time.perf_counter() - t0
    for w in workers:
        w.conn.send(ASK)
        assert w.conn.recv_bytes()
    pss, rss = _mb([w.proc.pid for w in workers])
    t1 = time.perf_counter()  # one replacement: a checkpoint again, a new interpreter, the load
    store.checkpoint(where / "again")
    extra = _Worker.__new__(_Worker)
    extra.conn, child = ctx.Pipe()
    extra.proc = ctx.Process(target=worker.main, args=(child, str(where / "again"), False), daemon=True)
    extra.proc.start()
    extra.wait_ready()
    replace = time.perf_counter() - t1
    for w in [*workers, extra]:
        w.stop(kill=True)
    shutil.rmtree(where, ignore_errors=True)
    return {"start_s": start, "replace_s": replace, "pss_mb": pss, "rss_mb": rss}


def forked(store, n: int) -> dict:
    """Workers forked from one zygote (api.engine.WorkerPool)."""
    pool = WorkerPool(store, n, timeout=60, limit=10, deny_network=False)
    t0 = time.perf_counter()
    workers = pool._spawn_many(n)
    start = time.perf_counter() - t0

    async def ask_all() -> None:
        pool._idle = asyncio.Queue()
        pool._writer, pool._shared_slots = asyncio.Lock(), asyncio.Semaphore(n)
        for w in workers:
            pool._idle.put_nowait(w)
        await asyncio.gather(*(pool.run(dict(ASK)) for _ in range(n)))

    asyncio.run(ask_all())
    assert pool._zygote is not None
    pss, rss = _mb([pool._zygote.proc.pid, *(w.pid for w in workers)])
    t1 = time.perf_counter()
    pool._spawn()
    replace = time.perf_counter() - t1
    pool.close()
    return {"start_s": start, "replace_s": replace, "pss_mb": pss, "rss_mb": rss}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--label", default=None, help="size label for the results file (default: data dir name)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-respawn-") as tmp:
        store = _store(args.data, Path(tmp))
        triples = int(store.select("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0]["n"])
        rows = {"spawned": spawned(store, args.workers), "forked": forked(store, args.workers)}
        store.close()
    base = rows["spawned"]
    label = args.label or args.data.name
    lines = [
        f"# Query workers: spawned replicas against forks of one zygote ({label})",
        "",
        f"{dt.date.today()}, `python -m bench.respawn --data {args.data} --workers {args.workers}`; "
        f"default graph {triples:,} triples. Ratios against the spawned design, measured in the same run.",
        "",
        "| design | N workers ready (s) | replace one (s) | workers' PSS (MB) | workers' RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['start_s']:.2f} ({r['start_s'] / base['start_s']:.2f}×) "
            f"| {r['replace_s']:.3f} ({r['replace_s'] / base['replace_s']:.3f}×) "
            f"| {r['pss_mb']:.0f} ({r['pss_mb'] / base['pss_mb']:.2f}×) "
            f"| {r['rss_mb']:.0f} ({r['rss_mb'] / base['rss_mb']:.2f}×) |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / f"{dt.date.today()}-respawn-{label}.md"
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
