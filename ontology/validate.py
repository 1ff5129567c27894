"""SHACL validation of one graph against ontology/shapes.ttl, with the class hierarchy mixed in.

The ontology is mixed into the data (not inferred) so that sh:class sees that a MergerModel is a PilotModel
and a District an AdministrativeUnit, while the data graph itself stays free of ontology triples.

Mixing the whole ontology into every article (what `pyshacl.validate(..., ont_graph=terms())` does) costs
~70 ms per article: pyshacl copies the ontology, then re-checks every ontology term the shapes target (each
rdfs:label subject), although those results never change. `validate` gives the same answer in a fraction
of that time when it can prove the shortcut exact (see `_Plan`):

* the ontology's own focus nodes are validated once per process; when they yield no result at all, they
  add nothing to any article's report and are left out;
* only the rdfs:subClassOf axioms are mixed in, which is all that sh:class and sh:targetClass read from
  the ontology as long as the data never mentions an ontology term other than as a class (the object of
  rdf:type) and the shapes never walk rdf:type;
* the parsed shapes (pyshacl's ShapesGraph) are kept per thread, because pyshacl writes to the shapes
  graph while it validates (namespace bindings, system triples), so one copy must not serve two threads.

Anything the shortcut cannot vouch for (a data graph that describes ontology terms, shapes using SPARQL or
SHACL-AF) goes through the full, original mix-in.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache

from pyshacl import Validator
from pyshacl import validate as _shacl_validate
from pyshacl.errors import ValidationFailure
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from rdflib import RDF, RDFS, BNode, ConjunctiveGraph, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ontology import shapes, terms

SH = Namespace("http://www.w3.org/ns/shacl#")

# Shapes features whose evaluation is not local to the focus node's neighbourhood (SPARQL sees the whole
# graph; rules and custom targets add triples or focus nodes): with any of them, always mix in everything.
_NON_LOCAL = frozenset({
    SH.sparql, SH.select, SH.ask, SH.rule, SH.target, SH.expression, SH.js, SH.jsFunctionName,
    SH.validator, SH.nodeValidator, SH.propertyValidator, SH.condition, SH.declare, SH.prefixes,
})
_NON_LOCAL_TYPES = frozenset({
    SH.ConstraintComponent, SH.SPARQLConstraint, SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLTargetType,
    SH.SPARQLRule, SH.TripleRule, SH.TargetType, SH.Function, SH.JSConstraint, SH.JSFunction, SH.JSRule,
    SH.JSTarget, SH.JSTargetType,
})
_OPTIONS = {"inference": "none", "advanced": True, "allow_warnings": True}


@dataclass(frozen=True)
class Validation:
    """Outcome of one validation: `conforms`, the report as text and as a graph."""

    conforms: bool
    text: str
    report: Graph


@dataclass(frozen=True)
class _Plan:
    """What the shortcut needs, computed once: the axioms to mix in and the terms the data must avoid."""

    subclass_axioms: tuple[tuple[Node, Node, Node], ...]
    ontology_nodes: frozenset[Node]
    prefixes: tuple[tuple[str, URIRef], ...]

    def applies_to(self, data: Graph) -> bool:
        """True when `data` says nothing about an ontology term (it may use classes as rdf:type objects)."""
        if isinstance(data, ConjunctiveGraph):  # datasets: leave pyshacl's own handling of graphs alone
            return False
        nodes = self.ontology_nodes
        for s, p, o in data:
            if s in nodes or (o in nodes and p != RDF.type):
                return False
        return True


def _full(data: Graph) -> Validation:
    """The reference path: the whole ontology mixed into a copy of `data` by pyshacl."""
    conforms, report, text = _shacl_validate(data, shacl_graph=shapes(), ont_graph=terms(), **_OPTIONS)
    return Validation(bool(conforms), str(text), report)


@lru_cache(maxsize=1)
def _plan() -> _Plan | None:
    """The shortcut's inputs, or None when it would not be exact (then every call takes `_full`)."""
    sg = shapes()
    if any(p in _NON_LOCAL for p in sg.predicates()) or any(
        t in _NON_LOCAL_TYPES for t in sg.objects(None, RDF.type)
    ):
        return None
    if (None, None, RDF.type) in sg:  # a path or target through rdf:type would reach the classes' triples
        return None
    alone = _full(Graph())  # the ontology's own focus nodes: a constant part of every full report
    if not alone.conforms or (None, SH.result, None) in alone.report:
        return None
    ont = terms()
    nodes = frozenset(n for s, _, o in ont for n in (s, o) if not isinstance(n, Literal))
    axioms = tuple(ont.triples((None, RDFS.subClassOf, None)))
    if any(isinstance(n, BNode) for t in axioms for n in t):
        return None  # class expressions would need pyshacl's blank-node cloning
    return _Plan(axioms, nodes, tuple(ont.namespace_manager.namespaces()))


_local = threading.local()


def _run(data: DataGraph) -> tuple[bool, Graph, str]:
    """pyshacl's Validator on `data`, reusing this thread's parsed shapes once a run has succeeded with them.

    A run that raises drops them, so a shapes cache left half-built by an error is never reused.
    """
    options = {**_OPTIONS, "inplace": True, "logger": logging.getLogger("pyshacl-validate")}
    cached = getattr(_local, "shapes", None)
    validator = Validator(data, shacl_graph=shapes() if cached is None else cached.graph, options=options)
    if cached is not None:
        validator.shacl_graph = cached  # parsed shapes: skip re-harvesting them on every call
    try:
        conforms, report, text = validator.run()
    except BaseException:
        _local.shapes = None
        raise
    _local.shapes = validator.shacl_graph
    return conforms, report, text


def _fast(data: Graph, plan: _Plan) -> Validation:
    """A copy of `data` plus the subclass axioms, validated: `_full`'s report under `plan`'s conditions."""
    mixed = Graph(identifier=data.identifier, bind_namespaces="core")
    nm = mixed.namespace_manager
    bound = set()
    for prefix, ns in data.namespace_manager.namespaces():  # as pyshacl's clone, then its inoculation
        nm.bind(prefix, ns, override=True, replace=True)
        bound.add(prefix)
    for prefix, ns in plan.prefixes:
        if prefix not in bound:
            nm.bind(prefix, ns)
    add = mixed.add
    for triple in data:
        add(triple)
    for triple in plan.subclass_axioms:
        add(triple)
    try:
        conforms, report, text = _run(DataGraph.from_rdflib(mixed))
    except ValidationFailure:  # let pyshacl.validate report it exactly as it always did
        return _full(data)
    return Validation(bool(conforms), str(text), report)


def validate(data: Graph) -> Validation:
    """Validate `data` (e.g. one article's named graph) against the project's shapes."""
    apply_patches()
    plan = _plan()
    if plan is None or not plan.applies_to(data):
        return _full(data)
    return _fast(data, plan)


def validate_full(data: Graph) -> Validation:
    """The reference validation with the whole ontology mixed in (slow; for tests and comparisons)."""
    return _full(data)


__all__ = ["Validation", "validate", "validate_full"]
