"""Writes over real HTTP: bearer token, POST an article in three forms, DELETE, bad bodies change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ROOT, TOKEN, Server, start_server, stop_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXT = (ROOT / "examples" / "002_2638025429762e0c.txt").read_text(encoding="utf-8")


@pytest.fixture()
def w(write_server: Server) -> httpx.Client:
    with write_server.client() as c:
        yield c


def article_count(c: httpx.Client) -> int:
    return c.get("/health").json()["articles"]


def test_token_required_and_checked(w: httpx.Client) -> None:
    r = w.post("/api/articles", content=TEXT.encode(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = w.post(
        "/api/articles",
        content=TEXT.encode(),
        headers={"Content-Type": "text/plain", "Authorization": "Bearer wrong"},
    )
    assert r.status_code == 403 and r.json()["error"] == "bad_token"
    assert w.delete("/api/articles/000_3db7e80d1100efe9").status_code == 401
    assert article_count(w) == 2


def test_post_plain_text_then_delete(w: httpx.Client) -> None:
    r = w.post(
        "/api/articles",
        params={"id": "hd_copy"},
        content=TEXT.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8", **AUTH},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] and body["validation"]["conforms"] and body["triples"] > 0
    assert body["facts"]["id"] == "hd_copy" and body["facts"]["province"] == "Hải Dương"
    assert body["duplicate_of"] == ["002_2638025429762e0c"] and "002_2638025429762e0c" in body["warning"]
    assert article_count(w) == 3
    doc = w.get("/api/documents/article/hd_copy").json()
    assert doc.get("text", "").startswith("Hải Dương") and doc["facts"], doc
    again = w.post(
        "/api/articles",
        params={"id": "hd_copy"},
        content=TEXT.encode(),
        headers={"Content-Type": "text/plain", **AUTH},
    )
    assert (
        again.status_code == 200 and again.json()["replaced"] and again.json()["triples"] == body["triples"]
    )
    assert w.delete("/api/articles/hd_copy", headers=AUTH).json() == {
        "id": "hd_copy",
        "graph": "https://w3id.org/bomay/graph/article/hd_copy",
        "deleted": True,
    }
    assert w.get("/api/documents/article/hd_copy").status_code == 404
    assert w.delete("/api/articles/hd_copy", headers=AUTH).status_code == 404
    assert article_count(w) == 2


def test_post_json_and_html(w: httpx.Client) -> None:
    r = w.post(
        "/api/articles",
        json={"text": TEXT, "id": "hd_json", "title": "Bản sao JSON", "url": "https://example.org/a"},
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    doc = w.get("/api/documents/article/hd_json")
    assert doc.json()["title"] == "Bản sao JSON", doc.text
    paragraphs = "".join(f"<p>{p}</p>" for p in TEXT.split("\n") if p.strip())
    html = (f"<html><body><nav>Trang chủ</nav><article>{paragraphs}</article>"
            "<script>alert(1)</script></body></html>")
    r = w.post(
        "/api/articles",
        params={"id": "hd_html"},
        content=html.encode(),
        headers={"Content-Type": "text/html", **AUTH},
    )
    assert r.status_code == 201, r.text
    text = w.get("/api/documents/article/hd_html").json()["text"]
    assert "alert(1)" not in text and "Kim Thành" in text
    for doc in ("hd_json", "hd_html"):
        assert w.delete(f"/api/articles/{doc}", headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    "body, ctype, status",
    [
        (b"", "text/plain", 400),
        (b"\xff\xfe\x00bad", "text/plain", 400),
        (b"\x00\x01\x02\x03" * 50, "text/plain", 400),
        (
            b"The quick brown fox jumps over the lazy dog, again and again, in plain English.",
            "text/plain",
            422,
        ),
        (b"{not json", "application/json", 400),
        (b'{"text": "a", "html": "b"}', "application/json", 400),
        (TEXT.encode(), "application/pdf", 415),
        (b"x" * 300_000, "text/plain", 413),
    ],
)
def test_bad_bodies_are_4xx_and_change_nothing(
    w: httpx.Client, body: bytes, ctype: str, status: int | None
) -> None:
    before = article_count(w)
    r = w.post("/api/articles", content=body, headers={"Content-Type": ctype, **AUTH})
    assert 400 <= r.status_code < 500, r.text
    if status:
        assert r.status_code == status, r.text
    assert r.json()["message"]
    if r.status_code >= 400:
        assert article_count(w) == before


def test_bad_article_id(w: httpx.Client) -> None:
    r = w.post(
        "/api/articles",
        params={"id": "../x"},
        content=TEXT.encode(),
        headers={"Content-Type": "text/plain", **AUTH},
    )
    assert r.status_code == 422
    assert w.delete("/api/articles/a%20b", headers=AUTH).status_code == 422


def test_writes_disabled_without_token(seeded_store: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_server(tmp_path / "store", tmp_path / "server.log", BOMAY_TOKEN="")
    try:
        with srv.client() as c:
            r = c.post("/api/articles", content=TEXT.encode(), headers={"Content-Type": "text/plain", **AUTH})
            assert r.status_code == 503 and r.json()["error"] == "writes_disabled"
            assert c.delete("/api/articles/000_3db7e80d1100efe9", headers=AUTH).status_code == 503
            assert c.get("/health").json()["writes_enabled"] is False
    finally:
        stop_server(srv)


def shared_label_count(c: httpx.Client) -> int:
    """How often the default graph states the label of the office merger both seed articles report."""
    query = (
        "PREFIX bomay: <https://w3id.org/bomay/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?m a bomay:MergerModel ; rdfs:label ?l . "
        "FILTER(CONTAINS(?l, 'Văn phòng Huyện ủy')) }"
    )
    r = c.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_the_default_graph_states_a_shared_fact_once_however_many_articles_repeat_it(w: httpx.Client) -> None:
    assert shared_label_count(w) == 1
    for k in range(2):
        r = w.post("/api/articles", params={"id": f"copy{k}"}, content=TEXT.encode(),
                   headers={"Content-Type": "text/plain", **AUTH})
        assert r.status_code == 201, r.text
    assert shared_label_count(w) == 1
    for k in range(2):
        assert w.delete(f"/api/articles/copy{k}", headers=AUTH).status_code == 200
    assert shared_label_count(w) == 1
    assert w.delete("/api/articles/000_3db7e80d1100efe9", headers=AUTH).status_code == 200
    assert w.delete("/api/articles/002_2638025429762e0c", headers=AUTH).status_code == 200
    assert shared_label_count(w) == 0
    for seed in ("000_3db7e80d1100efe9", "002_2638025429762e0c"):  # leave the module's store as found
        body = (ROOT / "examples" / f"{seed}.txt").read_bytes()
        headers = {"Content-Type": "text/plain", **AUTH}
        r = w.post("/api/articles", params={"id": seed}, content=body, headers=headers)
        assert r.status_code == 201, r.text
    assert shared_label_count(w) == 1


def _cli(*args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"BOMAY_STORE": str(store)} if store else {})}
    env.pop("BOMAY_SPARQL_URL", None)
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


SHORT = "Tin Hải Dương\n\nNăm 2022, huyện Nam Sách đã hợp nhất Phòng Y tế với Trung tâm Y tế huyện.\n"
SAME_INPUTS = {
    "vi_plain": SHORT.encode(),
    "vi_bom": b"\xef\xbb\xbf" + SHORT.encode(),
    "vi_nfd": unicodedata.normalize("NFD", SHORT).encode(),
    "english": b"The district merged its health office with the district health centre last year.",
    "too_short": "Huyện Sóc Sơn".encode(),
    "names_in_english": (
        "Officials from Hải Dương, Bắc Ninh and Thái Bình met in the capital to compare how their districts "
        "had merged the offices of the party committee, the people's council and the people's committee "
        "during the pilot, and what the provinces would do next year."
    ).encode(),
    "nul": SHORT.encode() + b"\x00",
    "controls": SHORT.encode() + b"\x01\x02\x03\x04" * 4,
    "utf16": SHORT.encode("utf-16"),
    "blank": b" \n\t \n",
    "deep_html": ("<div>" * 600 + SHORT + "</div>" * 600).encode(),
}


def test_cli_and_api_accept_and_refuse_the_same_texts(w: httpx.Client, tmp_path: Path) -> None:
    """One set of inputs to `bomay extract` (files) and to POST /api/articles (text/plain bodies)."""
    for name, raw in SAME_INPUTS.items():
        (tmp_path / f"{name}.txt").write_bytes(raw)
    done = _cli("extract", *(str(tmp_path / f"{n}.txt") for n in SAME_INPUTS))
    cli_accepted = {f["id"] for f in json.loads(done.stdout)}
    refused_lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and all(" / " in line for line in refused_lines), done.stderr
    assert {Path(line.split(": ", 1)[0]).stem for line in refused_lines} == set(SAME_INPUTS) - cli_accepted
    api_accepted = set()
    for name, raw in SAME_INPUTS.items():
        r = w.post("/api/articles", params={"id": name}, content=raw,
                   headers={"Content-Type": "text/plain", **AUTH})
        assert r.status_code in (200, 201) or 400 <= r.status_code < 500 and r.json()["message"], r.text
        if r.status_code in (200, 201):
            api_accepted.add(name)
            assert w.delete(f"/api/articles/{name}", headers=AUTH).status_code == 200
    assert cli_accepted == api_accepted == {"vi_plain", "vi_bom", "vi_nfd"}


def test_cli_ingest_beside_a_running_server_points_to_post(write_server: Server, tmp_path: Path) -> None:
    article = tmp_path / "bai.txt"
    article.write_text(SHORT, encoding="utf-8")
    done = _cli("ingest", "--no-gazetteer", str(article), store=write_server.store)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "POST /api/articles" in lines[0] and "Traceback" not in done.stderr, lines
