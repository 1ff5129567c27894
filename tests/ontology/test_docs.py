"""`python -m ontology.docs OUTDIR` writes bilingual pyLODE pages for the ontology and every scheme."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDFS, Graph, Literal, URIRef

import ontology
from ontology.docs import bilingual, main


def test_bilingual_joins_vi_and_en_labels() -> None:
    thing = URIRef("https://example.org/x")
    graph = Graph()
    graph.add((thing, RDFS.label, Literal("Tỉnh ủy", lang="vi")))
    graph.add((thing, RDFS.label, Literal("Provincial Party Committee", lang="en")))
    graph.add((thing, RDFS.comment, Literal("only English", lang="en")))
    out = bilingual(graph)
    assert set(out.objects(thing, RDFS.label)) == {Literal("Tỉnh ủy — Provincial Party Committee", lang="vi")}
    assert set(out.objects(thing, RDFS.comment)) == {Literal("only English", lang="en")}
    assert len(graph) == 3


def test_docs_pages_are_written(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path)]) == 0
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    page = (tmp_path / "ontology.html").read_text(encoding="utf-8")
    assert "Cơ quan, tổ chức — Agency" in page and "Sự kiện trạng thái — Status event" in page
    for path in ontology.vocab_files():
        assert f"vocab/{path.stem}.html" in index
        assert (tmp_path / "vocab" / f"{path.stem}.html").stat().st_size > 1000
    agencies = (tmp_path / "vocab" / "agency-types.html").read_text(encoding="utf-8")
    assert "Tỉnh ủy — Provincial Party Committee" in agencies
    assert str(tmp_path / "index.html") in capsys.readouterr().out
