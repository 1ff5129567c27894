"""Every JSON answer carries Vietnamese as UTF-8 text, never as `\\uXXXX` escapes: people read
these bodies in a browser tab or a terminal, where escapes are unreadable."""

from __future__ import annotations

import re

import httpx
import pytest

ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")
JSON_LD = {"Accept": "application/ld+json"}
MODEL = "merger/district/van-phong-hdnd--van-phong-huyen-uy--van-phong-ubnd"


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/models?per_page=3", {}),
        ("/api/models.json?per_page=3", {}),
        (f"/api/models/{MODEL}", {}),
        ("/api/places/2023/262", {}),
        ("/api/search?q=thuan%20thanh", {}),
        ("/api/documents", {}),
        ("/api/events?per_page=5", {}),
        ("/api/mergers?province=hai%20duong&per_page=3", {}),
        ("/api/graph?id=unit/2023/262", {}),
        ("/api/examples", {}),
        ("/api/models?per_page=3", JSON_LD),
        ("/api/places/2023/262", JSON_LD),
        ("/export/cytoscape?province=hai%20duong", {}),
        ("/export/nodelink?province=hai%20duong", {}),
        ("/export/jsonld?province=hai%20duong", {}),
        ("/api/places/2023/99999", {}),  # an error body: its Vietnamese message
        ("/api/models?per_page=abc", {}),  # a validation error
        ("/openapi.json", {}),
    ],
)
def test_json_is_utf8_text(http: httpx.Client, path: str, headers: dict[str, str]) -> None:
    r = http.get(path, headers=headers)
    assert "json" in r.headers["content-type"], (path, r.headers["content-type"])
    text = r.content.decode("utf-8")  # strict: UTF-8 or the test fails
    assert any(ord(c) > 127 for c in text), (path, text[:300])  # Vietnamese is there, as characters
    assert ESCAPE.search(text) is None, (path, ESCAPE.search(text))


def test_sparql_json_results_are_utf8_text(http: httpx.Client) -> None:
    q = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'vi') }"
    r = http.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    text = r.content.decode("utf-8")
    assert any(ord(c) > 127 for c in text) and ESCAPE.search(text) is None
