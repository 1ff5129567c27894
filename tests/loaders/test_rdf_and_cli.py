"""Facts → RDF (deterministic IRIs, shared models, provenance) and the `extract` command's errors."""

import json
import subprocess
import sys
from pathlib import Path

from rdflib import RDF, URIRef
from rdflib.compare import isomorphic

from loaders.extract import extract_document
from loaders.rdf import facts_to_graph
from ontology.namespaces import BOMAY, ID, OA, PROV

ROOT = Path(__file__).resolve().parents[2]

ARTICLE_A = ("Tin Lạng Sơn\n\nBan Thường vụ Tỉnh ủy Lạng Sơn vừa ban hành Kế hoạch số 40-KH/TU "
             "ngày 2/3/2023. Tỉnh tạm dừng mô hình Văn phòng Huyện ủy – HĐND – UBND ở huyện Cao Lộc.")
ARTICLE_B = ("Tin Tuyên Quang\n\nTỉnh Tuyên Quang dừng hợp nhất Văn phòng Huyện ủy với "
             "Văn phòng HĐND và UBND huyện Sơn Dương.")


def graph_of(text: str, doc_id: str):
    return facts_to_graph(extract_document(text, doc_id), text)


def test_same_text_gives_the_same_triples():
    assert isomorphic(graph_of(ARTICLE_A, "a"), graph_of(ARTICLE_A, "a"))
    assert set(graph_of(ARTICLE_A, "a")) == set(graph_of(ARTICLE_A, "a"))


def test_one_model_node_for_the_same_offices_written_two_ways():
    models_a = set(graph_of(ARTICLE_A, "a").subjects(RDF.type, BOMAY.MergerModel))
    models_b = set(graph_of(ARTICLE_B, "b").subjects(RDF.type, BOMAY.MergerModel))
    assert models_a and models_a == models_b


def test_provenance_chain_from_event_to_span_to_article():
    g = graph_of(ARTICLE_A, "a")
    event = next(g.subjects(RDF.type, BOMAY.StatusEvent))
    span = g.value(event, BOMAY.evidence)
    article = URIRef(ID["article/a"])
    assert g.value(span, OA.hasSource) == article
    assert g.value(event, PROV.wasDerivedFrom) == article
    selectors = list(g.objects(span, OA.hasSelector))
    kinds = {g.value(s, RDF.type) for s in selectors}
    assert kinds == {OA.TextPositionSelector, OA.TextQuoteSelector}
    pos = next(s for s in selectors if g.value(s, RDF.type) == OA.TextPositionSelector)
    quote = next(s for s in selectors if g.value(s, RDF.type) == OA.TextQuoteSelector)
    start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
    assert str(g.value(article, BOMAY.text))[start:end] == str(g.value(quote, OA.exact))


def test_event_is_decided_by_the_articles_own_plan():
    g = graph_of(ARTICLE_A, "a")
    event = next(g.subjects(RDF.type, BOMAY.StatusEvent))
    plan = g.value(event, BOMAY.decidedBy)
    assert (plan, RDF.type, BOMAY.Plan) in g
    assert str(g.value(plan, BOMAY.documentNumber)) == "40-KH/TU"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", "extract", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_bad_files_exit_2_with_one_line_each_and_good_files_still_printed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02binary")
    english = tmp_path / "en.txt"
    english.write_text("The province merged two offices of the district committee last year.")
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE_B, encoding="utf-8")
    out = run_cli(str(empty), str(binary), str(english), str(tmp_path / "missing.txt"), str(good))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 4
    assert all(" / " in line for line in lines)
    assert "Traceback" not in out.stderr
    assert [d["id"] for d in json.loads(out.stdout)] == ["good"]


def test_ttl_and_table_formats(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE_A, encoding="utf-8")
    ttl = run_cli(str(good), "--format", "ttl")
    assert ttl.returncode == 0 and "bomay:StatusEvent" in ttl.stdout
    table = run_cli(str(good), "--format", "table")
    assert table.returncode == 0 and "paused" in table.stdout


def test_seed_graphs_pass_the_shacl_shapes():
    import pyshacl

    import ontology

    for path in sorted((ROOT / "examples").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        g = facts_to_graph(extract_document(text, path.stem), text)
        conforms, _, report = pyshacl.validate(g, shacl_graph=ontology.shapes(), ont_graph=ontology.load(),
                                               inference="none", allow_warnings=True, allow_infos=True)
        assert conforms, report
