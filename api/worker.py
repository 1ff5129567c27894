"""Query worker process: an in-memory read replica of the store, answering one job at a time over a pipe.

It lives in its own process so that a query past its time limit can be stopped by ending the
process (pyoxigraph has no timeout and a thread cannot be killed). It holds the store's default graph (the
stored union) in memory, because memory answers faster than disk: read from a checkpoint of the store (a
read-only RocksDB handle on the live store beside its writer is not safe) and kept current by `sync` jobs
after each write. Jobs that name graphs read an on-disk checkpoint the pool makes for them, so no process
holds the named graphs in memory. The pool starts one zygote (`zygote_main`) that loads the replica and
forks the workers, which share its pages. Keep imports light: the zygote is a fresh interpreter.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
from typing import Any

import pyoxigraph as ox

from api.jobs import Job
from graph.formats import GRAPH_FORMATS, RESULT_FORMATS

# Answers up to this size are read on the pool's event loop (a memory copy); larger ones in a thread.
INLINE_MAX = 1 << 20


class LimitExceeded(Exception):
    """More rows or triples than the operator allows."""


class AnswerTooLarge(Exception):
    """An answer longer, in bytes, than the operator allows (one row can hold hundreds of MB)."""


class _RowCap:
    """Sink for the engine's TSV output that stops it past `limit` rows.

    A TSV row is exactly one line (the engine escapes line breaks inside literals), so counting the
    newlines of each chunk counts rows without a Python object per term.
    """

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        self.limit, self.lines, self.parts = limit, 0, []
        self.max_bytes, self.size = max_bytes, 0

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise AnswerTooLarge(self.max_bytes)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit + 1:  # the header line plus `limit` rows
            raise LimitExceeded(self.limit)
        self.parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the chunks are joined once the engine is done."""


class _Unsure(Exception):
    """The JSON row count is not certain (empty rows, or "{}" inside literals): count through TSV."""


class _JsonRowCap:
    """Sink for the engine's compact SPARQL-JSON output that counts rows as it writes.

    Inside a JSON string every `"` is escaped, so the bytes `},{"` occur only between two rows (the
    second one binding something) and `"bindings":[{"` only before a first such row: their count is
    exact. Rows binding nothing (`{}`) cannot be told from "{}" inside a literal, so while that upper
    bound stays under the cap the answer is certain, and above it `_Unsure` sends the query to the
    exact TSV path (rare: an answer at least `limit` rows long).
    """

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        self.limit, self.rows, self.empty, self.parts = limit, 0, 0, []
        self.max_bytes, self.size = max_bytes, 0

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise AnswerTooLarge(self.max_bytes)
        # A pattern cut by a chunk boundary is missed here (a lower bound); `finish` counts exactly.
        self.rows += chunk.count(b'},{"')
        self.empty += chunk.count(b"{}")
        if self.rows > self.limit:
            raise LimitExceeded(self.limit)
        if self.rows + self.empty > self.limit:
            raise _Unsure
        self.parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the chunks are joined once the engine is done."""

    def finish(self) -> bytes:
        data = b"".join(self.parts)
        rows = data.count(b'},{"') + (b'"bindings":[{"' in data)
        if rows > self.limit:
            raise LimitExceeded(self.limit)
        if rows + data.count(b"{}") > self.limit:
            raise _Unsure
        return data


@functools.cache
def _json_counting_works() -> bool:
    """Check once that this pyoxigraph writes the compact JSON `_JsonRowCap` relies on."""
    probe = 'SELECT ?a ?b { VALUES (?a ?b) { (1 "},{\\"x\\":{}") (UNDEF <urn:x>) (UNDEF UNDEF) (2 UNDEF) } }'
    try:
        sink = _JsonRowCap(3)
        ox.Store().query(probe).serialize(sink, format=ox.QueryResultsFormat.JSON)
        sink.finish()
    except _Unsure:
        pass
    else:
        return False  # 4 rows with "{}" in them must be unsure under a cap of 3
    sink = _JsonRowCap(10)
    ox.Store().query(probe).serialize(sink, format=ox.QueryResultsFormat.JSON)
    data = sink.finish()
    return data.count(b'},{"') + (b'"bindings":[{"' in data) == 3  # the three rows binding something


def json_solutions(result: ox.QuerySolutions, limit: int, max_bytes: int | None = None) -> bytes:
    """SELECT results as SPARQL JSON straight from the engine, refusing more than `limit` rows;
    raises _Unsure when only an exact count can tell (then use serialize_solutions)."""
    if not _json_counting_works():
        raise _Unsure
    sink = _JsonRowCap(limit, max_bytes)
    result.serialize(sink, format=ox.QueryResultsFormat.JSON)
    return sink.finish()


def serialize_solutions(
    result: ox.QuerySolutions, fmt: str, limit: int, max_bytes: int | None = None
) -> bytes:
    """SELECT results in one of the four SPARQL results formats, serialised by the engine itself.

    The engine writes TSV first, checked against the row cap while it writes; other formats are the
    engine's conversion of that TSV, which keeps every term (IRIs, blank node labels, literals with
    language or datatype). Several times faster than building Python terms and dicts per row.
    """
    sink = _RowCap(limit, max_bytes)
    result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    tsv = b"".join(sink.parts)
    if fmt == "tsv":
        return tsv
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=RESULT_FORMATS[fmt].ox) or b""


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


def _dataset(job: Job) -> dict:
    """The replica's own default graph already holds the union of the named graphs, each triple once."""
    dg, ng = job.get("default_graphs") or [], job.get("named_graphs") or []
    if dg or ng:
        return {"default_graph": [ox.NamedNode(g) for g in dg], "named_graphs": [ox.NamedNode(g) for g in ng]}
    return {}


