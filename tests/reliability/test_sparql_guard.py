"""/sparql holds: no updates, no LOAD, no SERVICE outside the allow-list (a loopback trap proves no call
goes out), a time limit that kills the query's worker while others keep answering, a result cap, a
request-body cap, and checked dataset IRIs. Every refusal leaves the store unchanged."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import stop_server
from tests.reliability.conftest import graph_counts, start_app
from tests.reliability.netutil import FakeEndpoint, Trap

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x:> INSERT DATA { x:a x:b x:c }",
    "BASE <http://example.org/> PREFIX : <urn:> # comment\n DELETE WHERE { ?s ?p ?o }",
    "# SELECT * WHERE {}\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "WITH <https://w3id.org/bomay/graph/ontology> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DROP ALL", "drop silent graph <https://w3id.org/bomay/graph/ontology>", "CLEAR DEFAULT", "CLEAR ALL",
    "CREATE GRAPH <urn:g>", "ADD DEFAULT TO <urn:g>", "MOVE DEFAULT TO <urn:g>", "COPY <urn:a> TO <urn:b>",
    "LOAD <http://127.0.0.1:9/x.ttl>", "load silent <http://127.0.0.1:9/x.ttl> into graph <urn:g>",
    "PREFIX a: <urn:a> LOAD <file:///etc/passwd>",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "INSERT DATA { <urn:a> <urn:b> 'x' } ; SELECT * WHERE { ?s ?p ?o }",
]


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE<{url}>{{?s ?p ?o}} }}",
        f"PREFIX ep: <{url}> SELECT * WHERE {{ SERVICE ep: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?ep {{ <{url}> }} SERVICE ?ep {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ SERVICE <{url.replace('127.0.0.1', '127.1')}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}?x=1> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(IRI(\"{url}\") AS ?ep) SERVICE ?ep {{ ?s ?p ?o }} }}",
    ]


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


@pytest.fixture()
def before(rhttp: httpx.Client) -> dict[str, int]:
    return graph_counts(rhttp)


@pytest.mark.parametrize("update", UPDATES)
def test_updates_and_load_are_refused_every_way_and_change_nothing(rhttp: httpx.Client, before, update: str,
                                                                   trap: Trap) -> None:
    update = update.replace("127.0.0.1:9", f"127.0.0.1:{trap.port}")
    answers = [
        rhttp.get("/sparql", params={"query": update}),
        rhttp.get("/sparql", params={"update": update}),
        rhttp.post("/sparql", data={"query": update}),
        rhttp.post("/sparql", data={"update": update}),
        rhttp.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
        rhttp.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
    ]
    for r in answers:
        assert r.status_code in (400, 403), (r.status_code, r.text[:300])
        assert r.json()["message"]
    assert answers[0].status_code == 403 or "SELECT" in update.split(";")[0]
    assert graph_counts(rhttp) == before
    assert not trap.hits, trap.hits[:1]


def test_service_is_refused_and_no_connection_is_made(rhttp: httpx.Client, trap: Trap) -> None:
    for q in service_queries(trap.url):
        for r in (rhttp.get("/sparql", params={"query": q}), rhttp.post("/sparql", data={"query": q})):
            assert r.status_code in (400, 403), (q, r.status_code, r.text[:300])
    assert not trap.hits, trap.hits[:1]


def test_from_clauses_never_fetch(rhttp: httpx.Client, trap: Trap) -> None:
    """FROM / FROM NAMED pick graphs of the store: allowed, but they must never load the IRI."""
    for q in (f"SELECT * FROM <{trap.url}> WHERE {{ ?s ?p ?o }} LIMIT 1",
              f"SELECT * FROM NAMED <{trap.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
              f"CONSTRUCT {{ ?s ?p ?o }} FROM <{trap.url}> WHERE {{ ?s ?p ?o }} LIMIT 1"):
        r = rhttp.get("/sparql", params={"query": q})
        assert r.status_code < 500, r.text[:300]
        if r.status_code == 200 and "json" in r.headers["content-type"]:
            assert r.json()["results"]["bindings"] == []
    r = rhttp.get("/sparql", params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1",
                                     "default-graph-uri": trap.url})
    assert r.status_code < 500
    assert not trap.hits, trap.hits[:1]


def test_dataset_iris_cannot_inject(rhttp: httpx.Client, before) -> None:
    for bad in ["http://x> } ; DROP ALL ; <http://y", "javascript:alert(1)", "http://a b", "<urn:x>", "",
                "file:///etc/passwd", "http://x\"y"]:
        for key in ("default-graph-uri", "named-graph-uri"):
            r = rhttp.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", key: bad})
            assert r.status_code == 400, (bad, r.status_code, r.text[:200])
        r = rhttp.get("/graph-store", params={"graph": bad})
        assert r.status_code in (400, 404), (bad, r.status_code)
    assert graph_counts(rhttp) == before


def _children(pid: int) -> set[int]:
    """Every process under `pid` (query workers are forked by a zygote: the server's grandchildren)."""
    out: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            direct = {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            continue
        out |= direct
        for child in direct:
            out |= _children(child)
    return out


def test_time_limit_kills_the_query_while_another_query_answers(rserver, rhttp: httpx.Client) -> None:
    """A runaway query gets 503 query_timeout, its worker process is ended (not left burning CPU), and a
    query sent while it runs is answered first."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    workers_before = _children(rserver.proc.pid)
    order: list[str] = []
    slow_answer: list[httpx.Response] = []
    started = threading.Event()

    def run_slow() -> None:
        with rserver.client() as c:
            started.set()
            slow_answer.append(c.get("/sparql", params={"query": slow}))
            order.append("slow")

    t = threading.Thread(target=run_slow)
    t.start()
    started.wait(10)
    fast = rhttp.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    order.append("fast")
    t.join(timeout=120)
    assert fast.status_code == 200 and fast.json()["boolean"] is True
    assert slow_answer and slow_answer[0].status_code == 503, slow_answer and slow_answer[0].text
    assert slow_answer[0].json()["error"] == "query_timeout"
    assert order == ["fast", "slow"]
    # The 503 does not wait for the replacement replica to load: the killed worker is reaped and a
    # fresh one started in the background.
    deadline = time.monotonic() + 60
    while True:
        workers_after = _children(rserver.proc.pid)
        gone = workers_before - workers_after
        if (gone and len(workers_after) >= len(workers_before)) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert gone, "the worker that ran the slow query is still alive"
    assert len(workers_after) >= len(workers_before), "the killed worker was not replaced"
    assert rhttp.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_more_runaway_queries_than_workers_all_stop(rserver, rhttp: httpx.Client) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answers: list[int] = []

    def run(address: str) -> None:  # four clients, each from its own address (one may have one in flight)
        with rserver.client(transport=httpx.HTTPTransport(local_address=address)) as c:
            answers.append(c.post("/sparql", data={"query": slow}).status_code)

    threads = [threading.Thread(target=run, args=(f"127.0.0.{30 + i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert answers == [503] * 4
    assert rhttp.get("/health").status_code == 200
    assert rhttp.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 50000",
    "SELECT * WHERE { ?a ?b ?c }",
    "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c }",
    "CONSTRUCT { ?a <urn:p> ?c } WHERE { ?a ?b ?c }",
    "DESCRIBE ?s WHERE { ?s ?p ?o }",
])
def test_result_cap_is_a_clear_error(rhttp: httpx.Client, query: str) -> None:
    r = rhttp.get("/sparql", params={"query": query})
    assert r.status_code == 422, (r.status_code, r.text[:200])
    assert r.json()["error"] == "result_limit" and "20000" in r.json()["message"]


def test_request_body_cap_by_length_and_by_stream(rhttp: httpx.Client) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2_100_000
    r = rhttp.post("/sparql", data={"query": big})
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"

    def gen():
        for _ in range(300):
            yield b"#" + b"x" * 9_999

    r = rhttp.post("/sparql", content=gen(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert rhttp.get("/health").status_code == 200


def test_overlong_request_line_is_refused(rserver, rhttp: httpx.Client) -> None:
    """A 300 kB request line (past the 100,000-character query cap and any sane URL) gets a 4xx."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(rserver.url)
    line = b"GET /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%23" + b"x" * 300_000
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall(line + f" HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        answer = s.recv(200)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer
    assert rhttp.get("/health").status_code == 200


@pytest.mark.parametrize("ctype, body", [
    ("application/json", b'{"query": "SELECT * WHERE {?s ?p ?o}"}'),
    ("text/plain", b"SELECT * WHERE {?s ?p ?o}"),
    ("application/sparql-query", b"SELECT * WHERE { ?s ?p \xff\xfe }"),
    ("application/x-www-form-urlencoded", b"query=%FF%FE"),
    ("application/x-www-form-urlencoded", b"foo=bar"),
    ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"),
])
def test_odd_bodies_are_4xx(rhttp: httpx.Client, ctype: str, body: bytes) -> None:
    r = rhttp.post("/sparql", content=body, headers={"Content-Type": ctype})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])


@pytest.mark.parametrize("accept, fmt", [("text/html", None), ("*/*;q=x", None), ("a" * 5000, None),
                                         (None, "<script>"), (None, "json\r\nX-Evil: 1"), (None, "../../x")])
def test_odd_formats_are_handled(rhttp: httpx.Client, accept: str | None, fmt: str | None) -> None:
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **({"format": fmt} if fmt else {})}
    r = rhttp.get("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert r.status_code in (200, 400, 406, 422), (r.status_code, r.text[:200])
    assert "x-evil" not in r.headers


def test_allow_listed_service_is_called_and_others_are_not(seeded_store: Path, tmp_path: Path,
                                                           trap: Trap) -> None:
    import shutil

    fake = FakeEndpoint()
    shutil.copytree(seeded_store, tmp_path / "store")
    srv = start_app(tmp_path / "store", tmp_path / "server.log", BOMAY_SERVICE_ALLOW=fake.url)
    try:
        q = "SELECT ?x WHERE {{ SERVICE <{}> {{ ?x ?p ?o }} }}"
        with srv.client() as c:
            r = c.get("/sparql", params={"query": q.format(fake.url)})
            assert r.status_code == 200, r.text[:300]
            assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["từ xa"]
            assert fake.calls
            r = c.get("/sparql", params={"query": q.format(trap.url)})
            assert r.status_code == 403
            r = c.get("/sparql", params={"query": q.format(fake.url + "/x")})
            assert r.status_code == 403
    finally:
        stop_server(srv)
        fake.close()
    assert not trap.hits
