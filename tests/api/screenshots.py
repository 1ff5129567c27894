"""Real screenshots of the pages a user meets first, for the README: `make screenshots`.

Seeds a temporary store with the examples (as the API tests do), starts the service on it, and has
headless Chromium (/usr/bin/chromium) photograph the SPARQL editor (/sparql as text/html, a competency
question run), /docs, and the explorer's province view (Hải Dương) at desktop and phone widths. Each shot
waits for the page to have rendered what it shows, so a broken page fails instead of being photographed.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.api.test_explore_browser import ARGS, CHROMIUM

if TYPE_CHECKING:
    from playwright.sync_api import Page

PROVINCE = "unit/2023/30"  # tỉnh Hải Dương, the province of a seed article


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file and the viewport it was taken in."""

    path: Path
    width: int
    height: int


def take(base_url: str, outdir: Path) -> list[Shot]:
    """Photograph the SPARQL editor, /docs and the explorer's province view into `outdir`."""
    from playwright.sync_api import expect, sync_playwright

    outdir.mkdir(parents=True, exist_ok=True)
    shots: list[Shot] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base_url + "/sparql")  # a browser asks for text/html: the editor, not RDF
            expect(page.locator("body[data-ready='1']")).to_be_attached(timeout=60_000)
            page.locator(".tabPanel.active .yasqe_queryButton").click()
            expect(page.locator(".tabPanel.active .yasr table.dataTable tbody tr").first).to_be_visible(
                timeout=60_000
            )
            shots.append(_shot(page, outdir / "sparql-editor.png"))

            page.goto(base_url + "/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Bộ Máy KG", timeout=60_000)
            expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
            shots.append(_shot(page, outdir / "docs.png"))

            page.set_viewport_size({"width": 1440, "height": 1000})
            _explorer(page, base_url)
            shots.append(_shot(page, outdir / "explorer-province.png"))
            page.close()

            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            _explorer(phone, base_url)
            phone.locator("#graph-panel").scroll_into_view_if_needed()
            shots.append(_shot(phone, outdir / "explorer-phone.png"))
        finally:
            browser.close()
    return shots


def _explorer(page: Page, base_url: str) -> None:
    """The explorer on a province, drawn, with its timeline and first source sentence shown."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/explore?id={PROVINCE}")
    expect(page.locator("#graph g.node.focus[data-type=province]")).to_be_visible(timeout=60_000)
    expect(page.locator("#timeline .tl-event").first).to_be_attached(timeout=60_000)
    expect(page.locator("#article mark")).to_be_attached(timeout=60_000)
    page.wait_for_timeout(300)


def _shot(page: Page, path: Path) -> Shot:
    page.screenshot(path=str(path))
    size = page.viewport_size or {"width": 0, "height": 0}
    return Shot(path, size["width"], size["height"])


def main(outdir: str = "docs/screenshots") -> None:
    """Seed a temporary store with the examples, serve it, photograph the pages, stop the server."""
    from tests.api.conftest import seed_store, start_server, stop_server

    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} không có / not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="bomay-shots-") as tmp:
        store = Path(tmp) / "store"
        seed_store(store)
        server = start_server(store, Path(tmp) / "server.log")
        try:
            for shot in take(server.url, Path(outdir)):
                print(f"{shot.path} ({shot.width}×{shot.height})")
        finally:
            stop_server(server)


if __name__ == "__main__":
    main(*sys.argv[1:2])
