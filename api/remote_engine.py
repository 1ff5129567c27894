"""Serve the API from a remote SPARQL 1.1 server (Virtuoso, Oxigraph's server, ...): the WorkerPool's
interface (`run`, `write`, `writing`, `graph_counts`, `start`) over async HTTP, for data beyond one
machine's memory.

The server holds the data; this process only sends queries and reads answers, on the event loop
(httpx.AsyncClient), so nothing here blocks it. The rules the embedded engine applies hold here too:
- the dataset: graph.remote.RemoteStore.dataset_params (the union graph as default graph, our named
  graphs for queries that read them), the one rule the CLI on a remote store follows as well;
- the time limit: the server's own, passed as a parameter where it takes one (Virtuoso's `timeout`), and
  the request cancelled at the API's limit whatever the server does; a server's partial or cancelled
  answer (Virtuoso's S1TAT, Oxigraph's "cancelled" line inside a 200 body) is a timeout, never a result;
- the result limit: a SELECT is asked for at most limit + 1 solutions (not on Virtuoso, see start),
  every answer is counted before it is passed on (LimitExceeded, as the workers report it), and what is
  read of an answer is bounded in bytes;
- answers in the client's format are written by pyoxigraph from the server's SPARQL JSON or N-Triples,
  with the workers' own serialisers (api/worker.py), so both engines answer in the same shape.
Writes run the store's own write (one update request per article, see RemoteStore.replace_ntriples) in a
thread, one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import httpx
import pyoxigraph as ox

from api import sparql_check
from api.engine import EngineError, QuerySyntaxError, QueryTimeout, ResultLimit
from api.jobs import Job
from api.worker import (
    INLINE_MAX,
    LimitExceeded,
    plain_rows,
    serialize_boolean,
    serialize_solutions,
)
from graph.formats import GRAPH_FORMATS, RESULT_FORMATS
from graph.lexer import tokens
from graph.remote import RemoteError, RemoteStore, RemoteTimeout, answer_problem, distinct_rows
from graph.sparql import query_form, slice_query
from graph.store import QueryError
from graph.terms import IRI, sparql_term

T = TypeVar("T")
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
_CLAUSE_ENDS = {"WHERE", "FROM", "HAVING", "LIMIT", "OFFSET", "VALUES", "ORDER", "GROUP"}


def substitute(query: str, bindings: dict[str, tuple[str, str]]) -> str:
    """The query with each variable of `bindings` ({var: ("iri" | "lit", value)}) replaced by its term,
    as Oxigraph's substitutions bind it: everywhere, FILTERs inside UNION branches and nested groups
    included (a VALUES block would not reach them). In a SELECT projection the variable is left out
    (a constant cannot be projected bare), and in GROUP BY / ORDER BY the term is bracketed."""
    if not bindings:
        return query
    terms = {name: sparql_term(IRI(v) if kind == "iri" else v) for name, (kind, v) in bindings.items()}
    out: list[str] = []
    at, clause, depth, prev = 0, None, 0, None
    for t in tokens(query):
        if t.kind == "word":
            word = t.text.upper()
            if word == "SELECT":
                clause, depth = "select", 0
            elif word == "BY":
                clause, depth = "by", 0
            elif word in _CLAUSE_ENDS:
                clause = None
        elif t.kind == "punct" and t.text in "{}":
            clause = None
        elif t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
        elif t.kind == "var" and t.text[1:] in terms:
            if prev is not None and prev.kind == "word" and prev.text.upper() == "AS":
                prev = t
                continue  # `(expr AS ?var)` names a column: left as it is
            term = terms[t.text[1:]]
            if clause == "select" and depth == 0:
                term = ""
            elif clause == "by" and depth == 0:
                term = f"({term})"
            out += [query[at : t.start], term]
            at = t.end
        prev = t
    out.append(query[at:])
    return "".join(out)


def _ordered(query: str) -> bool:
    """Whether the query has an ORDER BY anywhere."""
    return any(t.kind == "word" and t.text.upper() == "ORDER" for t in tokens(query))


def _fix_bnodes(body: bytes) -> bytes:
    """Virtuoso labels blank nodes `nodeID://b123` in SPARQL JSON, which is no blank node label: make
    them ones (only when such a label is there at all)."""
    if b"nodeID://" not in body:
        return body
    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "bnode":
                cell["value"] = "v" + "".join(c if c.isalnum() else "_" for c in cell["value"][9:])
    return json.dumps(data).encode()


def _serialize(items: Iterable[Any], fmt: ox.RdfFormat, prefixes: dict[str, str] | None) -> bytes:
    """Triples or quads in `fmt`, with the prefixes where the format writes them (as the workers do)."""
    if prefixes and fmt in _PREFIXED:
        return ox.serialize(items, format=fmt, prefixes=prefixes) or b""
    return ox.serialize(items, format=fmt) or b""


def _solutions(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    try:
        return ox.parse_query_results(_fix_bnodes(body), format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as e:
        raise RemoteError(f"unreadable answer from the SPARQL server: {e}") from None


def _triples(body: bytes, media: str, limit: int) -> list[ox.Triple]:
    """The distinct triples of a CONSTRUCT/DESCRIBE answer, refusing more than `limit`."""
    if media in (JSON_RESULTS, "application/json"):  # some servers answer CONSTRUCT with s/p/o rows
        found = (ox.Triple(sol["s"], sol["p"], sol["o"]) for sol in _solutions(body))
    else:
        fmt = ox.RdfFormat.from_media_type(media) if media not in ("text/plain", "") else None
        try:
            found = ox.parse(body, format=fmt or ox.RdfFormat.N_TRIPLES)
        except (SyntaxError, ValueError) as e:
            raise RemoteError(f"unreadable answer from the SPARQL server: {e}") from None
    seen: dict[ox.Triple, None] = {}
    for t in found:
        seen[ox.Triple(t.subject, t.predicate, t.object)] = None
        if len(seen) > limit:
            raise LimitExceeded(limit)
    return list(seen)


def _lines(body: bytes, media: str) -> list[bytes] | None:
    """The triples of an N-Triples answer as its lines (one triple per line, by the format), each once;
    None when the answer is in another format."""
    if media not in (N_TRIPLES, "text/plain"):
        return None
    lines = (ln.strip() for ln in body.splitlines())
    return list(dict.fromkeys(ln for ln in lines if ln and not ln.startswith(b"#")))


def _in_graph(line: bytes, g: str) -> bytes:
    """An N-Triples line as the N-Quads line of graph `g`."""
    return line[:-1].rstrip() + f" <{g}> .".encode()


class RemoteEngine:
    """The query engine of the API when the store is a remote SPARQL server."""

    def __init__(self, store: RemoteStore, timeout: float, limit: int, max_bytes: int | None = None) -> None:
        """`max_bytes` bounds what is read of each server answer (BOMAY_MAX_ANSWER_BYTES)."""
        self.store = store
        self.timeout = timeout
        self.limit = limit
        self.max_bytes = max_bytes
        self.generation = 0
        self.restarts = 0  # no worker processes to restart: kept for /health
        self._http: httpx.AsyncClient | None = None
        self._counts: dict[str, int] = {}
        self._timeout_params: dict[str, str] = {}
        self._writer: asyncio.Lock | None = None
        self._slice = True

    async def start(self) -> None:
        """Open the client, ask the server who it is and count our graphs (call from the event loop)."""
        self._http = httpx.AsyncClient(
            auth=self.store.auth, timeout=httpx.Timeout(self.timeout + 30),
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )
        self._writer = asyncio.Lock()
        self._timeout_params = await asyncio.to_thread(self.store.timeout_params, self.timeout)
        # Virtuoso refuses ORDER BY with a LIMIT past its MaxSortedTopRows (10,000 by default): there an
        # ordered answer is only counted, not cut in SPARQL
        self._slice = not self.store.server().startswith("Virtuoso")
        self._counts = await asyncio.to_thread(self.store.graphs)

    def graph_counts(self) -> dict[str, int]:
        """Triple count per named graph of ours, ordered by IRI, as of the last write through the API."""
        return dict(sorted(self._counts.items()))

    # -- reading ---------------------------------------------------------------------------------------
    async def run(self, job: Job) -> Any:
        """Run one job within the time limit; map the server's answers to the engine's exceptions."""
        job = {"limit": self.limit, **job}
        try:
            async with asyncio.timeout(self.timeout):
                return await self._run(job)
        except (TimeoutError, RemoteTimeout):
            raise QueryTimeout(self.timeout) from None
        except LimitExceeded as e:
            raise ResultLimit(int(e.args[0])) from None
        except QueryError as e:
            raise QuerySyntaxError(str(e)) from None
        except (RemoteError, httpx.HTTPError) as e:
            raise EngineError(str(e) or "SPARQL server unreachable") from None

    async def _fetch(self, query: str, accept: str, params: dict[str, Any]) -> tuple[bytes, str]:
        """One query to the server: the complete answer and its media type, or the problem raised."""
        assert self._http is not None, "engine not started"
        args = self.store.request_args(query, accept, {**params, **self._timeout_params})
        parts, size = [], 0
        async with self._http.stream(**args) as resp:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if self.max_bytes is not None and size > self.max_bytes:
                    from api.engine import AnswerTooLarge

                    raise AnswerTooLarge(self.max_bytes)
                parts.append(chunk)
        body = b"".join(parts)
        problem = answer_problem(resp.status_code, resp.headers, body)
        if problem is not None:
            raise problem
        return body, resp.headers.get("content-type", accept).split(";")[0].strip()

    async def _off_loop(self, size: int, fn: Callable[..., T], *args: Any) -> T:
        """Parse and serialise a large answer in a thread, a small one here."""
        return await asyncio.to_thread(fn, *args) if size > INLINE_MAX else fn(*args)

    async def _run(self, job: Job) -> Any:
        if job["kind"] == "dump":
            return await self._dump(job)
        if job["kind"] == "export":
            return await self._export(job)
        if job["kind"] == "explore":
            return await self._explore(job)
        query = substitute(job["query"], job.get("bindings") or {})
        try:
            form = query_form(query)
        except ValueError:
            form = None  # the server's parser says what is wrong
        named = job["named"] if "named" in job else sparql_check.needs_named_graphs(query)
        params = self.store.dataset_params(
            query, job.get("default_graphs") or (), job.get("named_graphs") or (),
            has_from=job.get("query_dataset"), names_graphs=named, named=self._counts,
        )
        limit = int(job["limit"])
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, media = await self._fetch(query, N_TRIPLES, params)
            out_format = GRAPH_FORMATS[job.get("graph_format") or "turtle"]
            fmt, out_media = out_format.ox, out_format.content_type

            def graph_answer() -> tuple[bytes, str]:
                return _serialize(_triples(body, media, limit), fmt, job.get("prefixes")), out_media

            return await self._off_loop(len(body), graph_answer)
        if form == "SELECT" and (self._slice or not _ordered(query)):
            with contextlib.suppress(ValueError):  # a text slice_query cannot read goes as it is
                query = slice_query(query, limit + 1)
        body, _ = await self._fetch(query, JSON_RESULTS, params)
        return await self._off_loop(len(body), self._results_answer, job, query, body)

    @staticmethod
    def _results_answer(job: Job, query: str, body: bytes) -> Any:
        limit = int(job["limit"])
        result = _solutions(body)
        if isinstance(result, ox.QueryBoolean):
            if job["kind"] == "rows":
                return [{"boolean": bool(result)}]
            fmt = job.get("result_format") or "json"
            return serialize_boolean(fmt, bool(result)), RESULT_FORMATS[fmt].content_type
        if job["kind"] == "rows":
            rows = plain_rows(result, limit, frozenset(job.get("hide") or ()), job.get("drop"))
            return distinct_rows(query, rows)
        fmt = job.get("result_format") or "json"
        return serialize_solutions(result, fmt, limit), RESULT_FORMATS[fmt].content_type

    async def _dump(self, job: Job) -> tuple[bytes, str]:
        """Named graphs (all, or `graphs`) as the workers dump them: datasets keep their graphs (one
        CONSTRUCT per graph, a few at a time: N-Triples reads far faster than a result set of quads),
        triple formats get their union with each triple once. Past the limit (by the graph counts, or a
        COUNT for a union) nothing is fetched, and an answer shorter than its count (a server's own row
        cap, e.g. Virtuoso's ResultSetMaxRows) is an error, never a partial dump."""
        limit = int(job["limit"])
        out_format = GRAPH_FORMATS[job.get("graph_format") or "nquads"]
        fmt, media = out_format.ox, out_format.content_type
        prefixes = job.get("prefixes")
        graphs = list(job.get("graphs") or sorted(self._counts))
        if not graphs:
            return _serialize([], fmt, prefixes), media
        if out_format.datasets:
            if sum(self._counts.get(g, 0) for g in graphs) > limit:
                raise LimitExceeded(limit)
            gate = asyncio.Semaphore(4)

            async def one(g: str) -> list[bytes]:
                """The graph as N-Quads lines, written from the server's N-Triples without parsing them."""
                async with gate:
                    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
                    body, got = await self._fetch(query, N_TRIPLES, {})

                def quads() -> list[bytes]:
                    lines = _lines(body, got)
                    if lines is None:
                        lines = [_serialize([t], ox.RdfFormat.N_TRIPLES, None).strip()
                                 for t in _triples(body, got, limit)]
                    self._complete(len(lines), self._counts.get(g, 0))
                    return [_in_graph(ln, g) for ln in lines]

                return await self._off_loop(len(body), quads)

            parts = await asyncio.gather(*(one(g) for g in graphs))
            data = b"\n".join(ln for part in parts for ln in part) + b"\n"
            if fmt == ox.RdfFormat.N_QUADS:
                return data, media

            def convert() -> bytes:
                return _serialize(ox.parse(data, format=ox.RdfFormat.N_QUADS), fmt, prefixes)

            return await self._off_loop(len(data), convert), media
        some = graphs if job.get("graphs") else ()  # every graph: the union graph; some: their merge
        params = self.store.dataset_params("", some, has_from=False, names_graphs=False)
        count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        body, _ = await self._fetch(count, JSON_RESULTS, params)
        expected = int(next(iter(_solutions(body)))["n"].value)
        if expected > limit:
            raise LimitExceeded(limit)
        body, got = await self._fetch("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", N_TRIPLES, params)

        def build() -> tuple[bytes, str]:
            lines = _lines(body, got) if fmt == ox.RdfFormat.N_TRIPLES else None
            if lines is not None:  # passed on as the server wrote it, each triple once
                self._complete(len(lines), expected)
                return b"\n".join(lines) + b"\n", media
            triples = _triples(body, got, limit)
            self._complete(len(triples), expected)
            return _serialize(triples, fmt, prefixes), media

        return await self._off_loop(len(body), build)

    @staticmethod
    def _complete(got: int, expected: int) -> None:
        if got < expected:
            raise RemoteError(f"the SPARQL server answered {got} of {expected} triples (its own row limit?)")

    async def _export(self, job: Job) -> tuple[bytes, str]:
        """A filtered or graph-format export (graph.exports) over the remote store, in a thread of its own
        with its own connection: at the time limit the caller is answered and that connection closed, so
        the thread's next request fails at once instead of running on."""
        from api.engine import JobRefused
        from graph.exports import ExportRequest, ExportTooLarge, refusal, run_export

        store = self.store.copy(self.timeout, named=self._counts)
        try:
            request = ExportRequest(**job["export"])
            return await asyncio.to_thread(run_export, store, request, int(job["limit"]))
        except ExportTooLarge as e:
            raise LimitExceeded(e.args[0]) from None
        except (QueryError, RemoteTimeout, RemoteError, httpx.HTTPError):
            raise  # the server's answer, not the export's (QueryError is a ValueError)
        except Exception as e:
            if (why := refusal(e)) is None:
                raise
            raise JobRefused(*why) from None
        finally:
            store.close()

    async def _explore(self, job: Job) -> dict:
        """The explorer's neighbourhood (graph.projection.neighbourhood) over the remote store, in a thread
        with its own connection, as _export does."""
        from graph.projection import neighbourhood

        store = self.store.copy(self.timeout, named=self._counts)
        try:
            return await asyncio.to_thread(neighbourhood, store, job["focus"], job["iri"])
        finally:
            store.close()

    # -- writing ---------------------------------------------------------------------------------------
    async def _recount(self, graphs: Iterable[str]) -> None:
        counts = dict(self._counts)
        for iri in graphs:
            n = await asyncio.to_thread(self.store.count, iri)
            if n:
                counts[iri] = n
            else:
                counts.pop(iri, None)
        self._counts = counts
        self.generation += 1

    async def write(self, graphs: tuple[str, ...], fn: Callable[..., T], *args: Any) -> T:
        """Run the blocking write `fn(*args)` to `graphs` in a thread, one write at a time; a cancelled
        caller still lets the write finish (and the counts follow it) before the next one starts."""
        assert self._writer is not None, "engine not started"
        async with self._writer:
            task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
            try:
                return await asyncio.shield(task)
            finally:
                await asyncio.wait([task])
                await self._recount(graphs)

    @contextlib.asynccontextmanager
    async def writing(self, *graphs: str) -> AsyncIterator[None]:
        """Exclusive section for a write to `graphs`; their counts are taken again after it."""
        assert self._writer is not None, "engine not started"
        async with self._writer:
            try:
                yield
            finally:
                await self._recount(graphs)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def close(self) -> None:
        """Nothing held outside the event loop: the client closes in `aclose`."""
