"""The pages a user opens first, in real headless Chromium, with every request outside the app refused
and recorded: /docs, /redoc, the SPARQL editor, and `/` landing on the explorer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Server
from tests.api.test_explore_browser import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


@dataclass
class Visit:
    """A page with what it asked of the outside world (refused) and the script errors it raised."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@contextmanager
def offline_page(server: Server, width: int = 1400, height: int = 1000) -> Iterator[Visit]:
    """A fresh Chromium page on which any request not to `server` is aborted and remembered."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            visit = Visit(page)

            def route(r: Any) -> None:
                if r.request.url.startswith((server.url, "data:", "blob:")):
                    r.continue_()
                else:
                    visit.outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e: visit.errors.append(str(e)))
            page.on("console", lambda m: visit.console.append(m.text) if m.type == "error" else None)
            yield visit
        finally:
            browser.close()


def test_swagger_ui_renders_offline(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with offline_page(server) as v:
        v.page.goto(server.url + "/docs")
        expect(v.page.locator(".swagger-ui .info .title")).to_contain_text("Bộ Máy KG", timeout=30_000)
        expect(
            v.page.locator(".swagger-ui .opblock-summary-path", has_text="/api/search").first
        ).to_be_visible()
        # an operation opens and shows its parameters: the UI is live, not a static shell
        v.page.locator(".opblock-summary", has_text="/api/search").first.click()
        op = v.page.locator(".opblock", has_text="/api/search").first
        op.locator("input[placeholder=q]").fill("thuan thanh")
        op.locator("button.execute").click()
        # the answer comes from this server, Vietnamese as UTF-8 text
        expect(op.locator(".live-responses-table .response-col_description pre").first).to_contain_text(
            "Thuận Thành"
        )
        v.page.screenshot(path=str(tmp_path / "docs.png"))
    assert v.outside == [], v.outside
    assert v.errors == [] and v.console == [], (v.errors, v.console)


def test_redoc_renders_offline(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with offline_page(server) as v:
        v.page.goto(server.url + "/redoc")
        expect(v.page.locator("h1", has_text="Bộ Máy KG").first).to_be_visible(timeout=30_000)
        expect(v.page.locator("[role=menuitem]", has_text="Explorer").first).to_be_attached()
        expect(v.page.get_by_text("/api/search").first).to_be_attached()
        v.page.screenshot(path=str(tmp_path / "redoc.png"))
    assert v.outside == [], v.outside
    assert v.errors == []
    # ReDoc's footer logo is on a CDN: the page's policy refuses it before it leaves the browser
    assert all("cdn.redoc.ly" in m for m in v.console), v.console
