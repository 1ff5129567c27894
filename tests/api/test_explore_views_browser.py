"""The explorer's views in real headless Chromium, on the seed articles: a province's first view is
readable, a node expands and re-centres, a place shows all its statuses, the result count is of what is
listed, an article result shows its title, the page works 390 px wide, and a timeline shows a place's
or a model's status events. Expected values come from the service's own JSON, not from the test."""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.palette import palette
from tests.api.conftest import Server
from tests.api.test_explore_browser import CHROMIUM
from tests.api.test_pages_browser import offline_page

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")

# Screen size of every node label and the boxes of labels and dots, as drawn.
_DRAWN = """() => {
  const g = document.getElementById('graph');
  const k = g.getBoundingClientRect().width / g.viewBox.baseVal.width;
  return [...g.querySelectorAll('g.node')].map(n => {
    const t = n.querySelector(':scope > text'), c = n.querySelector(':scope > circle');
    const tb = t.getBoundingClientRect(), cb = c.getBoundingClientRect();
    return {id: n.dataset.id, type: n.dataset.type, focus: n.classList.contains('focus'),
            px: parseFloat(t.getAttribute('font-size')) * k,
            text: [tb.left, tb.top, tb.right, tb.bottom], dot: [cb.left, cb.top, cb.right, cb.bottom],
            svg: (r => [r.left, r.top, r.right, r.bottom])(g.getBoundingClientRect())};
  });
}"""


