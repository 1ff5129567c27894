"""Many articles about the same models and places (the normal case: every article about a province
repeats its models, units and documents in its own graph). The union default graph then holds each shared
triple once per article, and a named query that joins shared resources without DISTINCT sub-selects grows
as (articles)^(joins). Here 8 articles repeat the same resources; every REST endpoint must still answer
within the server's query time limit (BOMAY_QUERY_TIMEOUT of the fixture) instead of 503 query_timeout.
(Regression test: before commit 74524bf, /api/models took 45 s with 7 such articles.)"""

from __future__ import annotations

import httpx
import pytest

from tests.reliability.conftest import AUTH, seed_text

COPIES = 6  # + the two seeds = 8 graphs repeating the same models, places and documents
ENDPOINTS = [
    ("/api/mergers", {}), ("/api/mergers", {"province": "hai duong"}), ("/api/events", {}),
    ("/api/places", {}), ("/api/documents", {}), ("/api/search", {"q": "van phong"}),
    ("/api/documents/article/000_3db7e80d1100efe9", {}), ("/api/places/2023/30", {}),
    ("/api/models", {}), ("/api/models", {"kind": "merger"}),
]


@pytest.fixture(scope="module")
def repeated(rserver) -> str:
    with httpx.Client(base_url=rserver.url, timeout=300) as c:
        for k in range(COPIES):
            r = c.post("/api/articles", params={"id": f"repeat_{k}"}, content=seed_text(k % 2).encode(),
                       headers={**AUTH, "Content-Type": "text/plain"})
            assert r.status_code in (200, 201), r.text[:300]
    return rserver.url


@pytest.mark.parametrize("path, params", ENDPOINTS)
def test_endpoint_answers_when_articles_repeat_shared_resources(repeated: str, path: str,
                                                                params: dict) -> None:
    with httpx.Client(base_url=repeated, timeout=120) as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, (r.status_code, r.text[:300])


def _first_merger(url: str) -> dict:
    with httpx.Client(base_url=url, timeout=120) as c:
        mergers = c.get("/api/mergers").json()["items"]
    assert mergers
    return mergers[0]


@pytest.mark.parametrize("kind", ["place", "graph_model", "graph_place", "model"])
def test_details_and_explorer_graph_answer_when_articles_repeat(repeated: str, kind: str) -> None:
    first = _first_merger(repeated)
    path, params = {
        "model": (f"/api/models/{first['model_id']}", {}),
        "place": (f"/api/places/{first['place_id']}", {}),
        "graph_model": ("/api/graph", {"id": "model/" + first["model_id"]}),
        "graph_place": ("/api/graph", {"id": "unit/" + first["place_id"]}),
    }[kind]
    with httpx.Client(base_url=repeated, timeout=120) as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, (path, params, r.status_code, r.text[:300])
