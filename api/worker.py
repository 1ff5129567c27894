"""Query worker process: an in-memory read replica of the store, answering one job at a time over a pipe.

It lives in its own process so that a query past its time limit can be stopped by ending the
process (pyoxigraph has no timeout and a thread cannot be killed). It holds its own in-memory copy,
seeded from an N-Quads snapshot and kept current by `sync` jobs after each write, because a
read-only RocksDB handle beside a live writer breaks when the writer compacts files away, and
because memory answers faster than disk. Keep imports light: every worker is a fresh interpreter.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMAT = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}


class LimitExceeded(Exception):
    """More rows or triples than the operator allows."""


def term_json(t: Any) -> dict:
    """SPARQL 1.1 JSON results form of one term."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(t.subject),
                "predicate": term_json(t.predicate),
                "object": term_json(t.object),
            },
        }
    return {"type": "literal", "value": str(t)}


def _term_xml(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def _term_csv(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.NamedNode | ox.Literal):
        return t.value
    return str(t)


def serialize_rows(fmt: str, variables: list[str], rows: list[list[Any]]) -> bytes:
    """SELECT results in one of the four SPARQL results formats."""
    if fmt == "json":
        bindings = [
            {v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows
        ]
        return json.dumps(
            {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
        ).encode()
    if fmt == "xml":
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>",
            *(f"<variable name={quoteattr(v)}/>" for v in variables),
            "</head><results>",
        ]
        for row in rows:
            parts.append("<result>")
            parts.extend(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow([_term_csv(t) for t in row])
        return buf.getvalue().encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def serialize_boolean(fmt: str, value: bool) -> bytes:
    """ASK results."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    sep = "\r\n" if fmt == "csv" else "\n"
    return f"_askResult{sep}{word}{sep}".encode()


def _dataset(job: dict) -> dict:
    """The replica's own default graph already holds the union of the named graphs, each triple once."""
    dg, ng = job.get("default_graphs") or [], job.get("named_graphs") or []
    if dg or ng:
        return {"default_graph": [ox.NamedNode(g) for g in dg], "named_graphs": [ox.NamedNode(g) for g in ng]}
    return {}


def _bindings(job: dict) -> dict:
    out = {}
    for name, (kind, value) in (job.get("bindings") or {}).items():
        out[ox.Variable(name)] = ox.NamedNode(value) if kind == "iri" else ox.Literal(value)
    return out


def dump(store: ox.Store, job: dict) -> tuple[bytes, str]:
    """Named graphs (all, or `graphs`) serialised by the engine itself: datasets keep their graphs,
    triple formats get the union with each triple once. Far faster than CONSTRUCT for whole graphs."""
    limit = int(job["limit"])
    fmt, media = GRAPH_FORMAT[job.get("graph_format") or "nquads"]
    graphs = [ox.NamedNode(g) for g in job["graphs"]] if job.get("graphs") else list(store.named_graphs())
    if fmt.supports_datasets:
        lines: list[bytes] = []
        for g in graphs:
            tail = f" {g} .".encode()
            lines += [
                ln[:-2] + tail
                for ln in store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines()
                if ln.endswith(b" .")
            ]
            if len(lines) > limit:
                raise LimitExceeded(limit)
        data = b"\n".join(lines) + b"\n" if lines else b""
        if fmt == ox.RdfFormat.N_QUADS:
            return data, media
        return ox.serialize(ox.parse(data, format=ox.RdfFormat.N_QUADS), format=fmt) or b"", media
    seen: dict[bytes, None] = {}
    for g in graphs:
        seen.update(dict.fromkeys(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines()))
        if len(seen) > limit:
            raise LimitExceeded(limit)
    data = b"\n".join(seen) + b"\n" if seen else b""
    if fmt == ox.RdfFormat.N_TRIPLES:
        return data, media
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    with_prefixes = fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) and job.get("prefixes")
    out = (
        ox.serialize(triples, format=fmt, prefixes=job["prefixes"])
        if with_prefixes
        else ox.serialize(triples, format=fmt)
    )
    return out or b"", media


def run_job(store: ox.Store, job: dict) -> tuple[bytes, str] | list[dict]:
    """Execute one job; `limit` bounds rows/triples, exceeding it raises LimitExceeded."""
    limit = int(job["limit"])
    if job["kind"] == "dump":
        return dump(store, job)
    kwargs = _dataset(job)
    subs = _bindings(job)
    if subs:
        kwargs["substitutions"] = subs
    result = store.query(job["query"], **kwargs)
    if isinstance(result, ox.QueryBoolean):
        if job["kind"] == "rows":
            return [{"boolean": bool(result)}]
        return serialize_boolean(job["result_format"], bool(result)), RESULT_MEDIA[job["result_format"]]
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        for sol in result:
            if len(rows) >= limit:
                raise LimitExceeded(limit)
            rows.append([sol[v] for v in variables])
        if job["kind"] == "rows":
            return [
                {v: _plain(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows
            ]
        return serialize_rows(job["result_format"], variables, rows), RESULT_MEDIA[job["result_format"]]
    triples = []
    for t in result:
        if len(triples) >= limit:
            raise LimitExceeded(limit)
        triples.append(t)
    fmt, media = GRAPH_FORMAT[job.get("graph_format") or "turtle"]
    with_prefixes = fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) and job.get(
        "prefixes"
    )
    data = (
        ox.serialize(triples, format=fmt, prefixes=job["prefixes"])
        if with_prefixes
        else ox.serialize(triples, format=fmt)
    )
    return data or b"", media


def _plain(t: Any) -> Any:
    """Python value for REST rows: IRIs and strings as str, numbers and booleans typed."""
    if isinstance(t, ox.Literal):
        dt = t.datatype.value
        if dt.endswith(("#integer", "#int", "#long", "#decimal")) and "decimal" not in dt:
            try:
                return int(t.value)
            except ValueError:
                return t.value
        if dt.endswith("#boolean"):
            return t.value == "true"
        return t.value
    if isinstance(t, ox.NamedNode | ox.BlankNode):
        return t.value
    return str(t)


DEFAULT = ox.DefaultGraph()
MERGE_BATCH = 100_000


def _triples(store: ox.Store, graph: Any) -> set[tuple[Any, Any, Any]]:
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}


def merge_default(store: ox.Store) -> None:
    """Fill the default graph with every named graph's triples, once each.

    Articles repeat the models, places and documents they share; a union default graph would answer
    one row per copy and multiply rows at every join, so the replica keeps a set union instead.
    """
    batch: list[ox.Quad] = []
    for q in store.quads_for_pattern(None, None, None, None):
        if q.graph_name != DEFAULT:
            batch.append(ox.Quad(q.subject, q.predicate, q.object, DEFAULT))
            if len(batch) >= MERGE_BATCH:
                store.extend(batch)
                batch = []
    store.extend(batch)


def _held_elsewhere(store: ox.Store, triple: tuple[Any, Any, Any]) -> bool:
    return any(q.graph_name != DEFAULT for q in store.quads_for_pattern(*triple, None))


def apply_sync(store: ox.Store, job: dict) -> None:
    """Replace one named graph of the replica with the writer's current content (empty: drop it),
    keeping the merged default graph equal to the set union of the named graphs."""
    graph = ox.NamedNode(job["graph"])
    old = _triples(store, graph)
    store.remove_graph(graph)
    if job["data"]:
        store.load(job["data"], format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    new = _triples(store, graph)
    for t in old - new:
        if not _held_elsewhere(store, t):
            store.remove(ox.Quad(*t, DEFAULT))
    store.extend([ox.Quad(*t, DEFAULT) for t in new - old])


def main(conn: Any, snapshot_path: str) -> None:
    """Worker loop: load the snapshot, say ready, then answer jobs until None."""
    store = ox.Store()
    try:
        store.bulk_load(path=snapshot_path, format=ox.RdfFormat.N_QUADS)
        merge_default(store)
    except Exception as e:  # noqa: BLE001 — the pool reports it and gives up on this worker
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            if job["kind"] == "sync":
                apply_sync(store, job)
                conn.send(("ok", None))
                continue
            conn.send(("ok", run_job(store, job)))
        except SyntaxError as e:
            conn.send(("syntax", str(e)))
        except LimitExceeded as e:
            conn.send(("limit", int(e.args[0])))
        except Exception as e:  # noqa: BLE001 — reported to the client as a clean error
            conn.send(("error", f"{type(e).__name__}: {e}"))
