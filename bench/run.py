"""`python -m bench.run --size S`: generate the graph, measure every engine side by side, write the report.

Engines run one after another, each in its own worker process (bench/worker.py) so that memory is per
engine and one engine's leftovers never slow the next. An in-process engine whose query passes the limit
is restarted without that query (pyoxigraph cannot stop a running query). When both `http` and
`oxigraph-mem` run, a paired step follows the engines (`--no-paired` skips it): bench/http_overhead.py in
its own process times each competency question in-process and over HTTP alternately, call by call, on the
same data, and the HTTP-layer target takes its verdict from that (the two engines' columns are measured
minutes apart on a shared machine). Results go to bench/results/<date>-<size>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import ingest, report
from bench.generate import generate
from bench.machine import describe
from bench.mix import dump, load_mix

ENGINES = ("oxigraph-mem", "http", "oxigraph", "oxigraph-merged", "virtuoso", "rdflib")
THROUGHPUT = {"oxigraph", "oxigraph-merged", "oxigraph-mem", "http"}
# per size: parameter values per query, timed rounds, per-query limit (s), time budget per query (s),
# throughput seconds, engine wall limit (s), ingest batch, ingest fill levels, time budget per case of
# the paired HTTP-layer step (s; at least 6 pairs each: ~15 cases, plus loading the data twice)
SETTINGS = {
    "XS": dict(per_query=1, reps=3, timeout=2, budget=1, throughput=3, wall=30, ingest_k=4, levels=1,
               paired=1),
    "S": dict(per_query=1, reps=4, timeout=3, budget=1, throughput=4, wall=60, ingest_k=8, levels=1,
              paired=2),
    "M": dict(per_query=3, reps=5, timeout=15, budget=5, throughput=15, wall=300, ingest_k=30, levels=2,
              paired=6),
    # L: one query worker for the service (each holds ~7 GB of replicas at 10M triples; two would not fit
    # beside the other engines' leftovers on 24 GB)
    "L": dict(per_query=2, reps=3, timeout=60, budget=10, throughput=10, wall=1200, ingest_k=30, levels=1,
              paired=15, workers=1, virtuoso_buffers=680_000),
}
ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run_engine(
    engine: str, data: Path, cfg: dict, work: Path, tp_names: list[str]
) -> tuple[list[dict], list[str]]:
    """Run one engine's worker, restarting it past queries that hit the limit; its records and notes."""
    out = work / f"{engine}.jsonl"
    skip: set[str] = set()
    notes: list[str] = []
    deadline = time.monotonic() + cfg["wall"]
    for _attempt in range(30):
        cmd = [
            sys.executable,
            "-m",
            "bench.worker",
            "--engine",
            engine,
            "--mix",
            str(work / "mix.json"),
            "--data",
            str(data),
            "--out",
            str(out),
            "--workdir",
            str(work),
            "--reps",
            str(cfg["reps"]),
            "--per-query",
            str(cfg["per_query"]),
            "--timeout",
            str(cfg["timeout"]),
            "--budget",
            str(cfg["budget"]),
            "--skip",
            ",".join(sorted(skip)),
        ]
        if engine in THROUGHPUT:
            cmd += ["--throughput", str(cfg["throughput"]), "--tp-names", ",".join(tp_names)]
        left = deadline - time.monotonic()
        if left <= 0:
            notes.append(f"{engine}: stopped at the engine's wall limit ({cfg['wall']} s)")
            break
        with open(work / f"{engine}.err", "a") as err:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
            try:
                rc = proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                proc.terminate()  # the worker stops its server on SIGTERM
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                rc = -1
                notes.append(f"{engine}: stopped at the engine's wall limit ({cfg['wall']} s)")
        records = _read(out)
        if rc == 0:
            break
        started = [r["name"] for r in records if r["type"] == "start"]
        done = {
            r.get("name", r["type"])
            for r in records
            if r["type"] in ("query", "timeout", "error", "throughput")
        }
        skip |= done | {"load"}
        if rc == 3 or rc == -1:
            if started and started[-1] not in done:
                with out.open("a") as fh:
                    fh.write(
                        json.dumps({"type": "timeout", "name": started[-1], "seconds": cfg["timeout"]}) + "\n"
                    )
                skip.add(started[-1])
            if rc == -1:
                break
            continue
        err = (work / f"{engine}.err").read_text(errors="replace")[-600:]
        notes.append(
            f"{engine}: worker failed (exit {rc}): {err.strip().splitlines()[-1] if err.strip() else ''}"
        )
        break
    return _read(out), notes


