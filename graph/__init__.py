"""The store (embedded Oxigraph or any SPARQL 1.1 server), validation on write, named queries, projection
and exports. Imports `ontology` only; `api` wires `loaders` to it.

The names below load on first use, so that a light module (graph.formats, graph.lexer) can be imported
by a fresh query-worker interpreter without rdflib and pyshacl."""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "IngestReport": "graph.ingest",
    "ingest_graph": "graph.ingest",
    "NotAcceptable": "graph.formats",
    "QueryError": "graph.store",
    "Store": "graph.store",
    "open_store": "graph.store",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
