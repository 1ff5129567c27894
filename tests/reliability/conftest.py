"""Fixtures for the reliability suite: real uvicorn servers (tests.api.conftest), graph counts, articles.

The servers are the same `start_server` the API tests use; each module that writes gets its own copy of
the seeded store, so nothing here leaks into another test's expectations.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import (  # noqa: F401
    REVIEW_TOKEN,
    ROOT,
    SEEDS,
    TOKEN,
    Server,
    free_port,
    seeded_store,
    start_server,
    stop_server,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def seed_text(i: int = 0) -> str:
    """NFC text of seed article `i` (0: Bắc Ninh, 1: Hải Dương)."""
    return unicodedata.normalize("NFC", SEEDS[i].read_text(encoding="utf-8"))


def graph_counts(client: httpx.Client) -> dict[str, int]:
    """Triple count per named graph, asked over HTTP through /sparql."""
    r = client.get("/sparql", params={"query": COUNTS}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def start_app(store: Path, log: Path, factory: str = "api.app:create_app", log_level: str = "warning",
              **env: str) -> Server:
    """tests.api.conftest.start_server with the reliability suite's result limit (20,000) unless given."""
    return start_server(store, log, factory, log_level, **{"BOMAY_RESULT_LIMIT": "20000", **env})


def fresh_server(seeded: Path, base: Path, **env: str) -> Server:
    """A server over a private copy of the seeded store (writes enabled with TOKEN).

    With RELIABILITY_BREAK set, the app has one protection removed (tests/reliability/broken_app.py), to
    check that the tests guarding it fail.
    """
    shutil.copytree(seeded, base / "store")
    env = {"BOMAY_TOKEN": TOKEN, "BOMAY_REVIEW_TOKENS": f"Reader:{REVIEW_TOKEN}", **env}
    factory = "tests.reliability.broken_app:create_app" if os.environ.get("RELIABILITY_BREAK") else None
    return start_app(base / "store", base / "server.log", factory or "api.app:create_app", **env)


@pytest.fixture(scope="module")
def rserver(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
    """A writable server private to one test module."""
    srv = fresh_server(seeded_store, tmp_path_factory.mktemp("rel"))
    yield srv
    stop_server(srv)


@pytest.fixture()
def rhttp(rserver: Server) -> Iterator[httpx.Client]:
    with rserver.client() as c:
        yield c
