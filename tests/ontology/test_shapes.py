"""Each SHACL shape accepts the good article graph and rejects a graph broken in exactly its way."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from ontology import shapes, terms
from ontology.validate import validate

DATA = Path(__file__).parent / "data"
BROKEN = sorted((DATA / "broken").glob("*.ru"))
SH = Namespace("http://www.w3.org/ns/shacl#")
BOMAY = Namespace("https://w3id.org/bomay/ontology#")
LEGAL = URIRef("https://w3id.org/bomay/id/legal/tinh-uy-bac-ninh/68-kh-tu/2022")


def good() -> Graph:
    return Graph().parse(DATA / "good.ttl", format="turtle")


def expected_path(update: Path) -> str:
    for line in update.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{update.name} has no '# expect:' line")


def violated_paths(report: Graph) -> set[str]:
    return {str(p) for r in report.subjects(RDF.type, SH.ValidationResult)
            for p in report.objects(r, SH.resultPath)}


def test_good_graph_conforms() -> None:
    result = validate(good())
    assert result.conforms, result.text


def test_good_graph_conforms_under_rdfs_inference_too() -> None:
    """Sub-properties (bomay:evidence ⊑ prov:wasDerivedFrom) and ranges must not trip the shapes."""
    conforms, _, text = pyshacl.validate(good(), shacl_graph=shapes(), ont_graph=terms(), inference="rdfs")
    assert conforms, text


def test_there_are_broken_fixtures() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("update", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_graph_is_rejected_on_its_path(update: Path) -> None:
    graph = good()
    before = set(graph)
    graph.update(update.read_text(encoding="utf-8"))
    assert set(graph) != before, "the update changed nothing"
    result = validate(graph)
    assert not result.conforms, f"{update.name} should not conform"
    paths = violated_paths(result.report)
    assert paths == {expected_path(update)}, result.text


@pytest.mark.parametrize("number", [
    "68-KH/TU", "18-NQ/TW", "01-ĐA/TU", "16-TB/TW", "10-CTr/TU", "107/2020/NĐ-CP", "1234/QĐ-UBND",
    "12/2022/TT-BNV", "77/2015/QH13", "123/UBND-NC", "34",
])
def test_document_number_forms_are_accepted(number: str) -> None:
    graph = good()
    graph.set((LEGAL, BOMAY.documentNumber, Literal(number)))
    result = validate(graph)
    assert result.conforms, result.text


@pytest.mark.parametrize("number", [
    "68 KH/TU", "68-KH / TU", "KH-68/TU", "số 68", "68-", "/2020/NĐ-CP", "107/20/NĐ-CP", "",
])
def test_malformed_document_numbers_are_rejected(number: str) -> None:
    graph = good()
    graph.set((LEGAL, BOMAY.documentNumber, Literal(number)))
    result = validate(graph)
    assert not result.conforms
    assert violated_paths(result.report) == {str(BOMAY.documentNumber)}
