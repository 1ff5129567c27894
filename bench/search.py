"""`python -m bench.search --size S|M`: search through an index against today's SPARQL scan, side by side.

Three holders answer the same texts (params.json's `search` pool plus a few short and abbreviated ones) on
the same generated data, in one run:
- `scan`, the baseline of every ratio: graph/queries/api_search.rq (CONTAINS over every search key) on an
  in-memory pyoxigraph store holding the deduplicated default graph, with the API's substitutions (what
  /api/search ran before the index, minus HTTP);
- `index`: api/search_index.py's in-memory index, cold (its result cache emptied before every call, as
  after a write) and warm (the same text asked again);
- `fts5`: SQLite FTS5 (trigram tokenizer, standard library) over the same entries, ranked in SQL
  (exact, prefix, token, contains; the "words" rank has no FTS5 counterpart), first page and count.
Each answers the first page of 50 and the total. Results: bench/results/<date>-search-<size>.md / .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from api.search_index import MATCHES, SearchIndex, read
from bench.generate import generate
from graph import named
from graph.embedded import EmbeddedStore
from ontology.text import fold

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ["thanh", "ubkt", "hdnd", "a", "nghi quyet"]
PAGE = 50
REFRESHED = 20  # article graphs read back one at a time, as after a write to each


def _median_ms(fn, rounds: int, before=None) -> tuple[float, object]:
    times, out = [], None
    for _ in range(rounds):
        if before:
            before()
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


class Fts5:
    """The index's entries in SQLite FTS5 (trigram): match in the FTS table, rank and order in SQL."""

    def __init__(self, index: SearchIndex) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, item TEXT, label TEXT, category TEXT,"
                        " ord TEXT, blob TEXT)")
        self.db.execute("CREATE VIRTUAL TABLE fts USING fts5(keys, tokenize='trigram')")
        rows = [(n, e.item, e.label, e.category, index._order[e.item], index._blob[e.item])
                for n, e in enumerate(index._entries.values()) if e.item not in index._hidden]
        self.db.executemany("INSERT INTO entry VALUES (?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO fts (rowid, keys) VALUES (?, ?)", [(r[0], r[5]) for r in rows])
        self.db.commit()
        self.abbreviations = index.abbreviations

    def search(self, text: str) -> tuple[int, list[tuple[str, str]]]:
        q = fold(text)
        variants = sorted({q, self.abbreviations.expand(q)})
        ranks = " , ".join(
            "CASE WHEN instr(e.blob, ?) THEN 0 WHEN instr(e.blob, ?) THEN 1 WHEN instr(e.blob, ?) THEN 2"
            " WHEN instr(e.blob, ?) THEN 4 ELSE 9 END" for _ in variants)
        rank = f"MIN({ranks})" if len(variants) > 1 else ranks
        args: list[str] = []
        for v in variants:
            args += ["\n" + v + "\n", "\n" + v, " " + v, v]
        if min(len(v) for v in variants) >= 3:
            match = " OR ".join('"' + v.replace('"', "") + '"' for v in variants)
            source, margs = "fts JOIN entry e ON e.id = fts.rowid WHERE fts MATCH ?", [match]
        else:  # the trigram tokenizer needs three characters: a scan
            source = "entry e WHERE " + " OR ".join("instr(e.blob, ?)" for _ in variants)
            margs = list(variants)
        sql = f"SELECT e.item, {rank} AS r, e.ord FROM {source}"
        found = self.db.execute(f"SELECT item, r FROM ({sql}) WHERE r < 9 ORDER BY r, ord LIMIT {PAGE}",
                                args + margs).fetchall()
        total = self.db.execute(f"SELECT COUNT(*) FROM ({sql}) WHERE r < 9", args + margs).fetchone()[0]
        return total, [(item, MATCHES[r]) for item, r in found]


