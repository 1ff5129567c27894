"""SHACL validation of one document's graph, with the ontology mixed in, before anything is written.

The shapes and the class hierarchy they need are the ontology's business (`ontology.validate`); this
module turns its outcome into the report the store, CLI and API hand back to users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, Graph, Namespace

from ontology.validate import validate

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class ValidationReport:
    """Outcome of validating one graph: `conforms`, the problems found, and pyshacl's text report."""

    conforms: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    skipped: str | None = None  # why no validation ran (the caller chose not to validate)

    def summary(self, limit: int = 3) -> str:
        """One line for the CLI: the first few messages."""
        if self.conforms:
            return "valid" if not self.skipped else f"not validated ({self.skipped})"
        parts = [f"{r.get('focus', '?')} {r.get('path') or ''}: {r.get('message', '')}".strip()
                 for r in self.results[:limit]]
        more = f" (+{len(self.results) - limit} more)" if len(self.results) > limit else ""
        return f"{len(self.results)} SHACL violation(s): " + "; ".join(parts) + more


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


def validate_graph(graph: Graph) -> ValidationReport:
    """Validate `graph` (one document's named graph) with the ontology's own rule, as a store-side report.

    Warnings and infos do not make a graph invalid; violations do.
    """
    outcome = validate(graph)
    return ValidationReport(conforms=outcome.conforms, results=_results(outcome.report), text=outcome.text)
