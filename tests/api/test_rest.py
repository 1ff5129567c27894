"""REST endpoints over real HTTP: formats, pagination, typed parameters, search without diacritics."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from ontology.text import collation_key

LISTS = ["/api/mergers", "/api/models", "/api/places", "/api/documents", "/api/events"]
ID_FIELD = {"/api/mergers": "event", "/api/models": "model", "/api/places": "place",
            "/api/documents": "document", "/api/events": "event"}


@pytest.mark.parametrize("path", LISTS)
def test_list_endpoints_json_csv_and_jsonld(http: httpx.Client, path: str) -> None:
    r = http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["total"] == int(r.headers["x-total-count"]) > 0 and body["items"]
    same = http.get(path + ".json").json()
    assert same == body
    c = http.get(path + ".csv")
    assert c.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert len(rows) == len(body["items"])
    assert set(rows[0]) == set(body["items"][0])
    assert http.get(path, headers={"Accept": "text/csv"}).text == c.text
    ld = http.get(path, headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    g = rdflib.Graph().parse(data=ld.text, format="json-ld")
    # the graph's own triples about the page's resources, nothing made up from column names
    ids = [it[ID_FIELD[path]] for it in body["items"]]
    assert {str(s) for s in g.subjects()} >= set(ids)
    values = " ".join(f"<{i}>" for i in ids)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    query = (f"CONSTRUCT {{ ?r ?p ?o . ?o {label} ?l }} WHERE {{ VALUES ?r {{ {values} }} ?r ?p ?o "
             f"OPTIONAL {{ ?o {label} ?l }} }}")
    held = http.post("/sparql", data={"query": query}, headers={"Accept": "application/n-triples"})
    assert held.status_code == 200, held.text
    assert isomorphic(g, rdflib.Graph().parse(data=held.text, format="nt"))


def test_pagination_with_link_headers(http: httpx.Client) -> None:
    first = http.get("/api/models", params={"per_page": 2})
    total = int(first.headers["x-total-count"])
    assert total > 4
    links = first.links
    assert set(links) == {"first", "next", "last"}
    seen = [m["model"] for m in first.json()["items"]]
    url = links["next"]["url"]
    while url:
        r = http.get(url)
        assert r.status_code == 200
        seen += [m["model"] for m in r.json()["items"]]
        assert "prev" in r.links
        url = r.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen)) == total
    last = http.get(links["last"]["url"])
    assert "next" not in last.links


@pytest.mark.parametrize("q", ["thuan thanh", "Thuận Thành", "THUAN THANH", "thuận thành"])
def test_search_with_and_without_diacritics(http: httpx.Client, q: str) -> None:
    items = http.get("/api/search", params={"q": q}).json()["items"]
    assert [(i["category"], i["id"]) for i in items] == [("place", "unit/2023/262")]
    assert "Thuận Thành" in items[0]["label"]


def test_search_finds_models_agencies_and_documents(http: httpx.Client) -> None:
    cats = {
        i["category"] for i in http.get("/api/search", params={"q": "van phong huyen uy"}).json()["items"]
    }
    assert {"model", "agency"} <= cats
    docs = http.get("/api/search", params={"q": "68-KH/TU"}).json()["items"]
    assert any(i["category"] == "document" and i["label"] == "Kế hoạch 68-KH/TU" for i in docs)


def test_places_search_and_province_filter_without_diacritics(http: httpx.Client) -> None:
    assert [p["id"] for p in http.get("/api/places", params={"q": "kim thanh"}).json()["items"]] == [
        "2023/293"
    ]
    a = http.get("/api/mergers", params={"province": "hai duong"}).json()
    b = http.get("/api/mergers", params={"province": "Hải Dương"}).json()
    assert a == b and a["total"] > 0
    assert {i["province"] for i in a["items"]} == {"tỉnh Hải Dương"}


def test_documents_list_and_filters(http: httpx.Client) -> None:
    src = http.get("/api/documents", params={"type": "source"}).json()["items"]
    assert sorted(d["id"] for d in src) == ["article/000_3db7e80d1100efe9", "article/002_2638025429762e0c"]
    legal = http.get("/api/documents", params={"type": "legal", "q": "68-KH/TU"}).json()["items"]
    assert [d["id"] for d in legal] == ["legal/tinh-uy-bac-ninh/68-kh-tu/2022"]


def test_article_detail_has_text_and_evidence_spans(http: httpx.Client) -> None:
    body = http.get("/api/documents/article/002_2638025429762e0c").json()
    assert body["type"] == "source" and body["text"].startswith("Hải Dương")
    assert body["facts"] and body["spans"]
    for f in body["facts"]:
        ev = f["evidence"]
        assert body["text"][ev["start"] : ev["end"]] == ev["text"]


def test_detail_as_jsonld(http: httpx.Client) -> None:
    r = http.get("/api/places/2023/262", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    g = rdflib.Graph().parse(data=r.text, format="json-ld")
    place = rdflib.URIRef("https://w3id.org/bomay/id/unit/2023/262")
    assert (place, rdflib.RDFS.label, rdflib.Literal("thị xã Thuận Thành", lang="vi")) in g


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/mergers", {"status": "finished"}),
        ("/api/mergers", {"level": "country"}),
        ("/api/models", {"kind": "merge"}),
        ("/api/models", {"per_page": 0}),
        ("/api/models", {"page": "x"}),
        ("/api/search", {}),
        ("/api/search", {"q": ""}),
        ("/api/search", {"q": "…–"}),
        ("/api/events", {"latest": "maybe"}),
    ],
)
def test_bad_parameters_are_4xx_json(http: httpx.Client, path: str, params: dict) -> None:
    r = http.get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_parameter" and r.json()["message"]


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/models/merger/district/nope", 404),
        ("/api/places/2023/99999", 404),
        ("/api/documents/legal/_/nope/_", 404),
        ("/api/places/..%2F..%2Fetc", 400),
        ("/api/models/a%20b", 400),
        ("/api/nowhere", 404),
    ],
)
def test_unknown_or_bad_ids(http: httpx.Client, path: str, status: int) -> None:
    r = http.get(path)
    assert r.status_code == status
    assert r.json()["message"]


@pytest.mark.parametrize("evil", ['" } ; DROP ALL ; #', "') || true #", "<urn:x> ?p ?o", "\\u0022 }"])
def test_injection_attempts_are_just_text(http: httpx.Client, evil: str) -> None:
    for path, param in [
        ("/api/search", "q"),
        ("/api/mergers", "province"),
        ("/api/places", "q"),
        ("/api/models", "q"),
        ("/api/documents", "q"),
        ("/api/events", "province"),
    ]:
        r = http.get(path, params={param: evil})
        assert r.status_code in (200, 422), (path, r.text)
        if r.status_code == 200:
            assert r.json()["items"] == []
    assert http.get("/api/documents", params={"type": "source"}).json()["total"] == 2


def test_graph_endpoint_for_the_explorer(http: httpx.Client) -> None:
    body = http.get("/api/graph", params={"id": "unit/2023/262"}).json()
    types = {n["type"] for n in body["nodes"]}
    assert {"place", "province", "merger", "document", "agency"} <= types
    focus = [n for n in body["nodes"] if n.get("focus")]
    assert [(n["label"], n["status"]) for n in focus] == [("thị xã Thuận Thành", "ended")]
    assert any(e["label"] == "Kết thúc 2022-Q4" or "2022-Q4" in e["label"] for e in body["edges"])
    assert http.get("/api/graph", params={"id": "nonsense"}).status_code == 400


def test_health_and_openapi(http: httpx.Client) -> None:
    h = http.get("/health").json()
    assert h["status"] == "ok" and h["articles"] == 2 and h["writes_enabled"] is True
    spec = http.get("/openapi.json").json()
    for path in [
        "/sparql",
        "/graph-store",
        "/api/mergers",
        "/api/mergers.csv",
        "/api/models/{id}",
        "/api/places/{id}",
        "/api/documents/{id}",
        "/api/search",
        "/api/articles",
        "/api/articles/{id}",
        "/export/{format}",
        "/health",
        "/api/events",
    ]:
        assert path in spec["paths"], path
    statuses = spec["paths"]["/api/mergers"]["get"]["parameters"]
    status = next(p for p in statuses if p["name"] == "status")
    assert "Status" in json.dumps(status["schema"])
    assert "not_implemented" in spec["components"]["schemas"]["Status"]["enum"]


def test_explore_page_is_self_contained(http: httpx.Client) -> None:
    r = http.get("/explore")
    assert r.status_code == 200 and "default-src 'self'" in r.headers["content-security-policy"]
    assert "http://" not in r.text and "https://" not in r.text
    js = http.get("/static/explore.js").text
    assert "innerHTML" not in js and "https://" not in js.replace("http://www.w3.org/2000/svg", "")
    assert http.get("/static/../app.py").status_code == 404


def test_a_province_page_lists_the_pilots_of_the_units_under_it(http: httpx.Client) -> None:
    """The Hải Dương seed is about district pilots (Kim Thành, Bình Giang, ...): the province page shows
    them grouped by unit, each unit with its type and its models' timelines, the same events the
    unit's own page shows."""
    prov = http.get("/api/places/2023/30")
    assert prov.status_code == 200, prov.text
    units = prov.json()["units"]
    labels = [u["label"] for u in units]
    assert {"huyện Kim Thành", "huyện Bình Giang"} <= set(labels), labels
    assert labels == sorted(labels, key=collation_key)
    for u in units:
        assert u["type"] and u["models"] and all(m["timeline"] for m in u["models"])
        own = http.get(f"/api/places/{u['id']}").json()
        assert {e["event"] for m in own["models"] for e in m["timeline"]} == {
            e["event"] for m in u["models"] for e in m["timeline"]}
    district = http.get(f"/api/places/{units[0]['id']}").json()
    assert district["units"] == [] or all(x["place"] != units[0]["place"] for x in district["units"])


