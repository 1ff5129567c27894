"""Ingest holds: token required and compared in constant time, size limit, and every bad body is a 4xx
with a message that leaves the store exactly as it was."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import TOKEN, stop_server
from tests.reliability.conftest import AUTH, graph_counts, seed_text, start_app

VI = seed_text(0)
ENGLISH = ("The provincial party committee decided to merge the offices of the district party committee, "
           "the people's council and the people's committee into one office. ") * 20
CHINESE = "省委决定将县委办公室、人民议会办公室和人民委员会办公室合并为一个办公室。" * 30
RUSSIAN = "Областной комитет партии решил объединить канцелярии районного комитета и народного совета. " * 20


def _nested_html(depth: int, inner: str) -> str:
    return "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"


BAD_BODIES = {
    "invalid_utf8": (b"B\xe1\xba\xafc Ninh \xff\xfe\xfa" + VI.encode()[:4000] + b"\xc3\x28", "text/plain"),
    "binary_png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, "text/plain"),
    "binary_nul_in_utf8": (("Bắc Ninh\x00" * 500).encode(), "text/plain"),
    "control_chars": (("Thí điểm \x01\x02\x03\x04\x05\x06\x07\x08" * 300).encode(), "text/plain"),
    "empty": (b"", "text/plain"),
    "whitespace": (b" \n\t\r\n   \xc2\xa0 ", "text/plain"),
    "empty_html": (b"<html><body><script>var x = 1;</script></body></html>", "text/html"),
    "english": (ENGLISH.encode(), "text/plain"),
    "chinese": (CHINESE.encode(), "text/plain"),
    "russian": (RUSSIAN.encode(), "text/plain"),
    "deep_html_no_text": (_nested_html(60_000, "").encode(), "text/html"),
    "json_malformed": (b'{"text": "B\xe1\xba\xafc Ninh', "application/json"),
    "json_not_object": (b'["text"]', "application/json"),
    "json_both_text_and_html": (json.dumps({"text": VI, "html": "<p>x</p>"}).encode(), "application/json"),
    "json_neither": (json.dumps({"title": "x"}).encode(), "application/json"),
    "json_bad_id": (json.dumps({"text": VI, "id": "../../graph/ontology"}).encode(), "application/json"),
    "json_nested_bomb": (b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "application/json"),
    "octet_stream": (VI.encode(), "application/octet-stream"),
    "no_content_type": (VI.encode(), ""),
}


@pytest.fixture()
def before(rserver) -> dict[str, int]:
    """Graph counts at the start of each test (so one failure cannot mask another)."""
    with rserver.client() as c:
        return graph_counts(c)


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_body_is_4xx_with_message_and_changes_nothing(rhttp: httpx.Client, before: dict[str, int],
                                                          name: str) -> None:
    body, ctype = BAD_BODIES[name]
    headers = {**AUTH, **({"Content-Type": ctype} if ctype else {})}
    r = rhttp.post("/api/articles", content=body, headers=headers)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
    data = r.json()
    assert data.get("message") or data.get("validation"), data
    assert graph_counts(rhttp) == before


def test_ten_megabytes_is_413_and_changes_nothing(rhttp: httpx.Client, before: dict[str, int]) -> None:
    big = (VI + "\n") * (10_000_000 // len(VI.encode()) + 1)
    r = rhttp.post("/api/articles", content=big.encode(), headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 413, r.text[:300]
    assert r.json()["error"] == "body_too_large" and r.json()["message"]
    assert graph_counts(rhttp) == before


def test_ten_megabytes_streamed_without_length_is_413(rhttp: httpx.Client, before: dict[str, int]) -> None:
    """Chunked upload (no Content-Length): the cap is enforced while reading, not only from the header."""
    chunk = (VI + "\n").encode()

    def gen():
        sent = 0
        while sent < 10_000_000:
            sent += len(chunk)
            yield chunk

    r = rhttp.post("/api/articles", content=gen(), headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 413, r.text[:300]
    assert graph_counts(rhttp) == before


def test_lying_content_length_is_harmless(rserver, before: dict[str, int]) -> None:
    """Content-Length: 10 followed by megabytes: the server reads 10 bytes, refuses them, survives."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(rserver.url)
    head = (f"POST /api/articles HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall(head + VI.encode() * 20)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while len(answer) < 1_000_000:
            part = s.recv(65536)
            if not part:
                break
            answer += part
    assert answer.startswith(b"HTTP/1.1 4"), answer[:200]
    with rserver.client() as c:
        assert c.get("/health").status_code == 200
        assert graph_counts(c) == before


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Basic " + TOKEN}, 401),
    ({"Authorization": "Bearer"}, 401),
    ({"Authorization": "Bearer wrong"}, 403),
    ({"Authorization": "Bearer " + TOKEN[:-1]}, 403),
    ({"Authorization": "Bearer " + TOKEN + "x"}, 403),
    ({"Authorization": "Bearer " + TOKEN.upper()}, 403),
    ({"Authorization": "Bearer " + TOKEN + "\u00e9"}, 403),
    ({"X-Token": TOKEN}, 401),
])
def test_token_is_required_for_post_and_delete(rhttp: httpx.Client, before: dict[str, int],
                                               headers: dict[str, str], status: int) -> None:
    h = {k: v.encode("utf-8") for k, v in headers.items()}
    r = rhttp.post("/api/articles", content=VI.encode(), headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == status, r.text[:300]
    assert r.json()["message"]
    r = rhttp.delete("/api/articles/000_3db7e80d1100efe9", headers=h)
    assert r.status_code == status, r.text[:300]
    r = rhttp.post("/api/articles", params={"token": TOKEN}, content=VI.encode(),
                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 401  # a token in the query string is not a credential
    assert graph_counts(rhttp) == before


def test_right_token_writes_and_deletes(rhttp: httpx.Client, before: dict[str, int]) -> None:
    r = rhttp.post("/api/articles", params={"id": "rel_token_ok"}, content=seed_text(1).encode(),
                   headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 201, r.text[:500]
    after = graph_counts(rhttp)
    assert after[r.json()["graph"]] == r.json()["triples"] > 0
    r = rhttp.delete("/api/articles/rel_token_ok", headers=AUTH)
    assert r.status_code == 200
    assert graph_counts(rhttp) == before
    assert rhttp.delete("/api/articles/rel_token_ok", headers=AUTH).status_code == 404


DOT_IDS = ["..", ".", "..."]


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "a b", "x" * 101, "%2e%2e", "a\u0000b", "ú", "a\nb", "",
                                    *DOT_IDS])
def test_article_ids_are_checked(rhttp: httpx.Client, before: dict[str, int], bad_id: str) -> None:
    from urllib.parse import quote

    r = rhttp.post("/api/articles", params={"id": bad_id}, content=VI.encode(),
                   headers={**AUTH, "Content-Type": "text/plain"})
    if bad_id:
        assert 400 <= r.status_code < 500, r.text[:300]
        r = rhttp.delete("/api/articles/" + quote(bad_id, safe=""), headers=AUTH)
        assert 400 <= r.status_code < 500
    r = rhttp.post("/api/articles", content=json.dumps({"text": VI, "id": bad_id}).encode(),
                   headers={**AUTH, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text[:300]
    assert graph_counts(rhttp) == before


def test_writes_are_off_without_a_configured_token(seeded_store: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_app(tmp_path / "store", tmp_path / "server.log", BOMAY_TOKEN="")
    try:
        with srv.client() as c:
            before = graph_counts(c)
            for auth in ({}, {"Authorization": "Bearer anything"}):
                r = c.post("/api/articles", content=VI.encode(),
                           headers={**auth, "Content-Type": "text/plain"})
                assert r.status_code == 503 and r.json()["error"] == "writes_disabled"
                assert c.delete("/api/articles/000_3db7e80d1100efe9", headers=auth).status_code == 503
            assert graph_counts(c) == before
    finally:
        stop_server(srv)


def _token_checks(fn) -> tuple[list[str], list[ast.Compare]]:
    tree = ast.parse(inspect.getsource(fn).lstrip())
    calls = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)
                and any(isinstance(op, ast.Eq | ast.NotEq) for op in n.ops)
                and any("expected" in ast.unparse(x) or "token" in ast.unparse(x).lower()
                        for x in (n.left, *n.comparators))]
    return calls, compares


def test_token_comparison_is_constant_time() -> None:
    """Timing cannot be asserted, so check the code: hmac.compare_digest, and no == on the token."""
    from api import deps

    for check in (deps.require_writer, deps.require_reviewer):
        calls, compares = _token_checks(check)
        assert any(c.endswith("compare_digest") for c in calls), calls
        assert not compares, [ast.unparse(c) for c in compares]


def test_deeply_nested_html_with_text_is_refused(rhttp: httpx.Client, before: dict[str, int]) -> None:
    body = _nested_html(20_000, "<p>" + VI[:3000] + "</p>")
    r = rhttp.post("/api/articles", params={"id": "rel_deep_html"}, content=body.encode(),
                   headers={**AUTH, "Content-Type": "text/html"})
    if r.status_code < 300:  # keep the module's store as it was
        rhttp.delete("/api/articles/rel_deep_html", headers=AUTH)
    assert 400 <= r.status_code < 500, r.text[:300]
    assert r.json()["message"]
    assert graph_counts(rhttp) == before
