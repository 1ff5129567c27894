"""The one store interface the API, CLI and tests use, whatever engine sits behind it.

Two implementations: `EmbeddedStore` (pyoxigraph on disk, the default) and `RemoteStore` (any SPARQL 1.1
Query/Update endpoint, plus the Graph Store Protocol when the server has it). In both, the default graph
of a query is the union of the named graphs, and every fact lives in a named graph: `graph/ontology`,
`graph/gazetteer`, `graph/article/<doc_id>`.
"""

from __future__ import annotations

import json
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from graph.formats import NotAcceptable  # noqa: F401  (raised by every store's run)
from graph.terms import check_iri
from ontology.namespaces import BOMAY, GRAPH, ONTOLOGY_GRAPH

BOMAY_GRAPHS = str(GRAPH)  # every named graph of ours starts with this
ARTICLE_GRAPHS = str(GRAPH["article/"])
REVIEW_GRAPHS = str(GRAPH["review/"])  # graph/review/<doc_id>: what reviewers said about that article
# A review graph withdraws a triple from the reviewed view (the default graph) with a reified statement
# `?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; bomay:retractedFrom <graph/article/...>`.
RETRACTED_FROM = str(BOMAY["retractedFrom"])


def paired_graphs(iri: str) -> list[str]:
    """The graphs whose share of the default graph a write to `iri` changes: a review graph's retractions
    act on its article's graph, so writing it re-decides that article's triples too."""
    if iri.startswith(REVIEW_GRAPHS):
        return [iri, ARTICLE_GRAPHS + iri[len(REVIEW_GRAPHS):]]
    return [iri]


def touched_graphs(iris: list[str]) -> list[str]:
    """`iris` and the graphs their write re-decides (paired_graphs), each once, as SPARQL IRIs `<...>`."""
    out: list[str] = []
    for iri in iris:
        for g in paired_graphs(check_iri(iri)):
            if f"<{g}>" not in out:
                out.append(f"<{g}>")
    return out


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def retracted_pattern(st: str, g: str) -> str:
    """SPARQL pattern: some review graph withdraws ?s ?p ?o from graph `g` (its statement node `?st`)."""
    return (f"GRAPH ?rg_{st} {{ ?{st} <{RETRACTED_FROM}> {g} ; <{RDF_NS}subject> ?s ; "
            f"<{RDF_NS}predicate> ?p ; <{RDF_NS}object> ?o }}")
DEFAULT_STORE_PATH = ".bomay/store"


class QueryError(ValueError):
    """A query or update the engine refused (syntax error, unsupported feature): the caller's fault."""


