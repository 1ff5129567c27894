"""The seven competency questions (listed in ARCHITECTURE.md), through /sparql (the named cq*.rq
queries) and through REST, with the exact answers the seed articles give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.sparql import bind
from graph.terms import IRI

QUERIES = Path(__file__).resolve().parents[2] / "graph" / "queries"
ID = "https://w3id.org/bomay/id/"
THUAN_THANH = "2023/262"  # the gazetteer's code for Thuận Thành (Bắc Ninh)
SEED_BN, SEED_HD = "000_3db7e80d1100efe9", "002_2638025429762e0c"
PROVINCE_BN, PROVINCE_HD = ID + "unit/2023/27", ID + "unit/2023/30"
OFFICES = "van-phong-huyen-uy"  # slug shared by the merged-district-offices model
SENTENCE = "Mô hình Văn phòng Huyện ủy – HĐND – UBND ở huyện Thuận Thành."


def sparql(http: httpx.Client, name: str, **params: Any) -> list[dict[str, str]]:
    """Rows of cq query `name` run through /sparql, parameters bound as VALUES (graph.sparql.bind)."""
    text = bind(
        (QUERIES / f"{name}.rq").read_text(encoding="utf-8"),
        {k: IRI(v) if isinstance(v, str) and v.startswith("http") else v for k, v in params.items()},
    )
    r = http.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def short(label: str | None) -> str:
    """Unit name without its type word: "thị xã Thuận Thành" → "Thuận Thành"."""
    words = (label or "").split()
    for i in range(len(words)):
        if words[i][:1].isupper():
            return " ".join(words[i:])
    return label or ""


def key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].replace("-", "_")


EXPECTED_CQ1 = {
    ("Thuận Thành", "ended", "2022-Q4"),
    ("Kim Thành", "stopped", "2022-10"),
    ("Bình Giang", "stopped", "2022-10"),
}


def test_cq1_sparql(http: httpx.Client) -> None:
    rows = [r for r in sparql(http, "cq1_mergers") if OFFICES in r["model"]]
    assert {(short(r["placeLabel"]), key(r["status"]), r.get("when")) for r in rows} == EXPECTED_CQ1


def test_cq1_rest(http: httpx.Client) -> None:
    items = http.get("/api/mergers", params={"level": "district", "per_page": 500}).json()["items"]
    got = {(short(i["place_label"]), i["status"], i["when"]) for i in items if OFFICES in i["model"]}
    assert got == EXPECTED_CQ1
    stopped = http.get("/api/mergers", params={"province": "hai duong", "status": "stopped"}).json()["items"]
    assert {short(i["place_label"]) for i in stopped if OFFICES in i["model"]} == {"Kim Thành", "Bình Giang"}


def _offices_model(http: httpx.Client) -> str:
    models = http.get("/api/models", params={"kind": "merger", "level": "district", "per_page": 500}).json()
    (model,) = [m["id"] for m in models["items"] if OFFICES in m["id"]]
    return model


EXPECTED_CQ2 = {("Thuận Thành", "ended"), ("Kim Thành", "stopped"), ("Bình Giang", "stopped")}


def test_cq2_sparql(http: httpx.Client) -> None:
    model = ID + "model/" + _offices_model(http)
    rows = sparql(http, "cq2_model_places", model=model)
    assert {(short(r["placeLabel"]), key(r["status"])) for r in rows} == EXPECTED_CQ2


def test_cq2_rest(http: httpx.Client) -> None:
    body = http.get(f"/api/models/{_offices_model(http)}").json()
    assert {(short(p["label"]), p["latest"]["status"]) for p in body["places"]} == EXPECTED_CQ2
    assert body["kind"] == "merger" and body["level"] == "district"
    assert "Văn phòng Huyện ủy" in {c["label"] for c in body["components"]}


def test_cq2_rest_pages_the_places_of_a_model(http: httpx.Client) -> None:
    model = _offices_model(http)
    whole = http.get(f"/api/models/{model}", params={"per_page": 500}).json()
    assert whole["places_total"] == len(whole["places"]) == len(EXPECTED_CQ2)
    pages, url = [], f"/api/models/{model}?per_page=1"
    while url:
        r = http.get(url)
        assert r.status_code == 200 and r.headers["X-Total-Count"] == str(len(EXPECTED_CQ2))
        assert len(r.json()["places"]) == 1
        pages += r.json()["places"]
        url = r.links.get("next", {}).get("url")
    assert pages == whole["places"]  # same places, same timelines, in the same (IRI) order
    assert [p["place"] for p in pages] == sorted(p["place"] for p in pages)
    beyond = http.get(f"/api/models/{model}", params={"page": 9, "per_page": 1}).json()
    assert beyond["places"] == [] and beyond["places_total"] == len(EXPECTED_CQ2)


def test_cq3_sparql(http: httpx.Client) -> None:
    rows = sparql(http, "cq3_place_timeline", place=ID + "unit/" + THUAN_THANH)
    events = {r["event"]: (OFFICES in r["model"], key(r["status"]), r.get("when")) for r in rows}
    assert list(events.values()) == [(True, "ended", "2022-Q4")]


def test_cq3_rest(http: httpx.Client) -> None:
    body = http.get(f"/api/places/{THUAN_THANH}").json()
    assert short(body["label"]) == "Thuận Thành" and body["parent_label"] == "tỉnh Bắc Ninh"
    ((model),) = body["models"]
    assert OFFICES in model["model"]
    assert [(e["status"], e["when"], e["document_label"]) for e in model["timeline"]] == [
        ("ended", "2022-Q4", "Kế hoạch 68-KH/TU")
    ]


PLAN_68 = "legal/tinh-uy-bac-ninh/68-kh-tu/2022"
EXPECTED_CQ4 = {"continued", "researching", "paused", "ended"}


def test_cq4_sparql(http: httpx.Client) -> None:
    rows = sparql(http, "cq4_document_decisions", document=ID + PLAN_68)
    assert {key(r["status"]) for r in rows} == EXPECTED_CQ4
    assert {r["article"] for r in rows} == {ID + "article/" + SEED_BN}


def test_cq4_rest(http: httpx.Client) -> None:
    body = http.get(f"/api/documents/{PLAN_68}").json()
    assert (
        body["number"] == "68-KH/TU" and body["date"] == "2022-09-23" and body["issuer"] == "Tỉnh ủy Bắc Ninh"
    )
    assert {f["status"] for f in body["facts"]} == EXPECTED_CQ4
    ended = [f for f in body["facts"] if f["status"] == "ended"]
    assert [short(f["place_label"]) for f in ended] == ["Thuận Thành"]


EXPECTED_CQ5_HD = {
    ("Kinh Môn", "chanh-thanh-tra"),
    ("Thanh Hà", "chanh-thanh-tra"),
    ("Thanh Miện", "chanh-thanh-tra"),
    ("Kinh Môn", "truong-ban-to-chuc"),
    ("Nam Sách", "truong-ban-to-chuc"),
    ("Thanh Miện", "truong-ban-to-chuc"),
    ("Tứ Kỳ", "truong-ban-to-chuc"),
}


def _cq5_key(model: str, place_label: str) -> tuple[str, str]:
    return short(place_label), "chanh-thanh-tra" if "chanh-thanh-tra" in model else (
        "truong-ban-to-chuc" if "truong-ban-to-chuc" in model else model
    )


def test_cq5_sparql(http: httpx.Client) -> None:
    rows = sparql(http, "cq5_concurrent_paused", inProvince=PROVINCE_HD)
    assert {_cq5_key(r["model"], r["placeLabel"]) for r in rows} == EXPECTED_CQ5_HD
    assert {key(r["status"]) for r in rows} == {"stopped"}
    bn = sparql(http, "cq5_concurrent_paused", inProvince=PROVINCE_BN)
    assert len({r["model"] for r in bn}) == 4 and {key(r["status"]) for r in bn} == {"paused"}


def test_cq5_rest(http: httpx.Client) -> None:
    params = {"kind": "concurrent_position", "status": ["paused", "stopped"], "per_page": 500}
    hd = http.get("/api/events", params={**params, "province": "Hải Dương"}).json()["items"]
    assert {_cq5_key(i["model"], i["place_label"]) for i in hd} == EXPECTED_CQ5_HD
    bn = http.get("/api/events", params={**params, "province": "bac ninh"}).json()["items"]
    assert len({i["model"] for i in bn}) == 4 and {i["status"] for i in bn} == {"paused"}


EXPECTED_CQ6 = {("Hải Dương", None), ("Chí Linh", "2024-Q2"), ("Cẩm Giàng", "2024-Q2")}


def test_cq6_sparql(http: httpx.Client) -> None:
    rows = sparql(http, "cq6_not_implemented")
    assert {(short(r["placeLabel"]), r.get("when")) for r in rows} == EXPECTED_CQ6


def test_cq6_rest(http: httpx.Client) -> None:
    items = http.get("/api/events", params={"status": "not_implemented", "latest": "true"}).json()["items"]
    assert {(short(i["place_label"]), i["when"]) for i in items} == EXPECTED_CQ6


def _thuan_thanh_event(http: httpx.Client) -> dict:
    (model,) = http.get(f"/api/places/{THUAN_THANH}").json()["models"]
    (event,) = model["timeline"]
    return event


def test_cq7_sparql(http: httpx.Client) -> None:
    event = _thuan_thanh_event(http)
    rows = sparql(http, "cq7_provenance", fact=event["event"])
    assert [(r["article"], r["exact"]) for r in rows] == [(ID + "article/" + SEED_BN, SENTENCE)]


def test_cq7_rest(http: httpx.Client) -> None:
    event = _thuan_thanh_event(http)
    assert event["evidence"]["text"] == SENTENCE
    article = http.get(f"/api/documents/article/{event['article_id']}").json()
    start, end = event["evidence"]["start"], event["evidence"]["end"]
    assert article["text"][start:end] == SENTENCE
    assert [start, end] in article["spans"]


@pytest.mark.parametrize(
    "name",
    [
        "cq1_mergers",
        "cq2_model_places",
        "cq4_document_decisions",
        "cq5_concurrent_paused",
        "cq6_not_implemented",
    ],
)
def test_every_cq_answers_unbound_through_sparql_what_the_store_answers(
    http: httpx.Client, seeded_store: Path, name: str
) -> None:
    from graph.embedded import EmbeddedStore

    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    store = EmbeddedStore(seeded_store, read_only=True)
    try:
        direct = store.select(text)
    finally:
        store.close()
    served = sparql(http, name)
    assert served, "the seeds give every unbound CQ some rows"

    def as_text(rows: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
        return sorted(sorted((k, str(v)) for k, v in r.items() if v is not None) for r in rows)

    assert as_text(served) == as_text(direct)
