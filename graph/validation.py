"""SHACL validation of one document's graph, with the ontology mixed in, before anything is written.

The ontology (classes, subclass links, SKOS schemes) is what lets a shape say "a status from the scheme"
or target `bomay:LegalDocument` when the data says `bomay:Plan`; it comes from `ontology.load()` and the
shapes from `ontology.shapes()`, both read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyshacl
from rdflib import RDF, Graph, Namespace

import ontology

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class ValidationReport:
    """Outcome of validating one graph: `conforms`, the problems found, and pyshacl's text report."""

    conforms: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    skipped: str | None = None  # why no validation ran (no shapes available yet)

    def summary(self, limit: int = 3) -> str:
        """One line for the CLI: the first few messages."""
        if self.conforms:
            return "valid" if not self.skipped else f"not validated ({self.skipped})"
        parts = [f"{r.get('focus', '?')} {r.get('path') or ''}: {r.get('message', '')}".strip()
                 for r in self.results[:limit]]
        more = f" (+{len(self.results) - limit} more)" if len(self.results) > limit else ""
        return f"{len(self.results)} SHACL violation(s): " + "; ".join(parts) + more


@lru_cache(maxsize=1)
def _graphs() -> tuple[Graph | None, Graph | None]:
    load = getattr(ontology, "load", None)
    shapes = getattr(ontology, "shapes", None)
    try:
        shapes_graph = shapes() if shapes else None
    except FileNotFoundError:
        shapes_graph = None
    return (load() if load else None), shapes_graph


def reset_cache() -> None:
    """Forget the cached ontology and shapes (after they changed on disk)."""
    _graphs.cache_clear()


def _results(results_graph: Graph) -> list[dict[str, Any]]:
    out = []
    for r in results_graph.subjects(RDF.type, SH.ValidationResult):
        def one(p, r=r):
            v = results_graph.value(r, p)
            return None if v is None else str(v)

        out.append({
            "focus": one(SH.focusNode),
            "path": one(SH.resultPath),
            "message": one(SH.resultMessage),
            "severity": (one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
            "shape": one(SH.sourceShape),
            "value": one(SH.value),
        })
    out.sort(key=lambda d: (d["focus"] or "", d["path"] or "", d["message"] or ""))
    return out


def validate_graph(graph: Graph, shapes: Graph | None = None, ont: Graph | None = None) -> ValidationReport:
    """Validate `graph` (one document's named graph) against the shapes, with the ontology mixed in.

    Warnings and infos do not make a graph invalid; violations do.
    """
    default_ont, default_shapes = _graphs()
    shapes = shapes if shapes is not None else default_shapes
    ont = ont if ont is not None else default_ont
    if shapes is None or len(shapes) == 0:
        return ValidationReport(conforms=True, skipped="no SHACL shapes available")
    conforms, results_graph, text = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ont, inference="none", allow_warnings=True, allow_infos=True,
    )
    return ValidationReport(conforms=bool(conforms), results=_results(results_graph), text=str(text))