def _bindings(job: Job) -> dict:
    out = {}
    for name, (kind, value) in (job.get("bindings") or {}).items():
        out[ox.Variable(name)] = ox.NamedNode(value) if kind == "iri" else ox.Literal(value)
    return out


def dump(store: ox.Store, job: Job) -> tuple[bytes, str]:
    """Named graphs (all, or `graphs`) serialised by the engine itself: datasets keep their graphs;
    triple formats get the default graph (the reviewed view every query reads: each triple once, what
    reviews retract left out), or the union of the `graphs` asked for. Far faster than CONSTRUCT."""
    limit = int(job["limit"])
    out_format = GRAPH_FORMATS[job.get("graph_format") or "nquads"]
    fmt, media = out_format.ox, out_format.content_type
    graphs = [ox.NamedNode(g) for g in job["graphs"]] if job.get("graphs") else list(store.named_graphs())
    if out_format.datasets:
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
    for g in graphs if job.get("graphs") else [ox.DefaultGraph()]:
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


class Refused(Exception):
    """An export the worker cannot make: args are (reason, message), reason one of nothing_matches,
    bad_filter, not_available (the server answers 404, 400, 501)."""


def export(store: ox.Store, job: Job) -> tuple[bytes, str]:
    """A filtered or graph-format export (graph.exports), made here so the time limit stops it like a
    query: the whole projection, resolution of the filters included, runs inside this process."""
    from graph.embedded import EmbeddedStore  # heavy (rdflib, networkx): only for export jobs
    from graph.exports import ExportRequest, ExportTooLarge, refusal, run_export

    try:
        return run_export(EmbeddedStore.over(store), ExportRequest(**job["export"]), int(job["limit"]))
    except ExportTooLarge as e:
        raise LimitExceeded(e.args[0]) from None
    except Exception as e:
        if (why := refusal(e)) is None:
            raise
        raise Refused(*why) from None


def explore(store: ox.Store, job: Job) -> dict:
    """The explorer's neighbourhood of one resource (graph.projection.neighbourhood), made here under the
    time limit like any query."""
    from graph.embedded import EmbeddedStore  # heavy (rdflib, networkx): only for explorer jobs
    from graph.projection import neighbourhood

    view = neighbourhood(EmbeddedStore.over(store), job["focus"], job["iri"])
    if len(view.get("nodes", ())) + len(view.get("edges", ())) > int(job["limit"]):
        raise LimitExceeded(int(job["limit"]))
    return view