def run(size: str, seed: int, rounds: int, out_dir: Path) -> dict:
    data = Path("/tmp/bomay-bench") / f"{size}-{seed}"
    params = generate(size, seed, data)
    texts = list(dict.fromkeys(params["search"] + EXTRA))
    named_store = ox.Store()
    t = time.perf_counter()
    named_store.bulk_load(path=str(data / "data.nq"), format=ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - t
    default = ox.Store()  # the deduplicated default graph, as the API's query workers hold it
    default.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in named_store)

    over = EmbeddedStore.over(named_store)
    t = time.perf_counter()
    rows = list(read(over))
    read_s = time.perf_counter() - t
    # after a write the API reads back only the graphs it wrote (api.search_index.refresh)
    articles = sorted({r["g"] for r in rows if "/graph/article/" in r["g"]})[:REFRESHED]
    refresh_ms = statistics.median(_median_ms(lambda g=g: list(read(over, g)), rounds)[0] for g in articles)
    t, cpu = time.perf_counter(), time.process_time()
    index = SearchIndex()
    index.load(rows)
    index_s, index_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    fts = Fts5(index)
    fts_s = time.perf_counter() - t

    scan_text = named.get("api_search").text

    def scan(text: str) -> list:
        subs = {ox.Variable("q"): ox.Literal(fold(text)),
                ox.Variable("qRaw"): ox.Literal(text.lower().strip())}
        return [s["item"].value for s in default.query(scan_text, substitutions=subs)]

    results = []
    for text in texts:
        scan_ms, scanned = _median_ms(lambda t=text: scan(t), rounds)
        cold_ms, page = _median_ms(lambda t=text: index.search(t, 0, PAGE), rounds, index.forget)
        warm_ms, page = _median_ms(lambda t=text: index.search(t, 0, PAGE), rounds)
        fts_ms, (fts_total, _) = _median_ms(lambda t=text: fts.search(t), rounds)
        everything = index.search(text)
        found = {h.item for h in everything.hits} | {a for h in everything.hits for a in h.also}
        results.append({
            "q": text, "scan_rows": len(set(scanned)), "index_total": page.total, "fts5_total": fts_total,
            "scan_in_index": set(scanned) <= found,
            "scan_ms": round(scan_ms, 3), "index_cold_ms": round(cold_ms, 3),
            "index_warm_ms": round(warm_ms, 3), "fts5_ms": round(fts_ms, 3),
        })
        print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    return {
        "size": size, "seed": seed, "rounds": rounds, "triples": params["counts"]["triples"],
        "articles": params["counts"]["articles"], "entries": len(index), "load_nq_s": round(load_s, 2),
        "index_read_s": round(read_s, 2), "refresh_graph_ms": round(refresh_ms, 2),
        "refreshed_graphs": len(articles), "index_build_s": round(index_s, 2),
        "index_build_cpu_s": round(index_cpu, 2), "fts5_build_s": round(fts_s, 2),
        "queries": results,
    }


def report(res: dict) -> str:
    lines = [
        f"# Search holders, size {res['size']} ({res['triples']:,} triples, {res['articles']:,} articles, "
        f"{res['entries']:,} searchable resources)",
        "",
        f"Median of {res['rounds']} calls each, one process, one run (`python -m bench.search --size "
        f"{res['size']}`). Baseline of every ratio: `scan`, graph/queries/api_search.rq on in-memory "
        "pyoxigraph (the deduplicated default graph, as the query workers hold it). `index` answers the "
        "first page of 50 and the total, cold = its result cache emptied before each call (as after a write),"
        " warm = the same text again; `fts5` the same page and total from SQLite FTS5 (trigram).",
        "",
        "| q | scan rows | index total | fts5 total | scan ⊆ index | scan ms | index cold ms | index warm ms "
        "| fts5 ms | scan / cold | scan / warm | scan / fts5 |",
        "| --- | ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in res["queries"]:
        def ratio(x: float, base: float = r["scan_ms"]) -> str:
            return f"{base / x:.0f}×" if x > 0 else "–"

        lines.append(
            f"| {r['q']} | {r['scan_rows']} | {r['index_total']} | {r['fts5_total']} | "
            f"{'yes' if r['scan_in_index'] else 'NO'} | {r['scan_ms']:.2f} | {r['index_cold_ms']:.2f} | "
            f"{r['index_warm_ms']:.2f} | {r['fts5_ms']:.2f} | {ratio(r['index_cold_ms'])} | "
            f"{ratio(r['index_warm_ms'])} | {ratio(r['fts5_ms'])} |"
        )
    lines += [
        "",
        f"Build from the store: index read (search_index.rq, streamed) {res['index_read_s']} s, index "
        f"load {res['index_build_s']} s ({res['index_build_cpu_s']} s CPU); FTS5 from the index's entries "
        f"{res['fts5_build_s']} s "
        f"(N-Quads load into pyoxigraph {res['load_nq_s']} s, not part of either).",
        "",
        f"After a write: reading back one article graph (search_index.rq with ?g bound, what the API does "
        f"for each graph a write touches) {res['refresh_graph_ms']} ms, median of {res['refreshed_graphs']} "
        f"graphs; {res['index_read_s'] * 1000 / res['refresh_graph_ms']:.0f}× faster than reading the whole "
        "store again.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="S", choices=["S", "M", "L"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    a = ap.parse_args(argv)
    res = run(a.size, a.seed, a.rounds, a.out)
    res["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    stem = a.out / f"{dt.date.today():%Y-%m-%d}-search-{a.size}"
    stem.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    text = report(res) + f"Run {res['date']}.\n"
    stem.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
