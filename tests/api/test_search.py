"""Search through the index (with or without diacritics, abbreviations, ranked, one hit per unit, titles
as labels), in step with writes; documents found without diacritics; lists in Vietnamese collation."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from api.search_index import MATCHES
from graph import named
from ontology.text import collation_key
from tests.api.conftest import TOKEN, Server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/bomay/id/"


def search(c: httpx.Client, q: str) -> list[dict]:
    r = c.get("/api/search", params={"q": q, "per_page": 500})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def scan(db: ox.Store, q: str, q_raw: str) -> set[str]:
    """What the SPARQL scan (graph/queries/api_search.rq, as the API ran it before the index) finds in
    the store's default graph (the stored set union of the named graphs, as the API's replicas read)."""
    from ontology.text import fold

    text = named.get("api_search").text
    subs = {ox.Variable("q"): ox.Literal(fold(q)), ox.Variable("qRaw"): ox.Literal(q_raw)}
    return {s["item"].value for s in db.query(text, substitutions=subs)}


def test_the_same_answers_as_the_scan_on_the_seeds(http: httpx.Client, seeded_store: Path) -> None:
    db = ox.Store.read_only(str(seeded_store))
    for q in ("thuan thanh", "Thuận Thành", "ban to chuc", "van phong", "68-KH/TU", "chanh thanh tra",
              "bac ninh", "hai", "mttq"):
        before = scan(db, q, q.lower())
        hits = search(http, q)
        found = {h["item"] for h in hits} | {ID + a for h in hits for a in h["also"]}
        assert before, q
        assert before <= found, (q, before - found)


def test_without_diacritics_the_article_is_found_with_its_title(http: httpx.Client) -> None:
    hits = search(http, "hai duong")
    article = next(h for h in hits if h["id"] == "article/002_2638025429762e0c")
    assert article["category"] == "document"
    assert article["label"] and article["label"].startswith("Hải Dương")


def test_with_diacritics_the_resolution_is_found(http: httpx.Client) -> None:
    labels = [h["label"] for h in search(http, "Nghị quyết")]
    assert "Nghị quyết 18-NQ/TW" in labels
    assert labels == [h["label"] for h in search(http, "nghi quyet")]


def test_abbreviations_from_the_vocabularies(http: httpx.Client) -> None:
    hits = search(http, "ubkt")
    assert hits and all("Ủy ban Kiểm tra" in h["label"] for h in hits), hits
    assert any(h["category"] == "model" for h in hits)
    # and the other way: the words written out find a label that abbreviates them
    assert any("HĐND" in h["label"] for h in search(http, "hoi dong nhan dan"))


def test_each_unit_once_current_era_first(http: httpx.Client) -> None:
    hits = search(http, "thanh")
    places = [h for h in hits if h["category"] == "place"]
    labels = [h["label"] for h in places]
    assert len(labels) == len(set(labels)), labels
    thanh_hoa = next(h for h in places if h["label"] == "tỉnh Thanh Hóa")
    assert thanh_hoa["id"] == "unit/2025/38" and thanh_hoa["also"] == ["unit/2023/38"]


def test_ranked_exact_then_prefix_then_words(http: httpx.Client) -> None:
    hits = search(http, "van phong huyen uy")
    assert hits[0]["label"] == "Văn phòng Huyện ủy" and hits[0]["match"] == "exact"
    ranks = [MATCHES.index(h["match"]) for h in hits]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
    # within a rank, Vietnamese collation of the labels
    for m in set(ranks):
        same = [h["label"] for h in hits if MATCHES.index(h["match"]) == m]
        assert same == sorted(same, key=collation_key)


def test_documents_without_diacritics(http: httpx.Client) -> None:
    plain = http.get("/api/documents", params={"q": "nghi quyet"}).json()
    marked = http.get("/api/documents", params={"q": "nghị quyết"}).json()
    assert plain["total"] > 0 and plain["total"] == marked["total"]
    assert "Nghị quyết 18-NQ/TW" in {d["label"] for d in plain["items"]}


def test_lists_sort_labels_in_vietnamese_collation(http: httpx.Client) -> None:
    labels = [m["label"] for m in http.get("/api/models", params={"per_page": 500}).json()["items"]]
    assert labels == sorted(labels, key=collation_key) and labels != sorted(labels)
    places = [p["label"] for p in http.get("/api/places", params={"per_page": 500}).json()["items"]]
    assert places == sorted(places, key=collation_key)


def test_no_letters_is_a_422(http: httpx.Client) -> None:
    r = http.get("/api/search", params={"q": "--"})
    assert r.status_code == 422 and "q" in r.json()["message"]


# Written for this test: a district pilot in a province the seeds do not name.
ARTICLE = ("# title: Quảng Trị thử nghiệm văn phòng chung ở Cam Lộ\n"
           "Tỉnh Quảng Trị thực hiện thí điểm hợp nhất Văn phòng Huyện ủy, Văn phòng HĐND và Văn phòng UBND "
           "huyện Cam Lộ từ tháng 5/2023.")


@pytest.fixture()
def w(write_server: Server) -> httpx.Client:
    with write_server.client() as c:
        yield c


def test_the_index_follows_writes(w: httpx.Client) -> None:
    assert not search(w, "cam lo")
    r = w.post("/api/articles", params={"id": "qt_index"}, content=ARTICLE.encode(),
               headers={"Content-Type": "text/plain; charset=utf-8", **AUTH})
    assert r.status_code == 201, r.text
    hits = search(w, "cam lo")
    ids = {h["id"] for h in hits}
    assert "article/qt_index" in ids
    assert any(h["category"] == "place" and "Cam Lộ" in h["label"] for h in hits), hits
    assert next(h for h in hits if h["id"] == "article/qt_index")["label"].startswith("Quảng Trị")
    assert w.delete("/api/articles/qt_index", headers=AUTH).status_code == 200
    assert not search(w, "cam lo")
    # the province stays findable (every province is), the shared model stays with the seeds' article
    assert search(w, "quang tri")
    assert search(w, "van phong huyen uy")


def test_pages_put_together_are_the_whole_list(http: httpx.Client) -> None:
    whole = search(http, "thanh")
    r = http.get("/api/search", params={"q": "thanh", "per_page": 4, "page": 2})
    assert r.headers["X-Total-Count"] == str(len(whole))
    assert [h["item"] for h in r.json()["items"]] == [h["item"] for h in whole[4:8]]
