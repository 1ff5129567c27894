"""Ingest throughput with SHACL on, as the store grows: `bomay ingest` (CLI) and POST /api/articles.

At each fill level (empty, half, all of the generated graph bulk-loaded underneath), a batch of fresh
synthetic articles (bench/articles.py, new ids) goes through the real pipeline: extract → RDF → SHACL →
one named graph. The CLI is timed with 1 file and with K files so that its start-up (imports, lexicons)
is separated from the per-article rate; the HTTP path posts K other articles one after another.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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
    env = os.environ | {"BOMAY_STORE": str(store_dir)}
    env.pop("BOMAY_SPARQL_URL", None)
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", "--no-gazetteer", *map(str, files)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    dt = time.perf_counter() - t
    written = sum(1 for line in out.stdout.splitlines() if ": ingested " in line or ": replaced " in line)
    return dt, written


def post_ingest(base: str, files: list[Path]) -> tuple[float, int, list[str]]:
    ok, errors = 0, []
    with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        t = time.perf_counter()
        for f in files:
            r = c.post(
                f"{base}/api/articles?id={f.stem}",
                content=f.read_bytes(),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
            if r.status_code in (200, 201):
                ok += 1
            elif len(errors) < 3:
                errors.append(f"{r.status_code} {r.text[:200]}")
        return time.perf_counter() - t, ok, errors


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
        tk, written = cli_ingest(store, batch)
        # per-article rate without the process start-up; None when the two runs are too close to tell
        marginal = (k - 1) / (tk - t1) if k > 1 and tk - t1 > 0.5 else None
        server = Http(store_dir=store, timeout=60)
        server.start()
        try:
            posts = write_articles(tmp / f"http{level}", writer, k)
            th, ok, errors = post_ingest(server.base, posts)
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
            "http_seconds": th,
            "http_ok": ok,
            "http_rate": ok / th if th else 0.0,
            "errors": errors,
        }
        log(
            f"ingest level {row['level']}: {size} triples, CLI {row['cli_rate']:.1f}/s "
            f"(marginal {'–' if marginal is None else f'{marginal:.1f}'}/s), "
            f"HTTP {row['http_rate']:.1f}/s ({ok}/{k} ok)"
        )
        rows.append(row)
    return rows
