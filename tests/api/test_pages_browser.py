"""The pages a user opens first, in real headless Chromium, with every request outside the app refused
and recorded: /docs, /redoc, the SPARQL editor, and `/` landing on the explorer."""

from __future__ import annotations

import csv
import io
import json
import os
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


def test_sparql_editor_runs_a_competency_question_offline(server: Server, tmp_path: Path) -> None:
    """YASGUI from the app's own files: highlighted CQ tabs, prefix completion from this service, a
    query run against this endpoint, results as a table with prefixed links, and CSV and JSON downloads."""
    from playwright.sync_api import expect

    from api.editor import installed

    if not installed():
        if os.environ.get("CI"):
            pytest.fail("YASGUI is not installed in CI: .ci/run installs npm, make install runs npm ci")
        pytest.skip("YASGUI not installed (make install needs npm)")
    with offline_page(server) as v:
        page = v.page
        page.goto(server.url + "/sparql")
        expect(page.locator("body[data-ready='1']")).to_be_attached(timeout=30_000)
        tabs = page.locator(".tabsList .tab")
        for n in range(1, 8):
            expect(tabs.filter(has_text=f"CQ{n} ")).to_have_count(1)
        active = page.locator(".tabPanel.active")
        expect(page.locator(".tabsList .tab.active")).to_contain_text("CQ1")
        expect(active.locator(".CodeMirror .cm-keyword", has_text="SELECT").first).to_be_visible()
        active.locator(".yasqe_queryButton").click()
        rows = active.locator(".yasr table.dataTable tbody tr")
        expect(rows.first).to_be_visible(timeout=30_000)
        assert rows.count() >= 5
        link = active.locator(".yasr table.dataTable a", has_text="id:unit/2023/").first
        expect(link).to_be_visible()
        assert link.get_attribute("href").startswith("https://w3id.org/bomay/id/unit/2023/")
        expect(active.locator(".yasr")).to_contain_text("Hợp nhất")
        page.screenshot(path=str(tmp_path / "sparql-editor.png"))
        with page.expect_download() as download:
            active.locator(".yasr_downloadIcon").click()
        table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert table[0][:2] == ["model", "modelLabel"] and len(table) == rows.count() + 1
        assert any(r[1].startswith("Hợp nhất") for r in table[1:])
        # the raw answer as JSON, from the response view
        active.locator(".yasr_btnGroup .select_response").click()
        with page.expect_download() as raw:
            active.locator(".yasr_downloadIcon").click()
        answer = json.loads(Path(raw.value.path()).read_text(encoding="utf-8"))
        assert answer["head"]["vars"][:2] == ["model", "modelLabel"]
        assert len(answer["results"]["bindings"]) == len(table) - 1
        # PREFIX completion offers this service's own prefixes
        page.locator(".tabsList .tab", has_text="Query").click()
        editor = page.locator(".tabPanel.active .CodeMirror")
        editor.click()
        page.keyboard.press("Control+Home")
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowUp")
        page.keyboard.type("PREFIX boma")
        expect(page.locator(".CodeMirror-hints")).to_contain_text("bomay: <https://w3id.org/bomay/ontology#>")
        page.keyboard.press("Enter")
        # class completion after `a` comes from this endpoint's ontology graph, not an online service
        page.evaluate(
            """q => { const y = window.bomayEditor.getTab().getYasqe();
                      y.setValue(q); y.focus(); y.setCursor(y.lastLine(), 1000); }""",
            "PREFIX bomay: <https://w3id.org/bomay/ontology#>\nSELECT * WHERE { ?x a bomay:",
        )
        page.keyboard.type("Merg")
        expect(page.locator(".CodeMirror-hints")).to_contain_text("bomay:MergerModel")
    assert v.outside == [], v.outside
    assert v.errors == [] and v.console == [], (v.errors, v.console)


def _lab(rgb: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a CSS `rgb(r, g, b)` string, for colour distances as people see them."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    r, g, b = (((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in channels)
    x = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5


def test_explorer_lands_in_place_with_distinct_status_colours(server: Server, tmp_path: Path) -> None:
    """`/?q=...` lands on the explorer, shows the first fact's sentence without scrolling the window
    (only the article box scrolls), and every status colour stands apart from the others and from the
    green of place nodes."""
    from playwright.sync_api import expect

    with offline_page(server, width=1400, height=800) as v:
        page = v.page
        page.goto(server.url + "/?q=thuan%20thanh")
        assert page.url.endswith("/explore?q=thuan%20thanh")
        expect(page.locator("#article mark")).to_be_attached(timeout=30_000)
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") == 0
        expect(page.locator("#search")).to_be_in_viewport()
        inside = page.evaluate(
            """() => { const b = document.getElementById('article').getBoundingClientRect();
                       const m = document.querySelector('#article mark').getBoundingClientRect();
                       return m.top >= b.top && m.bottom <= b.bottom; }"""
        )
        assert inside  # the highlighted sentence is visible in its box
        legend = page.evaluate(
            """() => [...document.querySelectorAll('#legend li')].map(li => {
                       const s = li.querySelector('.swatch');
                       const line = s.classList.contains('line');
                       return [li.textContent, line, getComputedStyle(s).backgroundColor]; })"""
        )
        page.screenshot(path=str(tmp_path / "explore-landing.png"))
    statuses = {text: colour for text, line, colour in legend if line}
    types = {text: colour for text, line, colour in legend if not line}
    assert len(statuses) == 8, legend
    greens = [types["Đơn vị hành chính"], types["Tỉnh / thành phố"]]
    for text, colour in statuses.items():
        assert min(_delta_e(colour, g) for g in greens) > 40, (text, colour)
    names = sorted(statuses)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert _delta_e(statuses[a], statuses[b]) > 20, (a, b)
    assert v.outside == [] and v.errors == []
