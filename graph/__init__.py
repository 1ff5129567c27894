"""The store (embedded Oxigraph or any SPARQL 1.1 server), validation on write, named queries, projection
and exports. Imports `ontology` only; `api` wires `loaders` to it."""

from graph.ingest import IngestReport, ingest_graph
from graph.store import NotAcceptable, QueryError, Store, open_store

__all__ = ["IngestReport", "NotAcceptable", "QueryError", "Store", "ingest_graph", "open_store"]
