"""The article pipeline (api/pipeline.py) in-process and through `bomay`: the Vietnamese-text rule and its
examples, the id policy, the typed payload the ingest workers hand back, duplicate texts, no web stack."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from api import pipeline
from api.pipeline import ArticleRefused
from loaders.lexicon import load
from loaders.normalise import html_to_text

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ("Tin Hải Dương\n\nNăm 2022, huyện Nam Sách đã hợp nhất Văn phòng Huyện ủy với Văn phòng HĐND và "
           "UBND huyện.\n")


@pytest.mark.parametrize("text", load("language")["examples"]["vietnamese"])
def test_the_rules_vietnamese_examples_are_read(text: str) -> None:
    assert pipeline.is_vietnamese(text)
    assert pipeline.is_vietnamese(unicodedata.normalize("NFD", text))
    assert pipeline.check_text(text) == text


@pytest.mark.parametrize("text", load("language")["examples"]["not_vietnamese"])
def test_the_rules_other_examples_are_refused(text: str) -> None:
    assert not pipeline.is_vietnamese(text)
    with pytest.raises(ArticleRefused) as e:
        pipeline.check_text(text)
    assert e.value.status == 422 and e.value.code == "not_vietnamese" and " / " in e.value.message


@pytest.mark.parametrize("raw, code", [
    (b"", "empty"),
    (b" \n\t\r\n \xc2\xa0 ", "empty"),
    (ARTICLE.encode() + b"\x00", "binary"),
    (ARTICLE.encode() + b"\x01\x02\x03" * 5, "binary"),
    (ARTICLE.encode("utf-16"), "bad_encoding"),
    (("<div>" * 600 + ARTICLE + "</div>" * 600).encode(), "bad_html"),
])
def test_bad_bytes_are_refused_with_their_reason(raw: bytes, code: str) -> None:
    with pytest.raises(ArticleRefused) as e:
        pipeline.decode(raw, "text/plain")
    assert e.value.code == code and 400 <= e.value.status < 500


def test_decoding_drops_a_bom_trims_and_composes() -> None:
    raw = b"\xef\xbb\xbf\n" + unicodedata.normalize("NFD", ARTICLE).encode() + b"\n\n"
    assert pipeline.decode(raw) == ARTICLE.strip()
    html = f"<html><body><nav>Trang chủ</nav><p>{ARTICLE}</p></body></html>".encode()
    assert pipeline.decode(html, "text/html") == ARTICLE.strip()


def test_id_policy() -> None:
    text = pipeline.check_text(ARTICLE)
    assert pipeline.article_id(text) == "api_" + pipeline.content_hash(text)[:16]
    assert pipeline.article_id(text, "bai_1") == "bai_1"
    for bad in ("../x", ".", "a b", "x" * 101, ""):
        with pytest.raises(ArticleRefused):
            pipeline.article_id(text, bad)
    assert pipeline.id_of_path("/tmp/x/bai-2.v2.txt") == "bai-2.v2"


def test_read_file_names_the_file_in_its_refusal(tmp_path: Path) -> None:
    bad = tmp_path / "bad name.txt"
    bad.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(ArticleRefused) as e:
        pipeline.read_file(bad)
    assert e.value.message.startswith(f"{bad}: ") and e.value.code == "bad_id"
    with pytest.raises(ArticleRefused) as e:
        pipeline.read_file(tmp_path / "missing.txt")
    assert e.value.code == "unreadable" and "missing.txt" in e.value.message


def test_validated_payload_crosses_processes_and_holds_the_graph() -> None:
    from rdflib import DCTERMS, Graph, Literal, URIRef

    from ontology.namespaces import BOMAY

    text = pipeline.check_text(ARTICLE)
    meta = pipeline.Meta(title="Bản tin thử", url="https://example.org/tin", published="2022-10-05T08:00")
    payload = pickle.loads(pickle.dumps(pipeline.validated(text, "thu_1", meta)))
    assert payload.validation.conforms, payload.validation.summary()
    assert payload.iri == "https://w3id.org/bomay/graph/article/thu_1" and payload.doc_id == "thu_1"
    assert [f["place"]["name"] for f in payload.facts["models"]] == ["huyện Nam Sách"]
    graph = Graph().parse(data=payload.ntriples, format="nt")
    assert len(graph) == payload.triples
    article = URIRef("https://w3id.org/bomay/id/article/thu_1")
    assert graph.value(article, BOMAY.textHash) == Literal(pipeline.content_hash(text))
    assert graph.value(article, DCTERMS.title) == Literal("Bản tin thử")
    assert payload.facts["date"] == "2022-10-05"  # the publication day is the article's date


def test_the_shapes_check_the_text_hash() -> None:
    from rdflib import Literal

    from graph.validation import validate_graph
    from ontology.namespaces import BOMAY

    built = pipeline.article_graph(pipeline.check_text(ARTICLE), "thu_2")
    assert validate_graph(built.graph).conforms
    article = next(built.graph.subjects(BOMAY.textHash, None))
    built.graph.add((article, BOMAY.textHash, Literal("not a hash")))
    report = validate_graph(built.graph)
    assert not report.conforms and {r["path"] for r in report.results} == {str(BOMAY.textHash)}


def test_the_pipeline_and_the_ingest_workers_load_no_web_stack() -> None:
    code = "import sys, api.pipeline, api.ingest_pool; print(sorted(m for m in sys.modules if m in " \
           "('fastapi', 'starlette', 'uvicorn', 'api.articles')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_cli_ingest_warns_when_a_text_is_stored_again_under_another_id(tmp_path: Path) -> None:
    first, second = tmp_path / "ban_dau.txt", tmp_path / "ban_sao.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    second.write_text(ARTICLE + "\n\n", encoding="utf-8")  # the same text once trimmed
    env = {**os.environ, "BOMAY_STORE": str(tmp_path / "store")}
    env.pop("BOMAY_SPARQL_URL", None)
    args = ["ingest", "--no-gazetteer", str(first), str(second)]
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert [ln.split(": ", 1)[1].split()[0] for ln in done.stdout.splitlines() if ln.startswith(str(tmp_path))
            ] == ["ingested", "ingested"]
    warnings = [ln for ln in done.stderr.splitlines() if "warning" in ln]
    assert len(warnings) == 1, done.stderr
    assert warnings[0].startswith(f"{second}: ") and "ban_dau" in warnings[0], done.stderr
    assert "Traceback" not in done.stderr


def test_unclosed_tags_after_the_last_one_read_as_text() -> None:
    for page in ("<p>Hà Nội</p> a < b <c", "<div>t</div><scr", "<a" * 50):
        assert pipeline.html_text(page) == html_to_text(page)
