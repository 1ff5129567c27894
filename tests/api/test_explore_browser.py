"""The explorer in real headless Chromium: search without diacritics, click a node, see its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import Server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


def test_explore_search_click_and_source_sentence(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/explore")
            page.fill("#search", "thuan thanh")
            page.click("#search-form button[type=submit]")
            result = page.locator("#results button", has_text="Thuận Thành").first
            expect(result).to_be_visible()
            node = page.locator("#graph g.node", has_text="Thuận Thành").first
            expect(node).to_be_visible()
            assert node.get_attribute("data-type") == "place"
            # other kinds of nodes and labelled edges are drawn too
            expect(page.locator("#graph g.node[data-type=merger]").first).to_be_visible()
            expect(page.locator("#graph g.edge text", has_text="2022-Q4").first).to_be_attached()
            node.click()
            expect(page.locator("#detail-title")).to_contain_text("Thuận Thành")
            expect(page.locator("#facts .fact").first).to_contain_text("2022-Q4")
            mark = page.locator("#article mark")
            expect(mark).to_have_text("Mô hình Văn phòng Huyện ủy – HĐND – UBND ở huyện Thuận Thành.")
            # the highlight sits inside the article's full text
            expect(page.locator("#article")).to_contain_text("Kế hoạch số 68-KH/TU")
            page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)
            # the SPARQL editor runs a competency question from the examples
            options = page.locator("#examples option")
            if options.count() > 1:
                page.select_option("#examples", index=1)
            page.click("#run-sparql")
            expect(page.locator("#sparql-status")).to_contain_text("dòng")
        finally:
            browser.close()
    assert (tmp_path / "explore.png").stat().st_size > 10_000
    assert outside == []  # nothing loaded from anywhere but this app
    assert errors == []