class Store(ABC):
    """A quad store holding one named graph per source document; default graph = union of named graphs."""

    union_default_graph = True
    kind = "abstract"

    # -- writing ---------------------------------------------------------------------------------------
    @abstractmethod
    def replace_graph(self, iri: str, graph: Graph) -> int:
        """Replace named graph `iri` by `graph` in one transaction; returns the triple count written."""

    def bulk_replace_graph(self, iri: str, graph: Graph) -> int:
        """Replace a large graph that can be rebuilt (the gazetteer) as fast as the engine allows.

        Not guaranteed atomic (the embedded store uses RocksDB's bulk loader); documents use replace_graph.
        """
        return self.replace_graph(iri, graph)

    def replace_graphs(self, graphs: dict[str, Graph], drop: tuple[str, ...] = ()) -> int:
        """Replace several named graphs (and drop `drop`) together: one transaction where the engine has
        one for it (the embedded store), else one graph after another."""
        n = sum(self.replace_graph(iri, g) for iri, g in graphs.items())
        for iri in drop:
            self.drop_graph(iri)
        return n

    @abstractmethod
    def drop_graph(self, iri: str) -> bool:
        """Remove named graph `iri` and nothing else; False when it was not there."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update (writer only)."""

    # -- reading ---------------------------------------------------------------------------------------
    @abstractmethod
    def graphs(self) -> dict[str, int]:
        """Triple count of each of our named graphs (IRIs under https://w3id.org/bomay/graph/)."""

    @abstractmethod
    def select(self, query: str, **bindings: Any) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of plain values (see graph.terms); bindings become VALUES blocks."""

    @abstractmethod
    def ask(self, query: str, **bindings: Any) -> bool:
        """Answer of an ASK query."""

    @abstractmethod
    def construct(self, query: str, **bindings: Any) -> Graph:
        """Triples of a CONSTRUCT/DESCRIBE query as an rdflib Graph."""

    @abstractmethod
    def run(
        self,
        query: str,
        accept: str | None = None,
        default_graph_uris: tuple[str, ...] | list[str] = (),
        named_graph_uris: tuple[str, ...] | list[str] = (),
    ) -> tuple[bytes, str]:
        """Run any query as the SPARQL Protocol would: serialised result and its media type.

        `accept` is an Accept header value (several types and q-values allowed). Raises QueryError for a
        malformed query and NotAcceptable when no format fits.
        """

    def text_rows(self, query: str) -> Iterator[dict[str, str]]:
        """SELECT rows as {variable: the term's text} (IRI, literal's lexical form, blank node label),
        unbound variables left out, for readers that keep strings only (the search index): through the
        engine's SPARQL JSON here; a store that can stream them does, a row at a time."""
        data, _ = self.run(query, accept="application/sparql-results+json")
        for b in json.loads(data)["results"]["bindings"]:
            yield {k: sys.intern(v["value"]) for k, v in b.items()}

    def has_graph(self, iri: str) -> bool:
        """Whether named graph `iri` holds any triple (cheap: no counting)."""
        return self.ask("ASK { GRAPH ?g { ?s ?p ?o } }", g=URIRef(iri))

    def count(self, iri: str) -> int:
        """Triple count of one named graph (0 when absent)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=URIRef(iri))
        return int(rows[0]["n"]) if rows else 0

    def get_graph(self, iri: str) -> Graph:
        """Content of one named graph."""
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", g=URIRef(iri))

    def dataset(self, graph_iris: list[str] | None = None) -> Dataset:
        """Our named graphs (all, or those given) as an rdflib Dataset, for TriG/N-Quads exports."""
        ds = Dataset()
        for iri in graph_iris if graph_iris is not None else sorted(self.graphs()):
            target = ds.graph(URIRef(iri))
            for triple in self.get_graph(iri):
                target.add(triple)
        return ds

    def article_graphs(self) -> dict[str, int]:
        """Triple count of each article graph."""
        return {g: n for g, n in self.graphs().items() if g.startswith(ARTICLE_GRAPHS)}

    def ensure_ontology(self, force: bool = False) -> bool:
        """Load ontology.load() into graph/ontology when missing or changed; True when (re)loaded."""
        import ontology

        load = getattr(ontology, "load", None)
        if load is None:  # the ontology package has not landed yet
            return False
        onto = load()
        if not force and self.count(str(ONTOLOGY_GRAPH)) == len(onto):
            return False
        self.replace_graph(str(ONTOLOGY_GRAPH), onto)
        return True

    def describe(self) -> dict[str, Any]:
        """What this store is, for service descriptions and `bomay` messages."""
        return {"kind": self.kind, "union_default_graph": self.union_default_graph}

    def release_memory(self) -> None:
        """Give back what writes left held in this process (nothing, unless the engine buffers writes in
        it): called when writes have gone quiet, never while one runs."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release the engine (files or connections)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path_or_url: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open the configured store: a URL → RemoteStore, a path → EmbeddedStore.

    Without an argument: `BOMAY_SPARQL_URL` when set, else `BOMAY_STORE`, else `.bomay/store`. Only one
    process may open an embedded store for writing; others pass `read_only=True`. A read-write open loads
    the ontology into graph/ontology when it is missing or out of date.
    """
    target = path_or_url
    if target is None:
        target = os.environ.get("BOMAY_SPARQL_URL") or os.environ.get("BOMAY_STORE") or DEFAULT_STORE_PATH
    target = str(target)
    if target.startswith(("http://", "https://")):
        from graph.remote import RemoteStore

        store: Store = RemoteStore.from_env(target)
    else:
        from graph.embedded import EmbeddedStore

        store = EmbeddedStore(Path(target), read_only=read_only)
    if not read_only:
        store.ensure_ontology()
    return store
