"""What the server sends a query worker (or the remote engine) to do: one `Job`, pickled down a pipe.

A TypedDict rather than a class: it crosses the pipe as a plain dict (pickled once, no class to import
in the zygote's fresh interpreter), while every key and its type are stated here, once, for the routes
that build jobs and the engines that read them.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

JobKind = Literal[
    "sparql",  # a /sparql query: the answer serialised in `result_format` / `graph_format`
    "results",  # the same, sent by a bench or a test
    "rows",  # a REST query: rows of plain values (graph.store's conventions), without `hide`/`drop`
    "dump",  # named graphs (all, or `graphs`) serialised by the engine
    "export",  # graph.exports.ExportRequest (`export`) run inside the worker
    "explore",  # the explorer's projection around `focus`
    "sync",  # the zygote and workers take a write: `graph`'s new N-Triples `data`
    "fork",  # the zygote forks a worker
]


class Job(TypedDict, total=False):
    kind: JobKind
    query: str  # SPARQL text, parameters already bound (graph.sparql.bind / values_row)
    bindings: dict[str, tuple[str, str]]  # pyoxigraph substitutions: name -> ("iri" | "lit", value)
    result_format: str  # a key of graph.formats.RESULT_FORMATS
    graph_format: str  # a key of graph.formats.GRAPH_FORMATS
    prefixes: dict[str, str]  # prefix -> namespace, for graph serialisations
    default_graphs: list[str]  # the protocol's default-graph-uri
    named_graphs: list[str]  # the protocol's named-graph-uri
    query_dataset: bool  # the text has FROM / FROM NAMED (the remote engine passes no dataset then)
    named: bool  # the text reads named graphs (GRAPH, FROM NAMED): not the default-only store
    limit: int  # rows or triples at most (the pool sets BOMAY_RESULT_LIMIT)
    max_bytes: int | None  # answer bytes at most (BOMAY_MAX_ANSWER_BYTES)
    hide: list[str]  # variables left out of REST rows
    drop: str  # a value that stands for "no such resource": rows holding it are dropped
    client: str | None  # the remote address, for the fair share between clients
    graphs: list[str]  # the named graphs a dump reads
    export: dict[str, Any]  # graph.exports.ExportRequest's fields
    focus: str  # explore: the id the user gave
    iri: str  # explore: the resolved IRI; sync: unused
    graph: str  # sync: the named graph written
    data: bytes  # sync: its N-Triples
