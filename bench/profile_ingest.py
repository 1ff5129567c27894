"""Where ingest time goes: `python -m bench.profile_ingest [-n 20] [--prefill data.nq]` runs the article
pipeline (api/pipeline.py) as `bomay ingest` does per article (extract → RDF → SHACL → write) in one
process on a temp store, first timed without a profiler (the sustained rate and the time per stage), then
again on other articles under pyinstrument, whose top frames it prints. `--prefill` bulk-loads N-Quads
underneath first, to see whether the rate stays flat as the store grows.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.articles import ArticleWriter

STAGES = ("extract", "rdf", "shacl", "write")


def _run(store, arts) -> tuple[float, dict[str, list[float]], dict[str, list[float]]]:
    """Ingest `arts` one by one; (wall seconds, wall per stage, CPU per stage)."""
    from api.pipeline import article_facts, graph_of_facts
    from graph.ingest import ingest_graph
    from graph.validation import validate_graph

    stages: dict[str, list[float]] = {k: [] for k in STAGES}
    cpu: dict[str, list[float]] = {k: [] for k in STAGES}
    clock = time.process_time
    t_all = time.perf_counter()
    for art in arts:
        t0, c0 = time.perf_counter(), clock()
        facts = article_facts(art.text, art.doc_id)
        t1, c1 = time.perf_counter(), clock()
        built = graph_of_facts(facts, art.text)
        t2, c2 = time.perf_counter(), clock()
        report = validate_graph(built.graph)
        t3, c3 = time.perf_counter(), clock()
        if report.conforms:
            ingest_graph(store, built.iri, built.graph, validate=False)
        t4, c4 = time.perf_counter(), clock()
        for k, v, c in zip(
            STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), (c1 - c0, c2 - c1, c3 - c2, c4 - c3), strict=True
        ):
            stages[k].append(v)
            cpu[k].append(c)
    return time.perf_counter() - t_all, stages, cpu


def _print(label: str, n: int, wall: float, stages: dict, cpu: dict) -> None:
    cpu_total = sum(sum(v) for v in cpu.values()) or 1e-9
    print(
        f"{label}: {n} articles in {wall:.2f} s = {n / wall:.1f} articles/s (one process, warm); "
        f"CPU {cpu_total:.2f} s = {n / cpu_total:.1f} articles per CPU-second"
    )
    for k, v in stages.items():
        ms = {"median": statistics.median(v), "mean": statistics.mean(v), "cpu": statistics.median(cpu[k])}
        print(
            f"  {k:8s} wall median {ms['median'] * 1000:7.1f} ms  mean {ms['mean'] * 1000:7.1f} ms  "
            f"CPU median {ms['cpu'] * 1000:7.1f} ms  CPU share {sum(cpu[k]) / cpu_total:5.1%}"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20, help="articles per pass (timed, then profiled)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--prefill", type=Path, default=None, help="bulk-load these N-Quads into the store first")
    ap.add_argument("--no-profile", action="store_true", help="only the timed pass")
    ap.add_argument("--html", type=Path, default=None, help="also write pyinstrument's HTML report here")
    a = ap.parse_args(argv)

    from api.pipeline import validated
    from graph import open_store

    writer = ArticleWriter(a.seed, prefix="profile")
    arts = [writer.write() for _ in range(2 * a.n + 1)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    store_dir = tmp / "store"
    if a.prefill:
        import pyoxigraph as ox

        t = time.perf_counter()
        st = ox.Store(str(store_dir))
        st.bulk_load(path=str(a.prefill), format=ox.RdfFormat.N_QUADS)
        st.flush()
        print(f"prefilled {len(st):,} quads in {time.perf_counter() - t:.1f} s")
        del st
    store = open_store(str(store_dir))
    warm = arts.pop()
    # lexicons and shapes load once per process: not per article
    validated(warm.text, warm.doc_id)
    timed, profiled = arts[: a.n], arts[a.n :]
    _print("timed", a.n, *_run(store, timed))
    if not a.no_profile:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.001)
        prof.start()
        result = _run(store, profiled)
        prof.stop()
        _print("profiled (slower: sampling overhead)", a.n, *result)
        print(prof.output_text(unicode=False, color=False, show_all=False)[:6000])
        if a.html:
            a.html.write_text(prof.output_html())
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
