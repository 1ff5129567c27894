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
