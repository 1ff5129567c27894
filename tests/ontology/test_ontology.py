"""The OWL ontology: it parses, declares the ARCHITECTURE.md terms, and documents each in vi and en."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from ontology import load, shapes, terms
from ontology.namespaces import BOMAY, ELI, OA, ORG, PROV
from ontology.validate import validate

CLASSES = """
    Agency Position AdministrativeUnit Province CentralCity District UrbanDistrict Town ProvincialCity Commune
    Ward Township Village PilotModel MergerModel ConcurrentPositionModel OtherModel PilotApplication
    StatusEvent LegalDocument Resolution Conclusion Notice Plan Decree Scheme Decision Directive Regulation
    SourceDocument EvidenceSpan""".split()
PROPERTIES = """
    modelKind level component result searchKey model place statusEvent status when periodStart count decidedBy
    evidence name unitType unitCode partOf documentNumber documentKind issuer text""".split()
SUPERCLASSES = {
    "Agency": ORG.Organization, "Position": ORG.Post, "StatusEvent": PROV.Activity,
    "SourceDocument": PROV.Entity, "EvidenceSpan": OA.SpecificResource, "LegalDocument": ELI.LegalResource,
    "MergerModel": BOMAY.PilotModel, "Plan": BOMAY.LegalDocument, "Ward": BOMAY.AdministrativeUnit,
}
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def own_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(BOMAY))}


def test_load_contains_ontology_and_vocabularies() -> None:
    graph = load()
    for name in CLASSES:
        assert (BOMAY[name], RDF.type, OWL.Class) in graph, name
    assert (URIRef("https://w3id.org/bomay/vocab/status/paused"), None, None) in graph
    assert len(graph) > len(terms())


@pytest.mark.parametrize("name", PROPERTIES)
def test_architecture_properties_are_declared(name: str) -> None:
    graph = terms()
    assert any((BOMAY[name], RDF.type, kind) in graph for kind in PROPERTY_KINDS), name


@pytest.mark.parametrize(("name", "parent"), sorted(SUPERCLASSES.items()))
def test_subclass_links_reuse_standard_vocabularies(name: str, parent: URIRef) -> None:
    assert (BOMAY[name], RDFS.subClassOf, parent) in terms()


def test_every_own_term_has_vi_and_en_labels_and_comments() -> None:
    graph = terms()
    found = own_terms(graph)
    assert len(found) >= len(CLASSES) + len(PROPERTIES)
    for term in found:
        for prop in (RDFS.label, RDFS.comment):
            langs = sorted(o.language for o in graph.objects(term, prop) if isinstance(o, Literal))
            assert langs == ["en", "vi"], f"{term} {prop}"


def test_every_bomay_term_used_in_the_vocabularies_is_declared() -> None:
    graph = load()
    declared = own_terms(terms())
    used = {p for p in graph.predicates() if str(p).startswith(str(BOMAY))}
    used |= {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(str(BOMAY))}
    assert used - declared == set()


def test_load_returns_an_independent_copy() -> None:
    first = load()
    first.add((BOMAY.Extra, RDF.type, OWL.Class))
    assert (BOMAY.Extra, RDF.type, OWL.Class) not in load()


def test_shapes_parse_and_the_vocabularies_satisfy_them() -> None:
    assert len(shapes()) > 50
    result = validate(load())
    assert result.conforms, result.text
