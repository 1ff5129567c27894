"""Where ingest time goes: `python -m bench.profile_ingest [-n 20]` profiles the pipeline `bomay ingest`
runs per article (extract → RDF → SHACL → write) with pyinstrument, in one process on a temp store, and
prints the time per stage and the profile's top frames.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.articles import ArticleWriter


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--html", type=Path, default=None, help="also write pyinstrument's HTML report here")
    a = ap.parse_args(argv)
    from pyinstrument import Profiler

    from graph import open_store
    from graph.validation import validate_graph
    from loaders.extract import extract_document
    from loaders.rdf import facts_to_graph
    from ontology.namespaces import article_graph

    writer = ArticleWriter(a.seed, prefix="profile")
    arts = [writer.write() for _ in range(a.n + 1)]
    store = open_store(str(Path(tempfile.mkdtemp(prefix="bench-profile-")) / "store"))
    warm = arts.pop()
    extract_document(warm.text, warm.doc_id)  # lexicons and shapes load once per process: not per article
    validate_graph(facts_to_graph(extract_document(warm.text, warm.doc_id), warm.text))
    stages: dict[str, list[float]] = {"extract": [], "rdf": [], "shacl": [], "write": []}
    cpu: dict[str, list[float]] = {k: [] for k in stages}
    prof = Profiler(interval=0.001)
    prof.start()
    t_all = time.perf_counter()
    clock = time.process_time
    for art in arts:
        t0, c0 = time.perf_counter(), clock()
        facts = extract_document(art.text, art.doc_id)
        t1, c1 = time.perf_counter(), clock()
        g = facts_to_graph(facts, art.text)
        t2, c2 = time.perf_counter(), clock()
        report = validate_graph(g)
        t3, c3 = time.perf_counter(), clock()
        if report.conforms:
            store.replace_graph(str(article_graph(art.doc_id)), g)
        t4, c4 = time.perf_counter(), clock()
        for k, v, c in zip(
            stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), (c1 - c0, c2 - c1, c3 - c2, c4 - c3), strict=True
        ):
            stages[k].append(v)
            cpu[k].append(c)
    wall = time.perf_counter() - t_all
    prof.stop()
    store.close()
    cpu_total = sum(sum(v) for v in cpu.values())
    print(
        f"{a.n} articles in {wall:.2f} s = {a.n / wall:.1f} articles/s (one process, warm); "
        f"CPU {cpu_total:.2f} s = {a.n / cpu_total:.1f} articles per CPU-second"
    )
    for k, v in stages.items():
        print(
            f"  {k:8s} wall median {statistics.median(v) * 1000:7.1f} ms  CPU median "
            f"{statistics.median(cpu[k]) * 1000:7.1f} ms  CPU share {sum(cpu[k]) / cpu_total:5.1%}"
        )
    print(prof.output_text(unicode=False, color=False, show_all=False)[:6000])
    if a.html:
        a.html.write_text(prof.output_html())


if __name__ == "__main__":
    main()
