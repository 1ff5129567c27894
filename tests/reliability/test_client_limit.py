"""One address cannot fill the server with requests: past BOMAY_CLIENT_CONCURRENCY requests in flight it is
answered 429 with Retry-After, and a suspect (its query ran into the time limit) may have one; other
clients, /health and requests carrying a token are answered meanwhile."""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.test_fair_share import RUNAWAY
from tests.reliability.conftest import AUTH, Server, fresh_server, seeded_store, stop_server  # noqa: F401

ATTACKER, OTHER = "127.0.0.9", "127.0.0.10"


@pytest.fixture(scope="module")
def limited(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
    srv = fresh_server(seeded_store, tmp_path_factory.mktemp("limit"), BOMAY_CLIENT_CONCURRENCY="2",
                       BOMAY_QUERY_TIMEOUT="4")
    yield srv
    stop_server(srv)


def client(srv: Server, address: str) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=60, transport=httpx.HTTPTransport(local_address=address))


def runaways(srv: Server, n: int, spacing: float = 0.5) -> list[httpx.Response]:
    """`n` runaway queries from the attacker's address, each on its own connection, sent `spacing` apart
    (the earlier ones are then in flight: each runs until the 4 s time limit)."""
    def send(k: int) -> httpx.Response:
        time.sleep(k * spacing)
        with client(srv, ATTACKER) as c:
            return c.post("/sparql", data={"query": RUNAWAY})

    with cf.ThreadPoolExecutor(n) as pool:
        return list(pool.map(send, range(n)))


def test_past_its_limit_a_client_is_answered_429_and_others_are_not_held(limited: Server) -> None:
    with cf.ThreadPoolExecutor(1) as pool:
        attack = pool.submit(runaways, limited, 4)
        time.sleep(2.5)  # all four sent; the first two still running
        with client(limited, OTHER) as c:
            other = c.get("/api/search", params={"q": "thuan thanh"})
            health = c.get("/health")
        with client(limited, ATTACKER) as c:
            known = c.get("/api/search", params={"q": "thuan thanh"}, headers=AUTH)
            own_health = c.get("/health")
        answers = attack.result()
    assert [r.status_code for r in answers] == [503, 503, 429, 429]
    refused = answers[2]
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "too_many_requests" and "tối đa 2" in refused.json()["message"]
    assert other.status_code == 200 and other.json()["items"]
    assert health.status_code == 200 and own_health.status_code == 200
    assert known.status_code == 200  # a request with the token is not counted


def test_a_suspect_may_have_one_request_in_flight(limited: Server) -> None:
    with client(limited, ATTACKER) as c:
        assert c.post("/sparql", data={"query": RUNAWAY}).status_code == 503  # now a suspect
    answers = runaways(limited, 2)
    assert [r.status_code for r in answers] == [503, 429]
    assert "tối đa 1" in answers[1].json()["message"]
