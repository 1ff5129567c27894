"""Ingest throughput with SHACL on, as the store grows: `bomay ingest` (CLI) and POST /api/articles.

At each fill level (empty, half, all of the generated graph bulk-loaded underneath), a batch of fresh
synthetic articles (bench/articles.py, new ids) goes through the real pipeline: extract → RDF → SHACL →
one named graph. The CLI is timed with 1 file and with K files so that its start-up (imports, lexicons)
is separated from the per-article rate; the HTTP path posts K other articles one after another (1 client),
then K more from 2 clients at once (2 threads, each posting its half sequentially).

Both paths also report a sustained rate read off one run, without its start-up: the CLI's from the times
its per-file lines appear (first to last), HTTP's from the first response to the last (the articles stored
after the first answer, over that time). `python -m bench.ingest DATA.nq -k 100 --levels 2` runs it alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.articles import ArticleWriter
from bench.engines import TOKEN, Http


def write_articles(directory: Path, writer: ArticleWriter, k: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for _ in range(k):
        a = writer.write()
        p = directory / f"{a.doc_id}.txt"
        p.write_text(a.text, encoding="utf-8")
        paths.append(p)
    return paths


def split_data(data: Path, parts: int, out_dir: Path) -> list[Path]:
    """The N-Quads in `parts` consecutive slices (reference graphs come first, then the articles)."""
    lines = data.read_bytes().splitlines(keepends=True)
    size = -(-len(lines) // parts)
    files = []
    for i in range(parts):
        f = out_dir / f"part{i}.nq"
        f.write_bytes(b"".join(lines[i * size : (i + 1) * size]))
        files.append(f)
    return files


def bulk_load(store_dir: Path, part: Path) -> None:
    import pyoxigraph as ox

    st = ox.Store(str(store_dir))
    st.bulk_load(path=str(part), format=ox.RdfFormat.N_QUADS)
    st.flush()
    del st


def cli_ingest(store_dir: Path, files: list[Path]) -> tuple[float, int]:
    dt, written, _ = cli_ingest_timed(store_dir, files)
    return dt, written


def cli_ingest_timed(store_dir: Path, files: list[Path]) -> tuple[float, int, float | None]:
    """(seconds, articles written, sustained articles/s between the first and the last output line)."""
    env = os.environ | {"BOMAY_STORE": str(store_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("BOMAY_SPARQL_URL", None)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "ingest", "--no-gazetteer", *map(str, files)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    stamps = []
    for line in proc.stdout:
        if ": ingested " in line or ": replaced " in line:
            stamps.append(time.perf_counter())
    proc.wait(timeout=1800)
    dt = time.perf_counter() - t
    sustained = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 2 else None
    return dt, len(stamps), sustained


def post_ingest(base: str, files: list[Path]) -> tuple[float, int, list[str]]:
    dt, ok, errors, _ = post_ingest_timed(base, files)
    return dt, ok, errors


def post_ingest_timed(
    base: str, files: list[Path], clients: int = 1
) -> tuple[float, int, list[str], float | None]:
    """(seconds, articles stored, first errors, sustained articles/s from the first response on).

    With `clients` > 1, as many threads post their share of `files` at the same time, each one after
    another on its own connection; the sustained rate counts the articles stored after the first answer
    (which warms the server) over the time from that answer to the last one.
    """
    lock = threading.Lock()
    state = {"ok": 0, "first": None, "ok_first": 0}
    errors: list[str] = []

    def post_all(share: list[Path]) -> None:
        with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            for f in share:
                r = c.post(
                    f"{base}/api/articles?id={f.stem}",
                    content=f.read_bytes(),
                    headers={"Content-Type": "text/plain; charset=utf-8"},
                )
                with lock:
                    if r.status_code in (200, 201):
                        state["ok"] += 1
                    elif len(errors) < 3:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                    if state["first"] is None:
                        state["first"], state["ok_first"] = time.perf_counter(), state["ok"]

    shares = [files[i::clients] for i in range(max(1, clients))]
    t = time.perf_counter()
    threads = [threading.Thread(target=post_all, args=(share,)) for share in shares]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    end = time.perf_counter()
    ok, first, ok_first = state["ok"], state["first"], state["ok_first"]
    sustained = (ok - ok_first) / (end - first) if first is not None and ok - ok_first > 1 else None
    return end - t, ok, errors, sustained


def tree_cpu(pid: int | None) -> float | None:
    """User+system CPU seconds of process `pid` and all its descendants (None without psutil)."""
    try:
        import psutil
    except ImportError:
        return None
    if pid is None:
        return None
    root = psutil.Process(pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def triples(store_dir: Path) -> int:
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store_dir))
    n = len(st)
    del st
    return n


def run(data: Path, k: int, levels: int, seed: int, log=print, workdir: Path | None = None) -> list[dict]:
    """One row per fill level: store size, CLI and HTTP articles per second."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=workdir))
    store = tmp / "store"
    store.mkdir()
    parts = split_data(data, levels, tmp) if levels else []
    writer = ArticleWriter(seed + 1000, prefix="ingest")
    rows = []
    for level in range(levels + 1):
        if level:
            bulk_load(store, parts[level - 1])
        size = triples(store) if level else 0
        one = write_articles(tmp / f"cli{level}a", writer, 1)
        batch = write_articles(tmp / f"cli{level}b", writer, k)
        t1, _ = cli_ingest(store, one)
        tk, written, cli_sustained = cli_ingest_timed(store, batch)
        # per-article rate without the process start-up; None when the two runs are too close to tell
        marginal = (k - 1) / (tk - t1) if k > 1 and tk - t1 > 0.5 else None
        server = Http(store_dir=store, timeout=60)
        try:
            server.start()  # inside: a server that never answered /health is stopped too
            pid = server.proc.pid if server.proc else None
            posts = write_articles(tmp / f"http{level}", writer, k)
            cpu0 = tree_cpu(pid)
            th, ok, errors, http_sustained = post_ingest_timed(server.base, posts)
            cpu1 = tree_cpu(pid)
            posts2 = write_articles(tmp / f"http{level}c2", writer, k)
            th2, ok2, errors2, http_sustained2 = post_ingest_timed(server.base, posts2, clients=2)
            cpu2 = tree_cpu(pid)
        finally:
            server.close()
        row = {
            "level": f"{level}/{levels}",
            "triples": size,
            "k": k,
            "cli_seconds": tk,
            "cli_one": t1,
            "cli_written": written,
            "cli_rate": k / tk,
            "cli_marginal": marginal,
            "cli_sustained": cli_sustained,
            "http_seconds": th,
            "http_ok": ok,
            "http_rate": ok / th if th else 0.0,
            "http_sustained": http_sustained,
            # CPU seconds of the server and its query/ingest workers per stored article (contention-proof)
            "http_cpu_ms": (cpu1 - cpu0) / ok * 1000 if ok and None not in (cpu0, cpu1) else None,
            # the same with two clients posting at once (another k fresh articles, same server)
            "http_seconds_2": th2,
            "http_ok_2": ok2,
            "http_rate_2": ok2 / th2 if th2 else 0.0,
            "http_sustained_2": http_sustained2,
            "http_cpu_ms_2": (cpu2 - cpu1) / ok2 * 1000 if ok2 and None not in (cpu1, cpu2) else None,
            "errors": errors + errors2,
        }
        log(
            f"ingest level {row['level']}: {size} triples, CLI {row['cli_rate']:.1f}/s "
            f"(marginal {_fmt(marginal)}/s, sustained {_fmt(cli_sustained)}/s), "
            f"HTTP 1 client {row['http_rate']:.1f}/s (sustained {_fmt(http_sustained)}/s, {ok}/{k} ok, "
            f"server CPU {_fmt(row['http_cpu_ms'])} ms/article), "
            f"2 clients {row['http_rate_2']:.1f}/s (sustained {_fmt(http_sustained2)}/s, {ok2}/{k} ok, "
            f"server CPU {_fmt(row['http_cpu_ms_2'])} ms/article)"
        )
        rows.append(row)
    return rows


def _fmt(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1f}"


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.ingest DATA.nq [-k 100] [--levels 2]`: the ingest rows alone, as JSON lines."""
    import argparse
    import json

    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path, help="N-Quads from bench.generate (DIR/data.nq)")
    ap.add_argument("-k", type=int, default=100, help="articles per batch")
    ap.add_argument("--levels", type=int, default=2, help="fill levels above the empty store")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-run-"))
    try:
        for row in run(a.data, a.k, a.levels, a.seed, workdir=work):
            print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