def run_job(store: ox.Store, job: Job) -> tuple[bytes, str] | list[dict] | dict:
    """Execute one job; `limit` bounds rows/triples, exceeding it raises LimitExceeded."""
    limit = int(job["limit"])
    if job["kind"] == "dump":
        return dump(store, job)
    if job["kind"] == "export":
        return export(store, job)
    if job["kind"] == "explore":
        return explore(store, job)
    kwargs = _dataset(job)
    subs = _bindings(job)
    if subs:
        kwargs["substitutions"] = subs
    result = store.query(job["query"], **kwargs)
    if isinstance(result, ox.QueryBoolean):
        if job["kind"] == "rows":
            return [{"boolean": bool(result)}]
        fmt = job["result_format"]
        return serialize_boolean(fmt, bool(result)), RESULT_FORMATS[fmt].content_type
    if isinstance(result, ox.QuerySolutions):
        if job["kind"] != "rows":
            fmt = job["result_format"]
            media = RESULT_FORMATS[fmt].content_type
            if fmt == "json":
                try:
                    return json_solutions(result, limit, job.get("max_bytes")), media
                except _Unsure:  # rare: run it again and count exactly
                    result = store.query(job["query"], **kwargs)
            return serialize_solutions(result, fmt, limit, job.get("max_bytes")), media
        return plain_rows(result, limit, frozenset(job.get("hide") or ()), job.get("drop"))
    triples = []
    for t in result:
        if len(triples) >= limit:
            raise LimitExceeded(limit)
        triples.append(t)
    out_format = GRAPH_FORMATS[job.get("graph_format") or "turtle"]
    fmt, media = out_format.ox, out_format.content_type
    with_prefixes = fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) and job.get(
        "prefixes"
    )
    data = (
        ox.serialize(triples, format=fmt, prefixes=job["prefixes"])
        if with_prefixes
        else ox.serialize(triples, format=fmt)
    )
    return data or b"", media


def plain_rows(result: ox.QuerySolutions, limit: int, hide: frozenset[str], drop: Any) -> list[dict]:
    """REST rows: {variable: plain value}, leaving out unbound variables, those in `hide` and values
    equal to `drop`. Each distinct term is converted once per answer (rows repeat the same models,
    places and vocabulary terms)."""
    variables = [v.value for v in result.variables]
    plain: dict[Any, Any] = {}
    rows = []
    for sol in result:
        if len(rows) >= limit:
            raise LimitExceeded(limit)
        row = {}
        for v, t in zip(variables, sol, strict=True):
            if t is None or v in hide:
                continue
            value = plain.get(t)
            if value is None:
                value = plain[t] = _plain(t)
            if value != drop:
                row[v] = value
        rows.append(row)
    return rows


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