def test_a_unit_reads_with_the_type_it_had_at_the_facts_date(http: httpx.Client) -> None:
    """Thuận Thành became a town (thị xã) in April 2023: its 2022 facts show it as huyện Thuận Thành, in
    the merger list as in the events list, while its own page and later facts use today's label."""
    place = "https://w3id.org/bomay/id/unit/2023/262"
    for path in ("/api/mergers", "/api/events"):
        items = [i for i in http.get(path, params={"per_page": 500}).json()["items"] if i["place"] == place]
        before = [i for i in items if (i.get("when") or "") < "2023"]
        assert before, path
        assert {i["place_label"] for i in before} == {"huyện Thuận Thành"}, path
        after = [i for i in items if (i.get("when") or "") >= "2023-04-10"]
        assert {i["place_label"] for i in after} <= {"thị xã Thuận Thành"}, path
    assert http.get("/api/places/2023/262").json()["label"] == "thị xã Thuận Thành"


def test_a_national_document_cited_by_both_seeds_is_one_resource(http: httpx.Client) -> None:
    """Both seed articles cite Resolution 18-NQ/TW (each in its own words): the store holds one resource
    for it, which both article graphs describe."""
    found = http.get("/api/documents", params={"type": "legal", "q": "18-NQ/TW"}).json()["items"]
    assert [d["number"] for d in found] == ["18-NQ/TW"], found
    iri = found[0]["document"]

    def values(query: str, var: str) -> list[str]:
        answer = http.post("/sparql", data={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
        return sorted(r[var]["value"] for r in answer.json()["results"]["bindings"])

    number = "<https://w3id.org/bomay/ontology#documentNumber>"
    assert values(f'SELECT DISTINCT ?d WHERE {{ ?d {number} "18-NQ/TW" }}', "d") == [iri]
    graphs = values(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}", "g")
    assert [g.rsplit("/", 1)[-1] for g in graphs if "/article/" in g] == [
        "000_3db7e80d1100efe9", "002_2638025429762e0c"]


def test_a_documents_facts_read_units_as_they_were(http: httpx.Client) -> None:
    """The facts of the Bắc Ninh seed dated 2022 name Thuận Thành as the huyện it then was."""
    facts = http.get("/api/documents/article/000_3db7e80d1100efe9").json()["facts"]
    thuan_thanh = [f for f in facts if f.get("place") == "https://w3id.org/bomay/id/unit/2023/262"]
    dated_2022 = [f for f in thuan_thanh if (f.get("when") or "").startswith("2022")]
    assert dated_2022 and {f["place_label"] for f in dated_2022} == {"huyện Thuận Thành"}
