"""Fixtures: a store with the two seed articles, and real uvicorn servers on free loopback ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples").glob("*.txt"))
TOKEN = "test-token-0123456789"
REVIEW_TOKEN = "review-token-0123456789"


def seed_store(path: Path, gazetteer: object | None = None) -> None:
    """The gazetteer (`gazetteer`, else built here) and the seed articles (through the article pipeline,
    validated) in a fresh store at `path`."""
    from graph.ingest import ingest_graph
    from graph.store import open_store
    from loaders.gazetteer_rdf import gazetteer_graph
    from ontology.namespaces import GAZETTEER_GRAPH
    from tests.conftest import seed_graphs

    store = open_store(str(path))
    try:
        store.bulk_replace_graph(str(GAZETTEER_GRAPH), gazetteer_graph() if gazetteer is None else gazetteer)
        for iri, graph in seed_graphs().items():
            report = ingest_graph(store, iri, graph)
            assert report.written, report.line()
    finally:
        store.close()


@dataclass
class Server:
    """A running `uvicorn api.app:create_app --factory` subprocess."""

    url: str
    proc: subprocess.Popen
    store: Path
    log: Path

    def client(self, **kw: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, log: Path, factory: str = "api.app:create_app", log_level: str = "warning",
                 **env: str) -> Server:
    """Start uvicorn on a free port and wait until /health answers (or the process dies).

    The wait is patient: the seeded store holds the gazetteer, and on a loaded machine the first answers
    can take several seconds.
    """
    port = free_port()
    full_env = {
        **os.environ,
        "BOMAY_STORE": str(store),
        "BOMAY_QUERY_TIMEOUT": "10",
        "BOMAY_RESULT_LIMIT": "500000",
        **env,
    }
    full_env.pop("BOMAY_SPARQL_URL", None)
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", log_level],
        cwd=ROOT,
        env=full_env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "/health", timeout=15).status_code == 200:
                return Server(url, proc, store, log)
        except httpx.TransportError:
            pass
        try:
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
    stop_server(Server(url, proc, store, log))
    raise RuntimeError("server did not become ready")


def start_on_copy(seeded: Path, base: Path, **env: str) -> Server:
    """A server over a private copy of the seeded store in `base` (its log in `base`/server.log)."""
    shutil.copytree(seeded, base / "store")
    return start_server(base / "store", base / "server.log", **env)


def stop_server(server: Server) -> None:
    """Stop the subprocess we started (by its own handle, never by name)."""
    server.proc.terminate()
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=20)


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """Template store with the ontology, the gazetteer (the session's one graph, built once for the store
    tests too) and the two seed articles; servers run on copies of it."""
    path = tmp_path_factory.mktemp("store") / "store"
    prebuilt = os.environ.get("BOMAY_TEST_SEEDED_STORE")  # developer shortcut: reuse a closed seeded store
    if prebuilt:
        shutil.copytree(prebuilt, path)
    else:
        seed_store(path, request.getfixturevalue("gazetteer_graph"))
    return path


@pytest.fixture(scope="session")
def server(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a copy of the seeded store for read tests (writes and reviews enabled but never used,
    so writes are validated in a thread: no ingest worker processes beside the query workers)."""
    srv = start_on_copy(
        seeded_store, tmp_path_factory.mktemp("rstore"), BOMAY_TOKEN=TOKEN, BOMAY_CORS_ORIGINS="https://example.org",
        BOMAY_INGEST_WORKERS="0", BOMAY_REVIEW_TOKENS=f"Reader:{REVIEW_TOKEN}",
    )
    yield srv
    stop_server(srv)


@pytest.fixture()
def http(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="session")
def write_server(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a private copy of the seeded store, for tests that write: one for the session, so each
    test leaves the store as it found it (it deletes what it posts)."""
    base = tmp_path_factory.mktemp("wstore")
    srv = start_on_copy(seeded_store, base, BOMAY_TOKEN=TOKEN, BOMAY_MAX_BODY="200000")
    yield srv
    stop_server(srv)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the explorer in headless Chromium")
    config.addinivalue_line("markers", "schemathesis: property-based run against the OpenAPI schema")
