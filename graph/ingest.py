"""Writing one document's graph: validate first, then replace its named graph in one transaction.

A document that fails validation is not written at all; re-ingesting the same document gives the same
triples (its graph is replaced, never appended to).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rdflib import Graph

from graph import reviews
from graph.store import ARTICLE_GRAPHS, Store
from graph.validation import ValidationReport, validate_graph


@dataclass
class IngestReport:
    """What happened to one document graph."""

    graph: str
    written: bool
    triples: int
    validation: ValidationReport
    seconds: float = 0.0
    replaced: bool = False  # the graph existed before
    timings: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        """One line for the CLI."""
        if self.written:
            verb = "replaced" if self.replaced else "ingested"
            return f"{verb} {self.graph}: {self.triples} triples ({self.seconds:.2f} s)"
        return f"REJECTED {self.graph}: {self.validation.summary()}"


def ingest_graph(store: Store, graph_iri: str, graph: Graph, validate: bool = True) -> IngestReport:
    """Validate `graph` with SHACL and, when it conforms, make it the whole content of `graph_iri`."""
    t0 = time.perf_counter()
    report = validate_graph(graph) if validate else ValidationReport(conforms=True, skipped="not asked")
    t1 = time.perf_counter()
    if not report.conforms:
        return IngestReport(graph_iri, False, 0, report, t1 - t0, timings={"validate": t1 - t0})
    existed = store.has_graph(graph_iri)
    n = _write_with_reviews(store, graph_iri, graph)
    t2 = time.perf_counter()
    return IngestReport(graph_iri, True, n, report, t2 - t0, replaced=existed,
                        timings={"validate": t1 - t0, "write": t2 - t1})


def ingest_ntriples(store: Store, graph_iri: str, body: bytes, triples: int) -> IngestReport:
    """Make N-Triples `body` (`triples` triples, already validated by the caller) the whole content of
    `graph_iri`, in one transaction as `ingest_graph` does."""
    t0 = time.perf_counter()
    existed = store.has_graph(graph_iri)
    replace = getattr(store, "replace_ntriples", None)
    if _reviewed(store, graph_iri):
        n = _write_with_reviews(store, graph_iri, Graph().parse(data=body, format="nt"))
    elif replace is not None:
        n = replace(graph_iri, body, triples)
    else:
        n = store.replace_graph(graph_iri, Graph().parse(data=body, format="nt"))
    t1 = time.perf_counter()
    report = ValidationReport(conforms=True, skipped="validated before the write")
    return IngestReport(graph_iri, True, n, report, t1 - t0, replaced=existed, timings={"write": t1 - t0})


def same_text(store: Store, text_hash: str) -> list[str]:
    """Ids of the stored articles whose text has `text_hash` (bomay:textHash): a second copy of an article
    under a new id would double its events, so writers say when they make one."""
    from graph.named import run_named

    return [row["id"] for row in run_named(store, "same_text", hash=text_hash)]


def _reviewed(store: Store, graph_iri: str) -> bool:
    doc_id = reviews.doc_id_of(graph_iri)
    if not doc_id or not graph_iri.startswith(ARTICLE_GRAPHS):
        return False
    return store.has_graph(reviews.review_graph(doc_id))


def _write_with_reviews(store: Store, graph_iri: str, graph: Graph) -> int:
    """Replace an article graph; when it has reviews, its review graph re-derived for the new extraction
    (graph.reviews: re-attached or listed as unattached) goes in the same transaction."""
    if not _reviewed(store, graph_iri):
        return store.replace_graph(graph_iri, graph)
    doc_id = reviews.doc_id_of(graph_iri) or ""
    review_graph = reviews.reattached(store, doc_id, graph)
    assert review_graph is not None
    store.replace_graphs({graph_iri: graph, reviews.review_graph(doc_id): review_graph})
    return len(graph)


def delete_document(store: Store, graph_iri: str) -> bool:
    """Remove one document's graph and nothing else: its reviews stay, all of them now unattached."""
    if not _reviewed(store, graph_iri) or not store.has_graph(graph_iri):
        return store.drop_graph(graph_iri)
    doc_id = reviews.doc_id_of(graph_iri) or ""
    review_graph = reviews.reattached(store, doc_id, Graph())
    assert review_graph is not None
    store.replace_graphs({reviews.review_graph(doc_id): review_graph}, drop=(graph_iri,))
    return True


def validate_store(store: Store) -> dict[str, ValidationReport]:
    """Validate every article graph held by the store (for `bomay validate`)."""
    return {iri: validate_graph(store.get_graph(iri)) for iri in sorted(store.article_graphs())}
