"""Markdown tables from the workers' records: load and memory, latency with ratios, throughput, ingest,
and the paired HTTP-layer measurement (bench/http_overhead.py)."""

from __future__ import annotations

import statistics
from pathlib import Path

BASE = "oxigraph-mem"  # in-process pyoxigraph on the service's own query layout (bench/engines.py)
SERVICE = "http"


def _ms(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x * 1000:.1f}" if x < 10 else f"{x * 1000:.0f}"


def _ratio(x: float | None, base: float | None) -> str:
    if x is None or not base:
        return "–"
    return f"{x / base:.2f}×"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def queries(rec: list[dict]) -> dict[str, dict]:
    out = {}
    for r in rec:
        if r["type"] in ("query", "timeout", "error"):
            out[r["name"]] = r
    return out


def cell(r: dict | None, base: dict | None) -> str:
    """`median / p95 ms (ratio of medians against the baseline)`, or why there is no figure."""
    if r is None:
        return "not run"
    if r["type"] == "timeout":
        lower = r["seconds"] / base["median"] if base and base.get("median") else None
        return f"> {r['seconds']:.0f} s" + (f" (> {lower:.0f}×)" if lower else "")
    if r["type"] == "error":
        return "error"
    s = f"{_ms(r['median'])} / {_ms(r['p95'])}"
    if base and base.get("type") == "query" and r is not base:
        s += f" ({_ratio(r['median'], base['median'])})"
    return s


def ratios(
    results: dict[str, list[dict]], engine: str, cq_names: list[str], base_engine: str = BASE
) -> list[float]:
    """Per-CQ ratios engine / base engine (medians); a timeout counts with its lower bound."""
    base, other = queries(results.get(base_engine, [])), queries(results.get(engine, []))
    out = []
    for n in cq_names:
        b, o = base.get(n), other.get(n)
        if not b or b["type"] != "query" or not o:
            continue
        if o["type"] == "query":
            out.append(o["median"] / b["median"])
        elif o["type"] == "timeout":
            out.append(o["seconds"] / b["median"])
    return out


def _median_of(rs: list[float]) -> str:
    if not rs:
        return "–"
    return f"{statistics.median(rs):.2f}× (min {min(rs):.2f}, max {max(rs):.2f}, {len(rs)} queries)"


def paired_ratios(paired: dict | None) -> dict[str, float]:
    """HTTP / in-process per CQ from the paired step (bench/http_overhead.py), by query name."""
    out = {}
    for r in (paired or {}).get("rows", []):
        if r.get("cq") and r["in_process_ms"]:
            out[r["case"].removeprefix("/sparql ")] = r["http_ms"] / r["in_process_ms"]
    return out


