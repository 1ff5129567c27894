"""Embedded store: pyoxigraph on RocksDB, on disk, one writing process and any number of read-only ones."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.formats import by_media, negotiate
from graph.sparql import bind
from graph.store import (
    BOMAY_GRAPHS,
    RDF_NS,
    RETRACTED_FROM,
    QueryError,
    Store,
    retracted_pattern,
    touched_graphs,
)
from graph.terms import check_iri, literal_value


class StoreHeld(OSError):
    """Another process holds the store for writing (a running `bomay serve`): a read-only handle beside a
    live writer is undefined behaviour in RocksDB (seen here: failed opens, and a reader growing without
    bound as files it was reading were compacted away), so reads go through that process instead."""


def held_by_writer(path: Path) -> bool:
    """Whether another process holds RocksDB's lock on the store at `path`, read from /proc/locks: opening
    the LOCK file to test it would drop this process's own lock when closed (POSIX record locks)."""
    try:
        st = (path / "LOCK").stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return False
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[5] == inode and fields[4] != str(os.getpid()):
            return True
    return False


def to_plain(term: Any) -> Any:
    """Plain Python value of a pyoxigraph term (see graph.terms)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return literal_value(term.value, term.datatype.value if term.datatype else None)
    return str(term)


def to_rdflib(term: Any) -> Node:
    """rdflib term of a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value if term.datatype else None
        if datatype in (None, "http://www.w3.org/2001/XMLSchema#string"):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


DEFAULT = ox.DefaultGraph()


