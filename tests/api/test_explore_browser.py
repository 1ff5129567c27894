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
            # the place's lineage: where its territory went in the reform of 1 July 2025
            expect(page.locator("#lineage")).to_contain_text("Nay thuộc")
            expect(page.locator("#lineage li").first).to_contain_text("tỉnh Bắc Ninh")
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


def test_explore_escapes_markup_from_articles(write_server: Server, tmp_path: Path) -> None:
    """An article whose title and text carry markup is shown as text; nothing in it runs."""
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from tests.api.conftest import ROOT, TOKEN

    text = (ROOT / "examples" / "002_2638025429762e0c.txt").read_text(encoding="utf-8")
    evil = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"
    text = text.replace("Trong tháng 10/2022", f"{evil} Trong tháng 10/2022", 1)
    r = httpx.post(write_server.url + "/api/articles", json={"text": text, "id": "xss_probe", "title": evil},
                   headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert r.status_code in (200, 201), r.text
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(write_server.url + "/explore?q=kim%20thanh")
                node = page.locator("#graph g.node", has_text="Kim Thành").first
                expect(node).to_be_visible()
                node.click()
                fact = page.locator("#facts .fact", has_text="2022-10")
                for i in range(fact.count()):  # the article loads after the click: wait for each one
                    fact.nth(i).click()
                    try:
                        expect(page.locator("#article")).to_contain_text("<script>", timeout=5_000)
                        break
                    except AssertionError:
                        continue
                expect(page.locator("#article")).to_contain_text("<script>window.__xss = 1</script>")
                assert page.locator("#article script, #article img").count() == 0
                assert page.evaluate("window.__xss") is None
                page.screenshot(path=str(tmp_path / "escaped.png"))
            finally:
                browser.close()
    finally:
        httpx.delete(write_server.url + "/api/articles/xss_probe",
                     headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
