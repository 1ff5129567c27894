"""The review page in real headless Chromium: the queue lowest confidence first, the sentence highlighted,
confirm, reject, correct and add from the keyboard, each answered by the server as said, and the explorer
showing each reviewed fact marked with its state and reviewer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import TOKEN, Server, start_on_copy, stop_server
from tests.api.test_explore_browser import ARGS, CHROMIUM

DOC = "000_3db7e80d1100efe9"
LAN = "reviewer-lan-browser-01"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def srv(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_on_copy(seeded_store, tmp_path_factory.mktemp("review-page"), BOMAY_TOKEN=TOKEN,
                      BOMAY_REVIEW_TOKENS=f"Lan:{LAN}")
    yield s
    stop_server(s)


def test_review_mode_from_the_keyboard(srv: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # each write validates the reviewed article with SHACL first
    queue = httpx.get(f"{srv.url}/api/review-queue/{DOC}", timeout=60).json()
    facts = queue["facts"]
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: None if r.url.startswith(srv.url) else outside.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{srv.url}/review?article={DOC}")
            items = page.locator("#queue li")
            expect(items).to_have_count(len(facts))
            # lowest confidence first, the first one current and its sentence highlighted
            assert [items.nth(i).get_attribute("data-event") for i in range(len(facts))] == [
                f["event"] for f in facts]
            expect(page.locator("#article mark")).to_have_text(facts[0]["evidence"]["text"])
            page.fill("#token", LAN)
            page.locator("#token").dispatch_event("change")
            page.locator("#article").focus()
            page.keyboard.press("c")  # confirm the first
            expect(page.locator("#review-status")).to_have_text("Đã xác nhận.")
            expect(items.nth(0).locator(".state")).to_have_attribute("data-state", "confirmed")
            expect(items.nth(0).locator(".state")).to_contain_text("Lan")
            page.keyboard.press("j")  # the second: reject it
            expect(page.locator("#article mark")).to_have_text(facts[1]["evidence"]["text"])
            page.keyboard.press("r")
            page.keyboard.type("không phải một mô hình")
            page.keyboard.press("Enter")
            expect(page.locator("#review-status")).to_have_text("Đã bác bỏ.")
            expect(items).to_have_count(len(facts) - 1)
            expect(page.locator(f"#queue li[data-event='{facts[1]['event']}']")).to_have_count(0)
            # the current one is now the third fact: correct its status
            third = page.locator(f"#queue li[data-event='{facts[2]['event']}']")
            third.click()
            page.locator("#article").focus()
            page.keyboard.press("e")
            new_status = "stopped" if facts[2]["status"] != "stopped" else "ended"
            page.select_option("#f-status", new_status)
            page.locator("#f-when").fill("2024")
            page.locator("#f-when").press("Enter")
            expect(page.locator("#review-status")).to_have_text("Đã sửa.")
            expect(third.locator(".state")).to_have_attribute("data-state", "corrected")
            expect(third.locator(".meta")).to_contain_text(new_status)
            # add: choose a span of the text, press a, fill the form
            page.evaluate("""() => {
                const node = document.getElementById('article').firstChild;
                const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, 12);
                const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }""")
            page.keyboard.press("a")
            expect(page.locator("#fact-form-title")).to_contain_text("0–12")
            page.locator("#f-components").fill("Ban Tuyên giáo\nBan Dân vận")
            page.select_option("#f-level", "province")
            page.select_option("#f-status", "planned")
            page.locator("#f-place").press("Enter")
            expect(page.locator("#review-status")).to_have_text("Đã thêm dữ kiện.", timeout=30_000)
            expect(page.locator("#queue .state[data-state=added]")).to_have_count(1)
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            # the explorer marks the same facts, with the reviewer's name
            page.goto(f"{srv.url}/explore?id=article/{DOC}")
            expect(page.locator("#facts .review-state[data-review=confirmed]")).to_contain_text("Lan")
            corrected = page.locator("#facts .review-state[data-review=corrected]")
            expect(corrected).to_contain_text("Đã sửa · Lan")
            expect(page.locator("#facts .review-state[data-review=added]")).to_have_count(1)
        finally:
            browser.close()
    assert outside == [] and errors == []
    # the server says the same
    answer = httpx.get(f"{srv.url}/api/reviews", params={"article": DOC}, timeout=60).json()["items"]
    assert [r["verdict"] for r in answer] == ["confirm", "reject", "correct", "add"]
    assert all(r["reviewer"] == "Lan" for r in answer)
    assert answer[2]["said"] == {"status": new_status, "when": "2024"}
