"""Reviews over a real server on the seeds: confirm, correct, reject and add change what /api/mergers,
/api/models, /api/facts, the explorer, /sparql and exports answer, exactly as said; the extracted graph
stays as it was read; re-ingesting keeps the reviews attached; a review whose fact disappeared is listed as
unattached; without a reviewer token nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.api.conftest import TOKEN, Server, start_on_copy, stop_server
from tests.conftest import SEEDS

DOC = "000_3db7e80d1100efe9"
LAN, MINH = "reviewer-lan-0123", "reviewer-minh-4567"
ID = "https://w3id.org/bomay/id/"
ARTICLE = f"https://w3id.org/bomay/graph/article/{DOC}"
STATUS = "https://w3id.org/bomay/ontology#status"


@pytest.fixture(scope="module")
def srv(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_on_copy(seeded_store, tmp_path_factory.mktemp("reviews"), BOMAY_TOKEN=TOKEN,
                      BOMAY_REVIEW_TOKENS=f"Lan:{LAN},Minh:{MINH}")
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def http(srv: Server) -> Iterator[httpx.Client]:
    with srv.client() as c:
        yield c


def as_(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sparql(http: httpx.Client, query: str) -> list[dict]:
    r = http.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def status_of(http: httpx.Client, event: str) -> list[str]:
    rows = sparql(http, f"SELECT ?s WHERE {{ <{event}> <https://w3id.org/bomay/ontology#status> ?s }}")
    return sorted(r["s"].rsplit("/", 1)[-1] for r in rows)


def exported_status(http: httpx.Client, event: str, **filters: str) -> list[str]:
    """The statuses of `event` in an N-Triples export (the whole graph, or filtered as given)."""
    r = http.get("/export/ntriples", params=filters)
    assert r.status_code == 200, r.text
    triples = ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)  # the whole store: pyoxigraph's parser
    subject, status = ox.NamedNode(event), ox.NamedNode(STATUS)
    return sorted(t.object.value.rsplit("/", 1)[-1] for t in triples
                  if t.subject == subject and t.predicate == status)


def mergers(http: httpx.Client) -> dict[str, dict]:
    r = http.get("/api/mergers", params={"per_page": 500})
    assert r.status_code == 200, r.text
    return {i["event"]: i for i in r.json()["items"]}


def extracted(http: httpx.Client) -> set[tuple[str, str, str]]:
    rows = sparql(http, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ARTICLE}> {{ ?s ?p ?o }} }}")
    return {(r["s"], r["p"], r["o"]) for r in rows}


def queue(http: httpx.Client) -> dict:
    r = http.get(f"/api/review-queue/{DOC}")
    assert r.status_code == 200, r.text
    return r.json()


def reviews(http: httpx.Client, **params: str) -> list[dict]:
    r = http.get("/api/reviews", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_writes_need_a_reviewer_token_and_bad_input_stores_nothing(http: httpx.Client) -> None:
    fact = queue(http)["facts"][0]
    url = f"/api/facts/{fact['id']}/review"
    before = sparql(http, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert http.post(url, json={"verdict": "confirm"}).status_code == 401
    assert http.post(url, json={"verdict": "confirm"}, headers=as_(TOKEN)).status_code == 403  # ingest token
    r = http.post(f"/api/articles/{DOC}/facts", json={}, headers=as_("nope-nope-nope"))
    assert r.status_code in (403, 422)
    bad = [
        {"verdict": "correct", "fields": {"status": "flying"}},
        {"verdict": "correct", "fields": {"colour": "red"}},
        {"verdict": "correct", "fields": {}},
        {"verdict": "correct", "fields": {"when": "sometime"}},
        {"verdict": "reject"},
        {"verdict": "maybe"},
    ]
    for body in bad:
        r = http.post(url, json=body, headers=as_(LAN))
        assert r.status_code == 422, (body, r.text)
        assert r.json().get("message") or r.json().get("detail")
    r = http.post(url, json={"verdict": "correct", "fields": {"status": "flying"}}, headers=as_(LAN))
    assert "flying" in r.json()["message"]
    r = http.post(f"/api/articles/{DOC}/facts", headers=as_(LAN), json={
        "start": 10, "end": 5, "kind": "merger", "components": ["Ban A"], "place": "tỉnh Bắc Ninh",
        "status": "planned"})
    assert r.status_code == 422
    assert http.post("/api/facts/event/nope/0/review", json={"verdict": "confirm"},
                     headers=as_(LAN)).status_code == 404
    assert reviews(http) == []
    assert sparql(http, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


def test_four_reviews_change_every_answer_and_survive_reingest(http: httpx.Client) -> None:
    q = queue(http)
    assert [f["confidence"] for f in q["facts"]] == sorted(f["confidence"] for f in q["facts"])
    assert all(f["review"]["state"] == "extracted" for f in q["facts"])
    merger_facts = [f for f in q["facts"] if f["kind"] == "merger"]
    assert len(merger_facts) >= 2, "the seed names at least two merger facts"
    gone, fixed = merger_facts[0], merger_facts[1]
    kept = next(f for f in q["facts"] if f not in (gone, fixed))
    new_status = next(s for s in ("stopped", "ended") if s != fixed["status"])
    article_before = extracted(http)
    listed = mergers(http)
    assert gone["event"] in listed and fixed["event"] in listed

    # reject
    r = http.post(f"/api/facts/{gone['id']}/review",
                  json={"verdict": "reject", "reason": "không phải hợp nhất"}, headers=as_(LAN))
    assert r.status_code == 201, r.text
    # correct
    r = http.post(f"/api/facts/{fixed['id']}/review",
                  json={"verdict": "correct", "fields": {"status": new_status, "when": "2024-05"}},
                  headers=as_(LAN))
    assert r.status_code == 201, r.text
    # confirm
    r = http.post(f"/api/facts/{kept['id']}/review", json={"verdict": "confirm"}, headers=as_(MINH))
    assert r.status_code == 201, r.text
    # add, at a span near the start of the text
    text = q["text"]
    end = text.index(" ", 30)
    r = http.post(f"/api/articles/{DOC}/facts", headers=as_(MINH), json={
        "start": 0, "end": end, "kind": "merger", "components": ["Ban Tuyên giáo", "Ban Dân vận"],
        "place": "tỉnh Bắc Ninh", "level": "province", "status": "planned", "when": "2025"})
    assert r.status_code == 201, r.text
    added = next(x for x in r.json()["reviews"] if x["verdict"] == "add")["applies_to"]

    def check_reviewed() -> None:
        now = mergers(http)
        assert gone["event"] not in now
        assert now[fixed["event"]]["status"] == new_status and now[fixed["event"]]["when"] == "2024-05"
        item = now[fixed["event"]]
        assert (item["review_state"], item["reviewed_by"]) == ("corrected", "Lan")
        assert now[added]["status"] == "planned" and now[added]["review_state"] == "added"
        mine = (fixed["event"], added, kept["event"])
        others = {i["review_state"] for e, i in now.items() if e not in mine}
        assert others == {"extracted"}
        assert set(now) == (set(listed) - {gone["event"]}) | {added}
        assert status_of(http, gone["event"]) == []
        assert status_of(http, fixed["event"]) == [new_status]
        assert status_of(http, added) == ["planned"]
        # the explorer's facts are marked as REST marks them
        explored = http.get("/api/graph", params={"id": f"article/{DOC}"})
        assert explored.status_code == 200, explored.text
        marks = {f["event"]: f["review"] for f in explored.json()["facts"]}
        assert gone["event"] not in marks
        assert (marks[fixed["event"]]["state"], marks[fixed["event"]]["by"]) == ("corrected", "Lan")
        assert (marks[kept["event"]]["state"], marks[kept["event"]]["by"]) == ("confirmed", "Minh")
        assert marks[added]["state"] == "added"
        # exports say the same: the whole graph, and a model's subgraph
        for filters in ({}, {"model": fixed["model"]}):
            assert exported_status(http, gone["event"], **filters) == []
            assert exported_status(http, fixed["event"], **filters) == [new_status]
        assert exported_status(http, added) == ["planned"]
        fact = http.get(f"/api/facts/{kept['id']}").json()
        assert fact["review"]["state"] == "confirmed" and fact["review"]["by"] == "Minh"
        assert http.get(f"/api/facts/{gone['id']}").status_code == 410
        model = http.get(f"/api/models/{kept['model'][len(ID) + len('model/'):]}").json()
        events = {e["event"]: e for p in model["places"] for e in p["timeline"]}
        assert events[kept["event"]]["review"]["state"] == "confirmed"
        # the extraction alone and the reviews alone
        assert extracted(http) == article_before
        said = sparql(http, f"SELECT ?v WHERE {{ GRAPH <https://w3id.org/bomay/graph/review/{DOC}> "
                            "{ ?r a <https://w3id.org/bomay/ontology#Review> ; "
                            "<https://w3id.org/bomay/ontology#verdict> ?v } }")
        assert sorted(r["v"] for r in said) == ["add", "confirm", "correct", "reject"]

    check_reviewed()
    mine = reviews(http, reviewer="Lan")
    assert [r["verdict"] for r in mine] == ["reject", "correct"]
    assert mine[1]["previous"]["status"] == fixed["status"] and mine[1]["said"]["status"] == new_status
    assert reviews(http, since="2999-01-01T00:00:00Z") == []

    # re-ingest the same text: every review stays attached, every answer stays reviewed
    raw = (SEEDS / f"{DOC}.txt").read_bytes()
    r = http.post("/api/articles", params={"id": DOC}, content=raw,
                  headers={**as_(TOKEN), "Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 200, r.text
    assert {x["state"] for x in reviews(http, article=DOC)} == {"attached"}
    check_reviewed()

    # re-ingest a text without the confirmed fact's sentence: that review no longer attaches
    quote = kept["evidence"]["text"]
    cut = raw.decode("utf-8").replace(quote, "")
    assert cut != raw.decode("utf-8")
    r = http.post("/api/articles", params={"id": DOC}, content=cut.encode("utf-8"),
                  headers={**as_(TOKEN), "Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 200, r.text
    loose = reviews(http, unattached="1")
    assert [(x["verdict"], x["fact"]) for x in loose] == [("confirm", kept["event"])]
    assert queue(http)["unattached"][0]["review"] == loose[0]["review"]
    states = {f["event"]: f["review"]["state"] for f in queue(http)["facts"]}
    assert "confirmed" not in states.values()  # never applied to another fact
