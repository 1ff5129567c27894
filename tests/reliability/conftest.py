"""Fixtures for the reliability suite: real uvicorn servers (tests.api.conftest), graph counts, articles.

The servers are the same `start_server` the API tests use; each module that writes gets its own copy of
the seeded store, so nothing here leaks into another test's expectations.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import SEEDS, TOKEN, Server, seeded_store, start_server, stop_server  # noqa: F401

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


def fresh_server(seeded: Path, base: Path, **env: str) -> Server:
    """A server over a private copy of the seeded store (writes enabled with TOKEN)."""
    shutil.copytree(seeded, base / "store")
    return start_server(base / "store", base / "server.log", **{"BOMAY_TOKEN": TOKEN, **env})


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