def _heap_trimmer() -> Any:
    """glibc's malloc_trim, where the C library has it: RocksDB frees its flushed write buffers into the
    allocator, which keeps them until asked to return them to the system."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM_HEAP = _heap_trimmer()
UNION_MARK = "bomay-default-is-union"  # file beside RocksDB's own (see EmbeddedStore._union_kept)


def _union_out(graphs: list[str]) -> str:
    """Update removing from the default graph the triples of `graphs` that no other named graph holds
    without a review retracting it there."""
    values, listed = " ".join(graphs), ", ".join(graphs)
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g0 {{ {values} }} GRAPH ?g0 {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other NOT IN ({listed})) "
            f"FILTER NOT EXISTS {{ {retracted_pattern('st', '?other')} }} }} }}")


def _union_in(graphs: list[str]) -> str:
    """Update adding to the default graph the triples of `graphs` that no review retracts there (a set:
    present ones stay once)."""
    return (f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g0 {{ {' '.join(graphs)} }} GRAPH ?g0 {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ {retracted_pattern('st', '?g0')} }} }}")


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"" if triples else b""


_RETRACTED_FROM = ox.NamedNode(RETRACTED_FROM)
_STATEMENT = tuple(ox.NamedNode(RDF_NS + n) for n in ("subject", "predicate", "object"))


def _retracted_in(quads: set[ox.Quad]) -> set[ox.Quad]:
    """The triples that the review statements among `quads` retract (from whichever graph), as
    default-graph quads."""
    parts: dict[Any, dict[Any, Any]] = {}
    for q in quads:
        parts.setdefault(q.subject, {})[q.predicate] = q.object
    out = set()
    for fields in parts.values():
        if _RETRACTED_FROM in fields and all(p in fields for p in _STATEMENT):
            s, p, o = (fields[p] for p in _STATEMENT)
            out.add(ox.Quad(s, p, o))
    return out


def _moved(old: bytes, new: bytes) -> set[ox.Quad]:
    """What a graph going from `old` to `new` (N-Triples) can move in or out of the default graph: the
    triples it gained or lost, and those whose retraction it added or withdrew."""
    a = set(ox.parse(old, format=ox.RdfFormat.N_TRIPLES)) if old else set()
    b = set(ox.parse(new, format=ox.RdfFormat.N_TRIPLES)) if new else set()
    return (a ^ b) | (_retracted_in(a) ^ _retracted_in(b))


def _error(exc: Exception) -> QueryError:
    return QueryError(str(exc).strip() or exc.__class__.__name__)


class EmbeddedStore(Store):
    """pyoxigraph Store on disk whose stored default graph is kept equal to the set union of the named
    graphs at every write, so every reader (this process, a read-only one, a replica seeded from a dump)
    sees one dataset with no union flag: Oxigraph's flag would answer a shared triple once per graph.

    The one rule, with reviews: a triple is in the default graph iff some named graph holds it and no
    review graph retracts it from that graph (graph.store.RETRACTED_FROM); a review graph's own triples
    count as held, so the default graph is the reviewed view and each named graph stays as written."""

    kind = "embedded"

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only:
            if not (self.path / "CURRENT").exists():
                raise FileNotFoundError(f"no store at {self.path}")
            if held_by_writer(self.path):
                raise StoreHeld(f"{self.path} is held for writing by another process")
            self._store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
            if not (self.path / UNION_MARK).exists():
                self.rebuild_union()

    @classmethod
    def over(cls, store: ox.Store) -> EmbeddedStore:
        """The Store interface, read-only, on a pyoxigraph store already open (a query worker's replica),
        so that code written for a Store (exports, the resolver) runs inside the worker."""
        self = cls.__new__(cls)
        self.path, self.read_only, self._store = Path("."), True, store
        return self

    # -- writing ---------------------------------------------------------------------------------------
    def replace_graph(self, iri: str, graph: Graph) -> int:
        """Replace named graph `iri` and its share of the default graph in one transaction.

        One SPARQL update, which Oxigraph runs as a single transaction: the graph's triples that no other
        graph holds leave the default graph, the graph is dropped and inserted, and its new triples join
        the default graph. Blank nodes are fresh, so two documents' `_:b0` never collide.
        """
        return self.replace_ntriples(iri, graph.serialize(format="nt", encoding="utf-8"), len(graph))

    def replace_ntriples(self, iri: str, body: bytes, triples: int) -> int:
        """`replace_graph` for a graph already serialised as N-Triples (`triples` of them), e.g. by the
        process that built and validated it; same single transaction, the default graph kept in step."""
        self.replace_many({iri: body})
        return triples

    def replace_graphs(self, graphs: dict[str, Graph], drop: tuple[str, ...] = ()) -> int:
        """Several graphs replaced (and `drop` dropped) in ONE transaction, e.g. an article and its
        reviews re-attached to the new extraction: a reader sees both old or both new."""
        bodies = {iri: g.serialize(format="nt", encoding="utf-8") for iri, g in graphs.items()}
        self.replace_many(bodies, drop)
        return sum(len(g) for g in graphs.values())

    def replace_many(self, bodies: dict[str, bytes], drop: tuple[str, ...] = ()) -> None:
        """One SPARQL update: the touched graphs' share leaves the default graph, the graphs are dropped
        and inserted, and their share comes back by the rule (see the class docstring)."""
        touched = touched_graphs([*bodies, *drop])
        steps = [_union_out(touched)]
        for iri in drop:
            steps.append(f"DROP SILENT GRAPH <{check_iri(iri)}>")
        for iri, body in bodies.items():
            g = f"<{check_iri(iri)}>"
            steps.append(f"DROP SILENT GRAPH {g}")
            steps.append(f"INSERT DATA {{ GRAPH {g} {{\n{body.decode('utf-8')}\n}} }}")
        steps.append(_union_in(touched))
        self._update(" ;\n".join(steps))

    def bulk_replace_graph(self, iri: str, graph: Graph) -> int:
        """Replace a large, rebuildable graph (gazetteer) with RocksDB's bulk loader: fast, NOT atomic.

        The default graph follows in three steps (out, load, in); a crash between them leaves a default
        graph that `rebuild_union` (run at every read-write open when the marker is missing) repairs."""
        node = ox.NamedNode(check_iri(iri))
        g = f"<{iri}>"
        self._union_kept(False)
        if self._store.contains_named_graph(node):
            self._update(_union_out([g]))
            self._store.remove_graph(node)
        data = graph.serialize(format="nt", encoding="utf-8")
        self._store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=node)
        self._store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=DEFAULT)
        self._union_kept(True)
        return len(graph)

    def has_graph(self, iri: str) -> bool:
        node = ox.NamedNode(check_iri(iri))
        return next(iter(self._store.quads_for_pattern(None, None, None, node)), None) is not None

    def drop_graph(self, iri: str) -> bool:
        node = ox.NamedNode(check_iri(iri))
        if not self._store.contains_named_graph(node):
            return False
        touched = touched_graphs([iri])
        self._update(f"{_union_out(touched)} ;\nDROP GRAPH <{iri}> ;\n{_union_in(touched)}")
        return True

    def update(self, sparql: str) -> None:
        """Run a raw SPARQL Update, then bring the default graph back to the union when the update may have
        touched a named graph (a full rebuild: for repairs and tests, not for the article write path)."""
        self._update(sparql)
        self.rebuild_union()

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise _error(exc) from exc

    def rebuild_union(self) -> None:
        """Make the stored default graph exactly what the rule says (the set union of the named graphs, less
        what reviews retract), in one transaction."""
        self._update("CLEAR DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                     f"FILTER NOT EXISTS {{ {retracted_pattern('st', '?g')} }} }}")
        self._union_kept(True)

    def _union_kept(self, kept: bool) -> None:
        """The marker file says the default graph is the union. It is removed before a step that is not
        one transaction (a bulk load) and written back after, so a store cut short in between, or written
        before the default graph was kept, gets its default graph rebuilt at the next read-write open."""
        mark = self.path / UNION_MARK
        if kept:
            mark.write_text("the default graph holds the set union of the named graphs\n", encoding="utf-8")
        else:
            mark.unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------------------------------
    def _query(self, query: str, default_graph_uris=(), named_graph_uris=()) -> Any:
        kwargs: dict[str, Any] = {}
        if default_graph_uris:
            kwargs["default_graph"] = [ox.NamedNode(check_iri(u)) for u in default_graph_uris]
        if named_graph_uris:
            kwargs["named_graphs"] = [ox.NamedNode(check_iri(u)) for u in named_graph_uris]
        try:
            return self._store.query(query, **kwargs)
        except SyntaxError as exc:
            raise _error(exc) from exc

    def graphs(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"]: r["n"] for r in rows if str(r["g"]).startswith(BOMAY_GRAPHS)}

    def select(self, query: str, **bindings: Any) -> list[dict[str, Any]]:
        result = self._query(bind(query, bindings))
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_plain(sol[n]) for n in names} for sol in result]

    def text_rows(self, query: str) -> Iterator[dict[str, str]]:
        """Streamed from the engine: no answer document, and a row's strings interned, so the many rows
        naming one resource or graph share one string."""
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("text_rows() needs a SELECT query")
        names = [v.value for v in result.variables]
        intern = sys.intern
        for sol in result:
            yield {n: intern(t.value) for n, t in zip(names, sol, strict=True) if t is not None}

    def ask(self, query: str, **bindings: Any) -> bool:
        result = self._query(bind(query, bindings))
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, **bindings: Any) -> Graph:
        result = self._query(bind(query, bindings))
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("construct() needs a CONSTRUCT or DESCRIBE query")
        out = Graph()
        for t in result:
            out.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return out

    def run(self, query, accept=None, default_graph_uris=(), named_graph_uris=()) -> tuple[bytes, str]:
        result = self._query(query, default_graph_uris, named_graph_uris)
        fmt = negotiate(accept, "graph" if isinstance(result, ox.QueryTriples) else "results")
        return result.serialize(format=fmt.ox), fmt.media

    def dump_rdf(self, media: str, prefixes: dict[str, str] | None = None) -> bytes:
        """All our named graphs serialised by Oxigraph itself (fast): the default graph (their union) for
        triple formats (Turtle, N-Triples, JSON-LD, RDF/XML), every quad for TriG/N-Quads."""
        fmt = by_media(media, "graph")
        if fmt is None:
            raise ValueError(f"no RDF format has the media type {media!r}")
        with_prefixes = prefixes and fmt.ox in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
        kwargs = {"prefixes": prefixes} if with_prefixes else {}
        if fmt.datasets:
            ours = [g for g in self._store.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(BOMAY_GRAPHS)]
            quads = (q for g in ours for q in self._store.quads_for_pattern(None, None, None, g))
            return ox.serialize(quads, format=fmt.ox, **kwargs)
        triples = (q.triple for q in self._store.quads_for_pattern(None, None, None, DEFAULT))
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate)))  # groups by subject
        return ox.serialize(ordered, format=fmt.ox, **kwargs)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "path": str(self.path), "read_only": self.read_only}

    def dump_dataset(self, path: Path | str) -> None:
        """Every named graph as N-Quads into `path`."""
        self._store.dump(str(path), ox.RdfFormat.N_QUADS)

    def checkpoint(self, path: Path | str) -> None:
        """A consistent copy of the store at `path`, which did not exist: RocksDB hard-links its files, so
        it is instant and costs little disk. Other processes may open it read-only while this one goes on
        writing (a read-only handle on the live store beside its writer is not safe: see StoreHeld)."""
        self._store.backup(str(path))

    def default_changes(self, before: dict[str, bytes], after: dict[str, bytes]) -> tuple[bytes, bytes]:
        """After a write that took each graph of `before` (its N-Triples then) to `after`, the triples whose
        place in the default graph the write may have moved, as N-Triples: those the default graph now
        holds, and those it does not. Enough for a copy of the default graph alone to follow the write
        (the query workers', api/worker.py), where re-deciding the rule would need every named graph."""
        moved: set[ox.Quad] = set()
        for iri in before.keys() | after.keys():
            moved |= _moved(before.get(iri, b""), after.get(iri, b""))
        held, gone = [], []
        for q in moved:
            (held if q in self._store else gone).append(q.triple)
        return _ntriples(held), _ntriples(gone)

    def graph_ntriples(self, iri: str) -> bytes:
        """One named graph as N-Triples (empty when the graph is absent), to bring a replica up to date."""
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri)) or b""

    def release_memory(self) -> None:
        """RocksDB holds every write in in-memory buffers (one per index) until they fill: flushing them to
        disk and trimming the heap returns that memory, so the server's size follows its data rather
        than the writes it has taken."""
        store = self._store  # held here: a close meanwhile leaves this flush a live store
        if self.read_only or store is None:
            return
        store.flush()
        if _TRIM_HEAP is not None:
            _TRIM_HEAP(0)

    def close(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None and not self.read_only:
            store.flush()
        self._store = None
