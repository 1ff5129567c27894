"""The HTML pages over HTTP: documentation and editor name no outside host, their assets are served here."""

from __future__ import annotations

import re

import httpx
import pytest

_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_doc_pages_load_only_local_assets(http: httpx.Client, path: str) -> None:
    r = http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _URL.findall(r.text)
    assert refs, r.text[:500]
    assert [u for u in refs if "//" in u] == []  # no CDN, no Google Fonts
    assert "connect-src 'self'" in r.headers["content-security-policy"]
    for ref in refs:
        asset = http.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 1000, ref


def test_doc_assets_are_a_fixed_list(http: httpx.Client) -> None:
    assert http.get("/static/docs/swagger-ui-bundle.js").headers["content-type"].startswith("text/javascript")
    for name in ("LICENSE", "..%2F__init__.py", "core.py", "nope.js"):
        assert http.get(f"/static/docs/{name}").status_code == 404


def test_root_redirects_to_the_explorer(http: httpx.Client) -> None:
    r = http.get("/", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "explore"
    searched = http.get("/?q=thuan%20thanh", follow_redirects=False)
    assert searched.headers["location"] == "explore?q=thuan%20thanh"
    landed = http.get("/", follow_redirects=True)
    assert str(landed.url).endswith("/explore") and landed.headers["content-type"].startswith("text/html")
    assert 'id="search"' in landed.text


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    "accept, html",
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        (None, False),
        ("*/*", False),
        ("text/turtle", False),
        ("text/html;q=0.5, text/turtle", False),
        ("application/rdf+xml, text/html;q=0.9", False),
        ("text/*", False),
    ],
)
def test_sparql_editor_only_for_browsers(accept: str | None, html: bool) -> None:
    from api.editor import wants_html

    assert wants_html(accept) is html


def test_bare_sparql_get_serves_the_editor_to_a_browser(http: httpx.Client) -> None:
    r = http.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "connect-src 'self'" in r.headers["content-security-policy"]
    refs = _URL.findall(r.text)
    assert "static/vendor/yasgui.min.js" in refs and [u for u in refs if "//" in u] == []
    # machines keep their answers: the service description, and results for a query
    assert http.get("/sparql").headers["content-type"].startswith("text/turtle")
    sd = http.get("/sparql", params={"format": "turtle"}, headers={"Accept": BROWSER_ACCEPT})
    assert sd.headers["content-type"].startswith("text/turtle")
    q = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER_ACCEPT})
    assert q.headers["content-type"].startswith("application/sparql-results+xml")


def test_editor_assets_and_prefixes(http: httpx.Client) -> None:
    from api.editor import installed

    prefixes = http.get("/static/editor/prefixes.json").json()
    assert prefixes["bomay"] == "https://w3id.org/bomay/ontology#" and "rdf" in prefixes
    assert http.get("/static/editor/sparql-editor.js").status_code == 200
    for bad in ("/static/editor/sparql.html", "/static/vendor/package.json",
                "/static/vendor/..%2F..%2Fpackage.json"):
        assert http.get(bad).status_code == 404
    if installed():
        js = http.get("/static/vendor/yasgui.min.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    else:
        assert http.get("/static/vendor/yasgui.min.js").json()["error"] == "editor_not_installed"
