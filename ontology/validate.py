"""SHACL validation of one graph against ontology/shapes.ttl, with the class hierarchy mixed in.

The ontology is mixed into the data (not inferred) so that sh:class sees that a MergerModel is a PilotModel
and a District an AdministrativeUnit, while the data graph itself stays free of ontology triples.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as _shacl_validate
from rdflib import Graph

from ontology import shapes, terms


@dataclass(frozen=True)
class Validation:
    """Outcome of one validation: `conforms`, the report as text and as a graph."""

    conforms: bool
    text: str
    report: Graph


def validate(data: Graph) -> Validation:
    """Validate `data` (e.g. one article's named graph) against the project's shapes."""
    conforms, report, text = _shacl_validate(
        data,
        shacl_graph=shapes(),
        ont_graph=terms(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return Validation(bool(conforms), str(text), report)


__all__ = ["Validation", "validate"]
