"""Many articles about the same models and places (the normal case: every article about a province
repeats its models, units and documents in its own graph). The union default graph then holds each shared
triple once per article, and a named query that joins shared resources without DISTINCT sub-selects grows
as (articles)^(joins). Here 8 articles repeat the same resources; every REST endpoint must still answer
within the server's query time limit (BOMAY_QUERY_TIMEOUT of the fixture) instead of 503 query_timeout.
(Regression test: before commit 74524bf, /api/models took 45 s with 7 such articles.)"""

from __future__ import annotations

import httpx
import pytest

from tests.reliability.conftest import AUTH, SEEDS, seed_text, stop_server

COPIES = 6  # + the two seeds = 8 graphs repeating the same models, places and documents
ENDPOINTS = [
    ("/api/mergers", {}), ("/api/mergers", {"province": "hai duong"}), ("/api/events", {}),
    ("/api/places", {}), ("/api/documents", {}), ("/api/search", {"q": "van phong"}),
    ("/api/documents/article/000_3db7e80d1100efe9", {}), ("/api/places/2023/30", {}),
    ("/api/models", {}), ("/api/models", {"kind": "merger"}),
]


# How a list's total follows the copies: events are each article's own (every copy's count again), the
# documents list gains each copy as a source article, while models, places, legal documents and search
# hits are resources the copies share (counted once).
def expected_total(path: str, was: int) -> int:
    if path in ("/api/mergers", "/api/events"):
        return was * (1 + COPIES // 2)
    return was + COPIES if path == "/api/documents" else was


def _totals(c: httpx.Client) -> dict[tuple[str, str], int]:
    out = {}
    for path, params in ENDPOINTS:
        r = c.get(path, params=params)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        out[(path, repr(params))] = int(r.headers["X-Total-Count"]) if "X-Total-Count" in r.headers else -1
    return out


@pytest.fixture(scope="module")
def repeated(rserver) -> tuple[str, dict]:
    with httpx.Client(base_url=rserver.url, timeout=300) as c:
        before = _totals(c)
        for k in range(COPIES):
            r = c.post("/api/articles", params={"id": f"repeat_{k}"}, content=seed_text(k % 2).encode(),
                       headers={**AUTH, "Content-Type": "text/plain"})
            assert r.status_code in (200, 201), r.text[:300]
            # each copy is told it repeats the seed and the copies before it (its events now count again)
            same = [SEEDS[k % 2].stem, *(f"repeat_{j}" for j in range(k % 2, k, 2))]
            assert r.json()["duplicate_of"] == sorted(same) and r.json()["warning"], r.json()
    return rserver.url, before


@pytest.mark.parametrize("path, params", ENDPOINTS)
def test_endpoint_answers_when_articles_repeat_shared_resources(repeated: tuple[str, dict], path: str,
                                                                params: dict) -> None:
    """Each endpoint answers in time, and its total counts a shared resource once and an event once per
    article that reports it (the seeds each appear 1 + COPIES / 2 times)."""
    url, before = repeated
    with httpx.Client(base_url=url, timeout=120) as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    was = before[(path, repr(params))]
    if was < 0:  # a detail, not a list
        return
    total = int(r.headers["X-Total-Count"])
    assert was > 0
    assert total == expected_total(path, was), (path, params, was, total)


def _first_merger(url: str) -> dict:
    with httpx.Client(base_url=url, timeout=120) as c:
        mergers = c.get("/api/mergers").json()["items"]
    assert mergers
    return mergers[0]


@pytest.mark.parametrize("kind", ["place", "graph_model", "graph_place", "model"])
def test_details_and_explorer_graph_answer_when_articles_repeat(repeated: tuple[str, dict],
                                                                kind: str) -> None:
    first = _first_merger(repeated[0])
    path, params = {
        "model": (f"/api/models/{first['model_id']}", {}),
        "place": (f"/api/places/{first['place_id']}", {}),
        "graph_model": ("/api/graph", {"id": "model/" + first["model_id"]}),
        "graph_place": ("/api/graph", {"id": "unit/" + first["place_id"]}),
    }[kind]
    with httpx.Client(base_url=repeated[0], timeout=120) as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, (path, params, r.status_code, r.text[:300])


@pytest.mark.parametrize("fmt", ["graphml", "trig", "cytoscape"])
def test_a_province_export_answers_when_articles_repeat(repeated: tuple[str, dict], fmt: str) -> None:
    with httpx.Client(base_url=repeated[0], timeout=120) as c:
        r = c.get(f"/export/{fmt}", params={"province": "hai duong"})
    assert r.status_code == 200, (fmt, r.status_code, r.text[:300])
    assert "Hải Dương".encode() in r.content


def test_an_export_past_the_time_limit_is_stopped_and_the_server_keeps_answering(
    seeded_store, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Exports run in a query worker: with a limit shorter than any projection can take, the export is
    answered 503 and its worker killed, while /health and queries go on being answered."""
    from tests.reliability.conftest import fresh_server

    srv = fresh_server(seeded_store, tmp_path_factory.mktemp("export_limit"), BOMAY_QUERY_TIMEOUT="0.05",
                       BOMAY_QUERY_WORKERS="2")
    try:
        with srv.client() as c:
            assert c.get("/health").json()["worker_restarts"] == 0
            r = c.get("/export/graphml", params={"province": "hai duong"})
            assert r.status_code == 503, (r.status_code, r.text[:300])
            assert r.json()["error"] == "query_timeout"
            health = c.get("/health")
            assert health.status_code == 200
            assert health.json()["worker_restarts"] == 1  # the export's worker was stopped, not left running
            ask = c.get("/sparql", params={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json"})
            assert ask.status_code == 200 and ask.json()["boolean"] is True
    finally:
        stop_server(srv)
