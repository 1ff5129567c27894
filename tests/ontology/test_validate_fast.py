"""The fast validation path gives the reference path's answer, in any thread, however many graphs came before.

`ontology.validate.validate` mixes only the subclass axioms into the data and keeps parsed shapes per
thread; `validate_full` mixes the whole ontology in, as pyshacl's own `validate` would. Reports must match.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.compare import isomorphic

from ontology.validate import _plan, validate, validate_full

DATA = Path(__file__).parent / "data"
BROKEN = sorted((DATA / "broken").glob("*.ru"))
SH = Namespace("http://www.w3.org/ns/shacl#")
BOMAY = Namespace("https://w3id.org/bomay/ontology#")


def good() -> Graph:
    return Graph().parse(DATA / "good.ttl", format="turtle")


def broken(update: Path) -> Graph:
    graph = good()
    graph.update(update.read_text(encoding="utf-8"))
    return graph


def paths(report: Graph) -> set[str]:
    results = report.subjects(RDF.type, SH.ValidationResult)
    return {str(p) for r in results for p in report.objects(r, SH.resultPath)}


def test_the_project_shapes_allow_the_fast_path() -> None:
    plan = _plan()
    assert plan is not None, "the shortcut is off: every article pays for the whole ontology"
    assert plan.applies_to(good())


@pytest.mark.parametrize("update", [None, *BROKEN], ids=["good", *(p.stem for p in BROKEN)])
def test_fast_report_equals_full_report(update: Path | None) -> None:
    graph = good() if update is None else broken(update)
    fast, full = validate(graph), validate_full(graph)
    assert fast.conforms == full.conforms
    assert fast.text == full.text
    assert isomorphic(fast.report, full.report)


def test_data_about_ontology_terms_takes_the_full_path() -> None:
    """An English-only label on a class conforms only because the ontology gives it a Vietnamese one."""
    graph = good()
    graph.add((BOMAY.PilotModel, RDFS.label, Literal("Pilot model (restated)", lang="en")))
    assert not _plan().applies_to(graph)
    result = validate(graph)
    assert result.conforms, result.text
    assert result.text == validate_full(graph).text


def test_validation_leaves_the_input_graph_alone() -> None:
    graph = broken(BROKEN[0])
    before = set(graph)
    prefixes = set(graph.namespace_manager.namespaces())
    validate(graph)
    assert set(graph) == before
    assert set(graph.namespace_manager.namespaces()) == prefixes


def test_broken_graph_still_rejected_after_many_valid_ones() -> None:
    """No cache poisoning: reused shapes carry nothing from one graph to the next."""
    for _ in range(30):
        assert validate(good()).conforms
    for update in BROKEN:
        result = validate(broken(update))
        assert not result.conforms, update.name
        assert paths(result.report) == paths(validate_full(broken(update)).report)
    assert validate(good()).conforms


def test_concurrent_validations_give_each_graph_its_own_report() -> None:
    cases = [(None, "")] + [(u, validate_full(broken(u)).text) for u in BROKEN[:6]]
    good_text = validate_full(good()).text
    errors: list[str] = []
    start = threading.Barrier(4)

    def worker(offset: int) -> None:
        start.wait()
        for i in range(24):
            update, expected = cases[(i + offset) % len(cases)]
            result = validate(good() if update is None else broken(update))
            want = good_text if update is None else expected
            if result.text != want or result.conforms != (update is None):
                errors.append(f"thread {offset}: {update} gave a wrong report")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_a_failed_run_does_not_leave_its_shapes_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    import ontology.validate as v

    validate(good())
    assert v._local.shapes is not None
    boom = RuntimeError("simulated failure inside pyshacl")

    def fail(self):  # noqa: ANN001, ANN202 - stands in for Validator.run
        raise boom

    monkeypatch.setattr(v.Validator, "run", fail)
    with pytest.raises(RuntimeError):
        validate(good())
    assert v._local.shapes is None
    monkeypatch.undo()
    result = validate(broken(BROKEN[0]))
    assert result.text == validate_full(broken(BROKEN[0])).text
    assert validate(good()).conforms