def paired_table(rows: list[dict]) -> list[str]:
    """The paired rows as a Markdown table (also what `python -m bench.http_overhead` prints)."""
    lines = [
        "| case | in-process ms | HTTP ms | ratio | overhead ms | pairs |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = f"{r['http_ms'] / r['in_process_ms']:.2f}×" if r["in_process_ms"] else "–"
        star = " (CQ)" if r.get("cq") else ""
        lines.append(
            f"| {r['case'][:90]}{star} | {r['in_process_ms']:.2f} | {r['http_ms']:.2f} | {ratio} "
            f"| {r['http_ms'] - r['in_process_ms']:.2f} | {r.get('n', '–')} |"
        )
    return lines


def _best_ingest(r: dict) -> tuple[str | None, float | None]:
    """The fastest sustained ingest path of one fill level (older records: their overall rates)."""
    paths = {
        "CLI": r.get("cli_sustained") or r.get("cli_marginal"),
        "HTTP 1 client": r.get("http_sustained") or r.get("http_rate"),
        "HTTP 2 clients": r.get("http_sustained_2") or r.get("http_rate_2"),
    }
    return max(((k, v) for k, v in paths.items() if v), key=lambda kv: kv[1], default=(None, None))


def targets(
    results: dict[str, list[dict]],
    names: list[str],
    cq_names: list[str],
    ingest: list[dict],
    paired: dict | None = None,
) -> list[str]:
    """The issue's four targets, measured in this run, each with its verdict. The HTTP layer's verdict is
    the paired measurement's when the run has one (in-process and HTTP timed alternately, call by call,
    on the same data); the ratio of the `http` and `oxigraph-mem` columns, measured minutes apart, is
    stated beside it."""
    base, svc, rdf = (queries(results.get(e, [])) for e in (BASE, SERVICE, "rdflib"))
    layer = ratios(results, SERVICE, cq_names)
    over = [n for n in cq_names if n in base and n in svc and svc[n]["type"] == "query"
            and base[n]["type"] == "query" and svc[n]["median"] / base[n]["median"] > 1.5]
    speed = []  # rdflib / service, per query of the mix (an rdflib timeout counts at its limit)
    for n in names:
        b, o = svc.get(n), rdf.get(n)
        if b and o and b["type"] == "query":
            if o["type"] == "query" and o["rows"] != b["rows"]:
                continue  # not the same answer, not the same work (see the notes)
            if o["type"] == "query":
                speed.append(o["median"] / b["median"])
            elif o["type"] == "timeout":
                speed.append(o["seconds"] / b["median"])
    rest = {n: svc[n]["median"] for n in ("rest_place (REST)", "rest_model (REST)")
            if n in svc and svc[n]["type"] == "query"}
    best = [(r["level"], *_best_ingest(r)) for r in ingest]  # (level, path, rate) per fill level
    rates = [rate for _, _, rate in best if rate is not None]

    def verdict(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "**missed**")

    pr = paired_ratios(paired)
    if pr:
        p_over = [n for n, r in pr.items() if r > 1.5]
        layer_row = (
            "| HTTP layer ≤ 1.5× in-process (CQ medians; verdict: paired, in-process and HTTP timed "
            f"alternately on the same data) | paired {_median_of(list(pr.values()))}"
            + (f"; over 1.5×: {', '.join(p_over)}" if p_over else "")
            + f"; sequential columns (`{SERVICE}` / `{BASE}`) {_median_of(layer)}"
            + f" | {verdict(statistics.median(list(pr.values())) <= 1.5)} |"
        )
    else:
        layer_row = (
            f"| HTTP layer ≤ 1.5× in-process (`{SERVICE}` / `{BASE}`, CQ medians) | {_median_of(layer)}"
            + (f"; over 1.5×: {', '.join(over)}" if over else "")
            + f" | {verdict(bool(layer) and statistics.median(layer) <= 1.5 if layer else None)} |"
        )

    lines = [
        "## Targets",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        layer_row,
        f"| ≥ 10× faster than rdflib on the mix (median of rdflib / `{SERVICE}`; 20× wanted) | "
        f"{_median_of(speed)} | {verdict(statistics.median(speed) >= 10 if speed else None)} |",
        "| REST lookups median < 10 ms | "
        + (", ".join(f"{n.split(' ')[0]} {v * 1000:.1f} ms" for n, v in rest.items()) or "–")
        + f" | {verdict(all(v < 0.010 for v in rest.values()) if rest else None)} |",
        "| ingest with SHACL ≥ 20 articles/s, flat (every fill level: its best sustained rate of `bomay "
        "ingest`, HTTP POST with 1 client and with 2 clients) | "
        + (
            "; ".join(f"{lv}: {rate:.1f} ({path})" for lv, path, rate in best if rate is not None)
            + f"; min {min(rates):.1f} articles/s"
            if rates
            else "–"
        )
        + f" | {verdict(min(rates) >= 20 if rates else None)} |",
        "",
    ]
    return lines


def render(
    meta: dict,
    results: dict[str, list[dict]],
    names: list[str],
    cq_names: list[str],
    ingest: list[dict],
    notes: list[str],
    paired: dict | None = None,
) -> str:
    engines = [e for e in results if results[e]]
    lines = [f"# Benchmark {meta['date']} — size {meta['size']}", ""]
    lines += [
        f"- data: {meta['triples']:,} triples ({meta['articles']:,} article graphs, "
        f"{meta['applications']:,} pilot applications; units {meta['units']}), seed {meta['seed']}, "
        f"generated in {meta['gen_seconds']} s",
        f"- machine: {meta['machine']['nproc']} cores ({meta['machine']['cpu']}), "
        f"{meta['machine']['memory']}, {meta['machine']['os']}; shared with other jobs while measured",
        "- versions: "
        + ", ".join(
            f"{k} {v}" for k, v in meta["machine"].items() if k not in ("nproc", "cpu", "memory", "os")
        ),
        f"- settings: {meta['settings']}",
        f"- wall time of the whole run: {meta['wall']:.0f} s",
        "",
    ]
    lines += targets(results, names, cq_names, ingest, paired)
    lines += [
        "## Load and peak memory",
        "",
        "| engine | load (s) | load vs oxigraph-mem | peak RSS client/in-process (MB) "
        "| peak server tree, PSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    base_load = next((r["seconds"] for r in results.get(BASE, []) if r["type"] == "load"), None)
    for e in engines:
        load = next((r["seconds"] for r in results[e] if r["type"] == "load"), None)
        mem = [r for r in results[e] if "self_mb" in r]
        self_mb = max((m["self_mb"] for m in mem), default=0)
        server_mb = max((m["server_mb"] for m in mem), default=0)
        lines.append(
            f"| {e} | {load:.2f} | {_ratio(load, base_load)} | {self_mb:.0f} | {server_mb:.0f} |"
            if load is not None
            else f"| {e} | – | – | {self_mb:.0f} | {server_mb:.0f} |"
        )
    restarts = [(e, r) for e in engines for r in results[e] if r["type"] == "restart"]
    if restarts:
        base_mb = max((m["self_mb"] for m in results.get(BASE, []) if "self_mb" in m), default=None)
        lines += [
            "",
            "## Start with the store present",
            "",
            "The server stopped after the load and started again on the store it left, timed until /health "
            "answers and until a search does; the server tree's memory (PSS) then, against in-process "
            "pyoxigraph's peak RSS.",
            "",
            "| engine | /health (s) | first search (s) | server tree (MB) | vs oxigraph-mem |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for e, r in restarts:
            lines.append(f"| {e} | {r['health_s']:.1f} | {r['search_s']:.1f} | {r['server_mb']:.0f} "
                         f"| {_ratio(r['server_mb'], base_mb)} |")
    lines += [
        "",
        "## Latency: median / p95 in ms (ratio of medians against in-process pyoxigraph)",
        "",
        "| query | rows | " + " | ".join(engines) + " |",
        "| --- | --- |" + " ---: |" * len(engines),
    ]
    base_q = queries(results.get(BASE, []))
    per = {e: queries(results[e]) for e in engines}
    for n in names:
        rows = {tuple(per[e][n]["rows"]) for e in engines if n in per[e] and per[e][n]["type"] == "query"}
        rows_s = "/".join(str(x) for x in next(iter(rows))) if len(rows) == 1 else ("differ" if rows else "–")
        if n.endswith("(REST)"):
            rows_s = "bytes"
        star = " (CQ)" if n in cq_names else ""
        lines.append(
            f"| {n}{star} | {rows_s} | "
            + " | ".join(cell(per[e].get(n), base_q.get(n.replace(" (REST)", ""))) for e in engines)
            + " |"
        )
    lines += [
        "",
        'Rows: per parameter value; "differ" = engines disagree (see notes).',
        "",
        "## Competency questions: median of per-query ratios (timeouts count at their limit: a lower bound)",
        "",
        "Against in-process pyoxigraph on the layout the service queries (`oxigraph-mem`), and against the",
        "on-disk store with a deduplicated default graph (`oxigraph-merged`).",
        "",
        "| engine | vs oxigraph-mem: median (min–max) | CQs | vs oxigraph-merged: median (min–max) | CQs |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]

    def summary(rs: list[float]) -> str:
        return f"{statistics.median(rs):.2f}× ({min(rs):.2f}–{max(rs):.2f})" if rs else "–"

    for e in engines:
        r1 = ratios(results, e, cq_names)
        r2 = ratios(results, e, cq_names, "oxigraph-merged")
        lines.append(f"| {e} | {summary(r1)} | {len(r1)} | {summary(r2)} | {len(r2)} |")
    if paired and paired.get("rows"):
        ps = paired.get("settings", {})
        lines += [
            "",
            "## HTTP layer against in-process, paired",
            "",
            "`python -m bench.http_overhead --cq` after the engines: a query worker's in-process replica "
            "(api/worker.py layout; the query plus SPARQL-JSON serialisation) and `bomay serve` over "
            "HTTP on the same data, timed alternately call by call, so both see the same machine. "
            "Medians of the pairs; CQs with their first parameter value; REST rows: the worker jobs "
            "the endpoint sends, run one after another"
            + (f"; budget {ps['budget']:g} s per case" if ps.get("budget") else "")
            + (f", {ps['seconds']:.0f} s in all" if ps.get("seconds") else "")
            + ".",
            "",
            *paired_table(paired["rows"]),
        ]
        pr = paired_ratios(paired)
        if pr:
            lines += ["", f"CQ median ratio (the HTTP-layer target): {_median_of(list(pr.values()))}."]
    # the last throughput record per engine (a restarted worker may have measured it twice)
    tp = list({e: (e, r) for e in engines for r in results[e] if r["type"] == "throughput"}.values())
    if tp:
        base_tp = next((r["qps"] for e, r in tp if e == BASE), None)
        lines += [
            "",
            "## Throughput: competency questions, 8 concurrent clients",
            "",
            "| engine | queries/s | vs oxigraph-mem | completed | errors | wall (s) | CQs in the loop |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for e, r in tp:
            mix = ", ".join(n.split("_")[0] for n in r.get("mix", [])) or "none under the limit"
            lines.append(
                f"| {e} | {r['qps']:.2f} | {_ratio(r['qps'], base_tp)} | {r['queries']} | "
                f"{r['errors']} | {r['seconds']:.1f} | {mix} |"
            )
    if ingest:
        lines += [
            "",
            "## Ingest with SHACL validation as the store grows",
            "",
            "Sustained rates leave out start-up: `bomay ingest`'s from its first to its last per-file line, "
            "HTTP's from the first answer to the last (1 client posting one article after another; 2 "
            "clients doing so at once). CPU: the server and all its processes (query replicas, ingest "
            "workers) per stored article.",
            "",
            "| fill level | store triples | articles | CLI art/s | CLI sustained | CLI marginal "
            "| HTTP 1 client art/s | HTTP 1 client sustained | HTTP 2 clients art/s "
            "| HTTP 2 clients sustained | server CPU ms/article (1 / 2 clients) | stored (1 / 2 clients) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in ingest:
            two = "http_rate_2" in r
            lines.append(
                f"| {r['level']} | {r['triples']:,} | {r['k']} | {r['cli_rate']:.1f} | "
                f"{_num(r.get('cli_sustained'))} | {_num(r['cli_marginal'])} | {r['http_rate']:.1f} | "
                f"{_num(r.get('http_sustained'))} | {_num(r['http_rate_2']) if two else '–'} | "
                f"{_num(r.get('http_sustained_2'))} | "
                f"{_num(r.get('http_cpu_ms'))} / {_num(r.get('http_cpu_ms_2'))} | "
                f"{r['http_ok']}" + (f" / {r['http_ok_2']}" if two else "") + f" of {r['k']} |"
            )
        errs = [e for r in ingest for e in r.get("errors", [])]
        if errs:
            lines += ["", "Ingest errors (first): " + "; ".join(errs[:3])]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.report RUN.json [MORE.json ...] -o OUT.md`: render again, merging partial runs
    (an engine in a later file replaces the same engine of an earlier one)."""
    import argparse
    import json

    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--names", default="", help="query order (default: as recorded in the first run)")
    a = ap.parse_args(argv)
    runs = [json.loads(p.read_text()) for p in a.runs]
    meta, results, ingest, notes, paired = runs[0]["meta"], {}, [], [], None
    for run in runs:
        results.update({e: r for e, r in run["results"].items() if r})
        ingest = run["ingest"] or ingest
        paired = run.get("paired") or paired
        notes += run["notes"]
    names: list[str] = []
    for recs in results.values():
        for r in recs:
            if r["type"] in ("query", "timeout", "error") and r["name"] not in names:
                names.append(r["name"])
    cq = [n for n in names if n.startswith("cq")]
    write(a.out, render(meta, results, names, cq, ingest, list(dict.fromkeys(notes)), paired))


if __name__ == "__main__":
    main()