def merge_default(store: ox.Store) -> None:
    """Fill the default graph with every named graph's triples, once each: for a dataset loaded from
    elsewhere (the bench's generated N-Quads). The service's own store already holds it, since the store
    keeps its default graph equal to that set union (graph/embedded.py)."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def apply_sync(merged: ox.Store, job: Job) -> None:
    """Follow one write in the default-graph replica: the writer says which of the triples the write may
    have moved its default graph holds now and which it does not (EmbeddedStore.default_changes), so the
    replica needs no named graph to re-decide them. Replaying a write already held changes nothing."""
    if job["absent"]:
        for q in ox.parse(job["absent"], format=ox.RdfFormat.N_TRIPLES):
            merged.remove(q)
    if job["present"]:
        merged.extend(ox.parse(job["present"], format=ox.RdfFormat.N_TRIPLES))


def default_only(store: ox.Store) -> ox.Store:
    """An in-memory store holding only the default graph of `store` (the stored union).

    Oxigraph's in-memory store keeps one list of quads per term, not composite indexes, so a copy holding
    the named graphs too would walk every article graph's copy of a model to look up `<model> bomay:level
    ?l` in the default graph (measured at 1M triples: 100 µs instead of 4 µs per lookup). Only the default
    graph is copied: jobs that name graphs read the on-disk checkpoint instead (`Readers`).
    """
    out = ox.Store()
    out.bulk_extend(store.quads_for_pattern(None, None, None, DEFAULT))
    return out


class Readers:
    """A worker's read-only handle on the newest store checkpoint it was sent (jobs that name graphs
    carry the checkpoint the pool made for them: one holding every acknowledged write). Opened on first
    use after the fork, so the zygote holds no RocksDB handle its children would share."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.store: ox.Store | None = None

    def get(self, path: str | None) -> ox.Store:
        if not path:
            raise RuntimeError("no store checkpoint for a job that names graphs")
        if path != self.path or self.store is None:
            self.store = None  # closes the older checkpoint before the newer one opens
            self.store = ox.Store.read_only(path)
            self.path = path
        return self.store


def names_graphs(job: Job) -> bool:
    """True when the job needs the named graphs: a dump, a dataset, or the keyword GRAPH or FROM in the
    query. The server decides the last on the guard's own reading of the query (job["named"], see
    api.sparql_check), so the router and the guard never read one query two ways; a job without that
    flag (benchmarks calling this module directly) is read here with the same lexer."""
    if job["kind"] in ("dump", "export", "explore") or job.get("default_graphs") or job.get("named_graphs"):
        return True
    if "named" in job:
        return bool(job["named"])
    from api.sparql_check import needs_named_graphs  # the graph package is heavy: only when unflagged

    return needs_named_graphs(job.get("query") or "")


def reply(conn: Any, status: str, payload: Any, max_bytes: int | None = None) -> None:
    """Answer one job as `(status, payload)`, pickled once. An answer above INLINE_MAX bytes is
    announced first as `("big", size)`, so the pool reads it in a thread instead of on its event loop.
    One above `max_bytes` (REST rows, graphs, exports: whatever the sinks did not already stop) is
    replaced by a refusal, so it never crosses the pipe."""
    data = pickle.dumps((status, payload), protocol=pickle.HIGHEST_PROTOCOL)
    if max_bytes is not None and len(data) > max_bytes + 4096:  # the pickle's own framing
        data = pickle.dumps(("bytes", max_bytes), protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > INLINE_MAX:
        conn.send_bytes(pickle.dumps(("big", len(data))))
    conn.send_bytes(data)


def _deny_network() -> None:
    from api.netguard import deny_network as install

    try:
        install()
    except OSError:  # a kernel without seccomp: the text guard alone stands (tests/reliability check it)
        pass


def _load(checkpoint: str) -> ox.Store:
    """The default-graph replica, read from a checkpoint of the store (opened read-only, then let go)."""
    source = ox.Store.read_only(checkpoint)
    try:
        return default_only(source)
    finally:
        del source


def _jobs(conn: Any) -> Any:
    """The jobs arriving on `conn`, until None or the pipe closes."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        yield job


def serve(conn: Any, merged: ox.Store) -> None:
    """Answer jobs (queries, dumps, exports, syncs) until None or the pipe closes: those that name graphs
    on the checkpoint they carry, the rest on the in-memory default graph."""
    readers = Readers()
    for job in _jobs(conn):
        try:
            if job["kind"] == "sync":
                apply_sync(merged, job)
                conn.send(("ok", len(merged)))
                continue
            store = readers.get(job.get("checkpoint")) if names_graphs(job) else merged
            reply(conn, "ok", run_job(store, job), job.get("max_bytes"))
        except SyntaxError as e:
            reply(conn, "syntax", str(e))
        except LimitExceeded as e:
            reply(conn, "limit", int(e.args[0]))
        except Refused as e:
            reply(conn, "refused", e.args)
        except AnswerTooLarge as e:
            reply(conn, "bytes", int(e.args[0]))
        except Exception as e:  # noqa: BLE001 — reported to the client as a clean error
            reply(conn, "error", str(e) or "engine error")  # the message only: no class names to clients


def main(conn: Any, checkpoint: str, deny_network: bool = False) -> None:
    """A stand-alone worker: refuse itself the network (unless SERVICE endpoints are allowed), load the
    replica from the checkpoint, say ready, then answer jobs until None."""
    if deny_network:
        _deny_network()
    try:
        merged = _load(checkpoint)
    except Exception as e:  # noqa: BLE001 — the pool reports it and gives up on this worker
        conn.send(("error", str(e) or "replica load failed"))
        return
    conn.send(("ready", len(merged)))
    serve(conn, merged)


def zygote_main(conn: Any, checkpoint: str, deny_network: bool = False) -> None:
    """The parent every query worker is forked from: it loads the replica once and keeps it current
    (`sync` jobs, like a worker), and on `("fork", fd)` forks a worker that answers jobs on the socket
    `fd`. A fork shares the loaded replica page by page (copy on write), so a worker killed at the time
    limit is replaced in milliseconds, and N workers cost about one replica of memory, not N. The
    zygote itself never runs a query; each forked worker refuses itself the network."""
    import gc
    import signal
    from multiprocessing.connection import Connection

    try:
        merged = _load(checkpoint)
    except Exception as e:  # noqa: BLE001 — the pool reports it and gives up on this zygote
        conn.send(("error", str(e) or "replica load failed"))
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked workers are reaped by the kernel
    conn.send(("ready", len(merged)))
    for job in _jobs(conn):
        if job["kind"] == "sync":
            try:
                apply_sync(merged, job)
                conn.send(("ok", len(merged)))
            except Exception as e:  # noqa: BLE001 — the pool replaces a zygote that failed a sync
                conn.send(("error", str(e) or "sync failed"))
            continue
        if job["kind"] == "fork":
            from multiprocessing.reduction import recv_handle

            fd = recv_handle(conn)
            gc.collect()
            gc.freeze()  # the child's collector then leaves the shared pages alone
            pid = os.fork()
            if pid == 0:  # the worker
                try:
                    conn.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    if deny_network:
                        _deny_network()
                    serve(Connection(fd), merged)
                finally:
                    os._exit(0)
            os.close(fd)
            conn.send(("forked", pid))