def run_paired(data: Path, cfg: dict, work: Path) -> tuple[dict | None, list[str]]:
    """The paired HTTP-layer step (bench/http_overhead.py --cq) in its own process, after the engines so
    that their memory figures are their own; its rows and settings, or None and why not."""
    out, err_path = work / "paired.json", work / "paired.err"
    budget = cfg["paired"]
    cmd = [
        sys.executable, "-m", "bench.http_overhead", "--data", str(data), "--cq", "--budget", str(budget),
        "--rest-ids", "1", "--json", str(out),
    ]  # fmt: skip
    limit = 300 + 40 * budget  # loading twice, then ~15 cases of `budget` s (a heavy case may pass it)
    t = time.monotonic()
    with err_path.open("a") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        try:
            rc = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.terminate()  # leaves through `finally`, which stops its server
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return None, [f"paired HTTP-layer step stopped at its limit ({limit} s)"]
    if rc != 0 or not out.exists():
        tail = err_path.read_text(errors="replace").strip().splitlines()
        return None, [f"paired HTTP-layer step failed (exit {rc}): {tail[-1] if tail else ''}"[:400]]
    rows = json.loads(out.read_text())
    settings = {"budget": budget, "rest_ids": 1, "workers": os.environ.get("BOMAY_QUERY_WORKERS", "default")}
    return {"rows": rows, "settings": settings, "seconds": time.monotonic() - t}, []


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmarks side by side")
    ap.add_argument("--size", default="S", choices=sorted(SETTINGS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--no-ingest", action="store_true")
    ap.add_argument(
        "--no-paired", action="store_true", help="skip the paired HTTP-layer step (bench/http_overhead.py)"
    )
    ap.add_argument("--tp-names", default="", help="throughput mix when the baseline is not in this run")
    ap.add_argument("--tag", default="", help="suffix of the result files (a partial run beside a full one)")
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "bomay-bench")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    cfg = SETTINGS[a.size]
    if cfg.get("workers"):
        os.environ["BOMAY_QUERY_WORKERS"] = str(cfg["workers"])  # inherited by the service we start
    if cfg.get("virtuoso_buffers"):  # Virtuoso's advice: 680,000 8 KB buffers for 8 GB of RAM
        os.environ["BOMAY_BENCH_VIRTUOSO_BUFFERS"] = str(cfg["virtuoso_buffers"])
    data = a.data_dir / f"{a.size}-{a.seed}"
    log(f"generating size {a.size} into {data}")
    params = generate(a.size, a.seed, data)
    log(f"{params['counts']['triples']:,} triples, {params['counts']['articles']:,} articles")
    work = Path(tempfile.mkdtemp(prefix=f"bomay-bench-{a.size}-"))
    dump(load_mix(params, cfg["per_query"]), work / "mix.json")
    results: dict[str, list[dict]] = {}
    notes: list[str] = []
    paired: dict | None = None
    try:
        tp_names: list[str] = [n for n in a.tp_names.split(",") if n]
        for engine in a.engines.split(","):
            log(f"engine {engine}")
            t = time.monotonic()
            results[engine], n = run_engine(engine, data, cfg, work, tp_names)
            if engine == report.BASE:
                # throughput loop for every engine: the queries the baseline answers in under a second
                tp_names = [
                    r["name"]
                    for r in results[engine]
                    if r["type"] == "query" and r["median"] < 1.0 and r["name"].startswith("cq")
                ]
            notes += n
            log(f"engine {engine} done in {time.monotonic() - t:.0f} s")
        if not a.no_paired and {report.SERVICE, report.BASE} <= set(results):
            log("paired HTTP layer against in-process (bench.http_overhead --cq)")
            paired, n = run_paired(data, cfg, work)
            notes += n
            if paired:
                pr = list(report.paired_ratios(paired).values())
                median = f"{statistics.median(pr):.2f}x" if pr else "–"
                log(f"paired done in {paired['seconds']:.0f} s, CQ median ratio {median}")
            else:
                log(n[0])
        rows = []
        if not a.no_ingest:
            log("ingest")
            try:
                rows = ingest.run(data / "data.nq", cfg["ingest_k"], cfg["levels"], a.seed, log, work)
            except Exception as exc:  # noqa: BLE001 - the query figures are still worth writing
                notes.append(f"ingest failed: {exc!s:.300}")
                log(f"ingest failed: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mix = load_mix(params, 1)
    names = []
    for inst in mix:
        names.append(inst[0].name)
        if inst[0].rest:
            names.append(f"{inst[0].name} (REST)")
    cq = [inst[0].name for inst in mix if inst[0].cq]
    used = sorted({inst[0].source for inst in mix})
    for e, recs in results.items():
        for r in recs:
            if r["type"] == "error":
                notes.append(f"{e} {r['name']}: {r['error']}")
    notes.append("query files: " + ", ".join(used))
    now = dt.datetime.now(dt.UTC)
    meta = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "size": a.size,
        "seed": a.seed,
        "triples": params["counts"]["triples"],
        "articles": params["counts"]["articles"],
        "applications": params["counts"]["applications"],
        "units": params["counts"]["units"],
        "gen_seconds": params["seconds"],
        "machine": describe(),
        "settings": cfg,
        "wall": time.monotonic() - t0,
    }
    text = report.render(meta, results, names, cq, rows, notes, paired)
    stem = f"{now:%Y-%m-%d}-{a.size}" + (f"-{a.tag}" if a.tag else "")
    path = report.write(a.results / f"{stem}.md", text)
    (a.results / f"{stem}.json").write_text(
        json.dumps(
            {"meta": meta, "results": results, "ingest": rows, "paired": paired, "notes": notes},
            ensure_ascii=False,
            indent=1,
        )
    )
    log(f"wrote {path} in {time.monotonic() - t0:.0f} s")
    print(text)


if __name__ == "__main__":
    main()