def _graph(server: Server, ident: str) -> dict[str, Any]:
    r = httpx.get(server.url + "/api/graph", params={"id": ident}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


PROVINCE = "unit/2023/30"  # tỉnh Hải Dương (gazetteer code 30), the province of a seed article
PLACE = "unit/2023/262"  # thị xã Thuận Thành, the place of the other one


def _province(server: Server) -> tuple[str, dict[str, Any]]:
    return PROVINCE, _graph(server, PROVINCE)


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("width", [1400, 390])
def test_province_first_view_is_readable(server: Server, width: int, tmp_path: Path) -> None:
    """Hải Dương: models in one column, places grouped in their province's box, labels legible and
    apart, the whole drawing inside the view, and no horizontal scroll even on a phone."""
    from playwright.sync_api import expect

    ident, data = _province(server)
    focus = next(n for n in data["nodes"] if n.get("focus"))
    with offline_page(server, width=width, height=900) as v:
        page = v.page
        page.goto(server.url + "/explore?id=" + PROVINCE)
        expect(page.locator("#graph g.node.focus")).to_be_visible(timeout=30_000)
        page.wait_for_timeout(300)
        drawn = page.evaluate(_DRAWN)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        inside_box = page.evaluate(
            """pid => {
                 const within = (d, b) => d.left >= b.left && d.right <= b.right
                                          && d.top >= b.top && d.bottom <= b.bottom;
                 const dotOf = n => n.querySelector(':scope > circle').getBoundingClientRect();
                 const nodes = [...document.querySelectorAll('#graph g.node')];
                 const dot = dotOf(nodes.find(n => n.dataset.id === pid));
                 const box = [...document.querySelectorAll('#graph rect.cluster.place')]
                               .map(r => r.getBoundingClientRect()).find(b => within(dot, b));
                 return nodes.filter(n => within(dotOf(n), box)).map(n => n.dataset.id); }""",
            focus["id"],
        )
        page.screenshot(path=str(tmp_path / f"province-{width}.png"), full_page=True)
    assert focus["type"] == "province"
    districts = {n["id"] for n in data["nodes"] if n.get("parent") == focus["id"]}
    assert len(districts) >= 5
    assert districts <= set(inside_box)  # the districts sit in their province's box
    models = [d for d in drawn if d["type"] in ("merger", "concurrent_position", "other")]
    places = [d for d in drawn if d["type"] in ("place", "province")]
    kinds = ("merger", "concurrent_position", "other")
    assert len(models) == len({n["id"] for n in data["nodes"] if n["type"] in kinds})
    assert max(m["dot"][2] for m in models) < min(p["dot"][0] for p in places)  # two columns
    for d in drawn:
        assert d["px"] >= 12, d  # legible
        left, top, right, _ = d["svg"]
        assert d["text"][0] >= left - 1 and d["text"][2] <= right + 1, d  # fitted: nothing cut off
        assert d["dot"][1] >= top - 1
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert not _overlap(a["text"], b["text"]), (a["id"], b["id"])
    assert scroll_width <= width
    assert v.outside == [] and v.errors == []


@pytest.mark.browser
@needs_chromium
def test_province_node_shows_every_status(server: Server) -> None:
    from playwright.sync_api import expect

    _, data = _province(server)
    focus = next(n for n in data["nodes"] if n.get("focus"))
    want = Counter(f["status"] for f in data["facts"] if f["place"] == focus["id"])
    assert len(want) >= 2
    with offline_page(server) as v:
        page = v.page
        page.goto(server.url + "/explore?id=" + PROVINCE)
        node = page.locator("#graph g.node.focus")
        expect(node).to_be_visible(timeout=30_000)
        shown = dict(s.split(":") for s in node.get_attribute("data-statuses").split())
        arcs = node.locator(".ring .arc")
        arc_status = Counter(arcs.nth(i).get_attribute("data-status") for i in range(arcs.count()))
        chips = node.locator("tspan.chip")
        chip_text = " ".join(chips.nth(i).text_content() for i in range(chips.count()))
        colours = {arcs.nth(i).get_attribute("data-status"): arcs.nth(i).get_attribute("stroke")
                   for i in range(arcs.count())}
    assert {k: int(c) for k, c in shown.items()} == dict(want)
    assert arc_status == want  # one arc per status event, in its status's colour
    assert all(colours[s] == palette()["status"][s] for s in want)
    labels = httpx.get(server.url + "/api/palette", timeout=30).json()["status_labels"]
    for status in want:
        assert labels[status] in chip_text
    assert v.errors == []


@pytest.mark.browser
@needs_chromium
def test_model_lists_all_its_facts_expands_and_recentres(server: Server) -> None:
    """From Thuận Thành, the merged-offices model lists its places in Hải Dương too (not drawn yet);
    «Mở rộng» draws them, «Lấy làm tâm» makes the model the focus."""
    from playwright.sync_api import expect

    place = _graph(server, PLACE)
    model = next(n for n in place["nodes"] if n["type"] == "merger")
    model_facts = _graph(server, model["id"].split("/id/", 1)[1])["facts"]
    others = {f["place_label"] for f in model_facts} - {n["label"] for n in place["nodes"]}
    assert others  # places the first view does not draw
    with offline_page(server) as v:
        page = v.page
        page.goto(server.url + "/explore?id=" + PLACE)
        node = page.locator(f"#graph g.node[data-id='{model['id']}']")
        expect(node).to_be_visible(timeout=30_000)
        for label in others:
            expect(page.locator("#graph g.node", has_text=label)).to_have_count(0)
        node.click()
        expect(page.locator("#detail-title")).to_contain_text(model["label"][:30])
        expect(page.locator("#facts .fact")).to_have_count(len(model_facts))
        for label in others:
            expect(page.locator("#facts .fact", has_text=label).first).to_be_visible()
        page.click("#expand")
        for label in others:
            expect(page.locator("#graph g.node", has_text=label).first).to_be_visible()
        # its components are drawn under it once expanded
        expect(page.locator("#graph g.node[data-type=agency]").first).to_be_visible()
        page.click("#recentre")
        expect(page.locator("#graph g.node.focus")).to_have_attribute("data-id", model["id"])
        expect(page.locator("#graph-title")).to_contain_text(model["label"][:30])
    assert v.errors == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("query", ["van phong", "Hải Dương"])
def test_result_count_and_article_titles(server: Server, query: str) -> None:
    from playwright.sync_api import expect

    hits = httpx.get(server.url + "/api/search", params={"q": query, "per_page": 100}, timeout=60).json()
    with offline_page(server) as v:
        page = v.page
        page.goto(server.url + "/explore")
        page.fill("#search", query)
        page.click("#search-form button[type=submit]")
        expect(page.locator("#status-line")).to_contain_text("kết quả", timeout=30_000)
        said = int(page.locator("#status-line").text_content().split()[0])
        buttons = page.locator("#results button")
        texts = [buttons.nth(i).text_content() for i in range(buttons.count())]
    assert said == len(texts) and said > 0
    assert not any(t.startswith(("article/", "unit/", "model/")) for t in texts), texts
    for hit in hits["items"]:
        if hit["id"].startswith("article/"):
            doc = httpx.get(server.url + "/api/documents/" + hit["id"], timeout=60).json()
            assert any(t.startswith(doc["title"]) for t in texts), (doc["title"], texts)
    assert v.errors == []


@pytest.mark.browser
@needs_chromium
def test_phone_width_controls_reachable(server: Server, tmp_path: Path) -> None:
    """390 px: no horizontal scroll; the search, results, zoom and node controls are on screen and
    answer a tap."""
    from playwright.sync_api import expect

    with offline_page(server, width=390, height=844) as v:
        page = v.page
        page.goto(server.url + "/explore?id=" + PLACE)
        expect(page.locator("#graph g.node.focus")).to_be_visible(timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        offscreen = page.evaluate(
            """() => [...document.querySelectorAll('button, input, select, textarea, a, #graph g.node')]
                     .filter(e => { const r = e.getBoundingClientRect();
                                    return r.width && (r.left < 0 || r.right > innerWidth); })
                     .map(e => e.id || e.textContent.slice(0, 40))"""
        )
        assert offscreen == []
        node = page.locator("#graph g.node[data-type=merger]").first
        node.click()
        expect(page.locator("#detail-title")).to_contain_text("Hợp nhất")
        page.click("#expand")
        expect(page.locator("#graph g.node", has_text="Kim Thành").first).to_be_visible()
        page.click("#zoom-in")
        page.click("#zoom-fit")
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert v.outside == [] and v.errors == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("kind", ["model", "place"])
def test_timeline_of_status_events(server: Server, kind: str) -> None:
    """A row per application, a dot per status event in its status's colour, dated dots in date order,
    each holding its status until the next."""
    from playwright.sync_api import expect

    place = _graph(server, PLACE)
    model = next(n for n in place["nodes"] if n["type"] == "merger")
    target = model if kind == "model" else next(n for n in place["nodes"] if n.get("focus"))
    facts = _graph(server, target["id"].split("/id/", 1)[1])["facts"]
    facts = [f for f in facts if f[kind] == target["id"]]
    with offline_page(server) as v:
        page = v.page
        page.goto(server.url + "/explore?id=" + PLACE)
        node = page.locator(f"#graph g.node[data-id='{target['id']}']")
        expect(node).to_be_visible(timeout=30_000)
        node.click()
        expect(page.locator("#timeline .tl-event")).to_have_count(len(facts), timeout=30_000)
        rows = page.locator("#timeline .tl-row").count()
        dots = page.evaluate(
            """() => [...document.querySelectorAll('#timeline .tl-event')].map(d => ({
                 status: d.dataset.status, start: d.dataset.start, x: +d.getAttribute('cx'),
                 fill: d.getAttribute('fill'), event: d.dataset.event}))"""
        )
    assert rows == len({(f["model"], f["place"]) for f in facts})
    assert {d["event"] for d in dots} == {f["event"] for f in facts}
    for d in dots:
        assert d["fill"] == palette()["status"][d["status"]]
    dated = sorted((d for d in dots if d["start"]), key=lambda d: d["start"])
    assert dated
    for a, b in zip(dated, dated[1:], strict=False):
        assert a["x"] <= b["x"] if a["start"] == b["start"] else a["x"] < b["x"]
    assert v.errors == []


def test_explorer_graph_is_the_projection(server: Server) -> None:
    """/api/graph is graph.projection's projection: the same nodes and status events as the export of
    the same province, agencies reach their models, and /api/palette is graph/palette.json."""
    ident, data = _province(server)
    nodelink = httpx.get(server.url + "/export/nodelink", params={"province": "hai duong"}, timeout=120)
    nodelink = nodelink.json()
    links = nodelink.get("links") or nodelink.get("edges")
    events = {e["event"] for e in links if e.get("relation") == "status"}
    assert {f["event"] for f in data["facts"]} == events
    exported = {n["id"] for n in nodelink["nodes"] if n.get("type") != "article"}
    assert {n["id"] for n in data["nodes"]} == exported
    agency = next(n for n in data["nodes"] if n["type"] == "agency")
    around = _graph(server, agency["id"].split("/id/", 1)[1])
    assert any(e["target"] == agency["id"] and e["relation"] in ("component", "result")
               for e in around["edges"])
    body = httpx.get(server.url + "/api/palette", timeout=30).json()
    assert body["status"] == palette()["status"] and body["node"] == palette()["node"]


@pytest.mark.browser
@needs_chromium
def test_screenshots_for_the_readme(server: Server, tmp_path: Path) -> None:
    """`make screenshots` photographs the editor, /docs and the province view: real, non-blank PNGs."""
    from tests.api.screenshots import take

    shots = take(server.url, tmp_path)
    assert {s.path.name for s in shots} >= {"sparql-editor.png", "docs.png", "explorer-province.png"}
    for s in shots:
        head = s.path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        assert width >= s.width and height >= s.height  # device pixels: at least the viewport
        assert s.path.stat().st_size > 30_000  # a blank page compresses to a few kB
