"""A writer process for the crash and two-writer tests: ingests, replaces or deletes article graphs
through the store API (graph.ingest), printing one line after each committed write.

    python -m tests.reliability.writer STORE ingest PREFIX COUNT [PAD]
    python -m tests.reliability.writer STORE replace DOC_ID ROUNDS PAD_A PAD_B
    python -m tests.reliability.writer STORE delete DOC_ID...

Each article graph is the real graph of a seed article (extraction + RDF, computed once) with its
document id swapped in, padded with PAD extra triples so a transaction takes long enough for a
SIGKILL to land in the middle of it. `expected_count(seed, pad)` is what a whole graph holds.
Exit codes: 0 done, 3 the store could not be opened (locked by another writer).
"""

from __future__ import annotations

import functools
import sys
import unicodedata

from rdflib import Graph, Literal, URIRef

from ontology.namespaces import BOMAY, article_graph
from tests.api.conftest import SEEDS

TEMPLATE = "reltemplatedoc"
PAD = URIRef(str(BOMAY) + "reliabilityPad")


@functools.cache
def _template_nt(seed: int) -> str:
    from loaders.extract import extract_document
    from loaders.rdf import facts_to_graph

    text = unicodedata.normalize("NFC", SEEDS[seed].read_text(encoding="utf-8"))
    facts = extract_document(text, TEMPLATE)
    return facts_to_graph(facts, text).serialize(format="nt", encoding="utf-8").decode()


def article(doc_id: str, seed: int = 0, pad: int = 0) -> Graph:
    """The seed's article graph under `doc_id`, plus `pad` padding triples on the article node."""
    g = Graph().parse(data=_template_nt(seed).replace(TEMPLATE, doc_id), format="nt")
    subject = next(iter(g.subjects(URIRef("http://purl.org/dc/terms/identifier"), None)))
    for i in range(pad):
        g.add((subject, PAD, Literal(f"{doc_id} padding {i:06d}")))
    return g


def expected_count(seed: int = 0, pad: int = 0) -> int:
    return len(article("countprobe", seed, 0)) + pad


def _break_atomicity() -> None:
    """For checking the tests themselves (RELIABILITY_BREAK=nonatomic): replace a graph in many small
    transactions, as a store without atomic replace would. The crash tests must then fail."""
    from graph.embedded import EmbeddedStore

    def replace_graph(self: EmbeddedStore, iri: str, graph: Graph) -> int:
        self.update(f"DROP SILENT GRAPH <{iri}>")
        lines = graph.serialize(format="nt", encoding="utf-8").decode().splitlines()
        for i in range(0, len(lines), 500):
            self.update(f"INSERT DATA {{ GRAPH <{iri}> {{\n" + "\n".join(lines[i:i + 500]) + "\n} }")
        return len(graph)

    EmbeddedStore.replace_graph = replace_graph  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    import os

    from graph.ingest import delete_document, ingest_graph
    from graph.store import open_store

    if os.environ.get("RELIABILITY_BREAK") == "nonatomic":
        _break_atomicity()

    path, mode, *rest = argv
    try:
        store = open_store(path)
    except OSError as e:
        print(f"locked {type(e).__name__}: {e}", flush=True)
        return 3
    print("opened", flush=True)
    try:
        if mode == "ingest":
            prefix, count, pad = rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else 0
            for i in range(count):
                doc = f"{prefix}_{i:03d}"
                graph = article(doc, i % 2, pad)
                print(f"writing {doc}", flush=True)
                report = ingest_graph(store, str(article_graph(doc)), graph, validate=False)
                print(f"ok {doc} {report.triples}", flush=True)
        elif mode == "replace":
            doc, rounds, pads = rest[0], int(rest[1]), (int(rest[2]), int(rest[3]))
            for i in range(rounds):
                graph = article(doc, 0, pads[i % 2])
                print(f"writing {doc}", flush=True)
                report = ingest_graph(store, str(article_graph(doc)), graph, validate=False)
                print(f"ok {doc} {report.triples}", flush=True)
        elif mode == "delete":
            for doc in rest:
                print(f"writing {doc}", flush=True)
                dropped = delete_document(store, str(article_graph(doc)))
                print(f"deleted {doc} {dropped}", flush=True)
        else:
            print(f"unknown mode {mode}", flush=True)
            return 2
    finally:
        store.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
