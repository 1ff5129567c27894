"""Places in time over HTTP: where a 2022 district is today, and what was piloted on a new
province's territory before the reform of 1 July 2025."""

from __future__ import annotations

import httpx


def test_thuan_thanh_of_2022_leads_to_its_successors_in_the_new_bac_ninh(http: httpx.Client) -> None:
    r = http.get("/api/places/2023/262")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "Thuận Thành" in body["label"]
    successors = body["successors"]
    assert successors, "a pre-reform district has successors"
    assert all(s["id"].startswith("2025/") for s in successors)
    assert {s["parent_label"] for s in successors} == {"tỉnh Bắc Ninh"}
    assert any("Thuận Thành" in (s["label"] or "") for s in successors)
    assert body["predecessors"] == []


def test_pilots_of_former_hai_duong_districts_are_found_from_hai_phong(http: httpx.Client) -> None:
    r = http.get("/api/places/2025/31")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "Hải Phòng" in body["label"]
    assert any("Hải Dương" in (p["label"] or "") for p in body["predecessors"])
    pilots = {(p["place_label"], p["status"], p["when"]) for p in body["pilots_on_territory"]}
    assert ("huyện Kim Thành", "stopped", "2022-10") in pilots
    assert ("huyện Bình Giang", "stopped", "2022-10") in pilots
    assert not any("Thuận Thành" in label for label, _, _ in pilots), "Bắc Ninh's pilots are not Hải Phòng's"
