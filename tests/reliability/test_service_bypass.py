"""No SERVICE call leaves the server, however the query is written.

The guard reads queries through the project's one lexer (graph/lexer.py) as Oxigraph does: `#` inside an
escaped IRI or after `\\` in a prefixed name is not a comment, `<` after an operand inside an expression
is the less-than operator. The GRAPH router reads the same tokens. Behind the guard, query workers cannot
open network sockets at all (api/netguard.py). A loopback trap counts connections throughout.

RELIABILITY_BREAK=lexer gives the lexer back the gaps the issue found; RELIABILITY_BREAK=netguard lets the
workers use the network (tests/reliability/broken_app.py).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Server, stop_server
from tests.reliability.conftest import start_app
from tests.reliability.netutil import Trap


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


# Text before a SERVICE clause that a lexer misreading escapes, comments or `<` would take for a comment or
# for the start of a string running over the SERVICE (each is valid SPARQL on its own).
HIDERS = [
    "OPTIONAL { ?a <urn:x\\u0041#> ?b }",  # the first form: \u escape in an IRI, then '#'
    "OPTIONAL { ?a e:b\\# ?b }",  # the second form: an escaped '#' in a local name
    "OPTIONAL { ?a e:b\\' ?b }",  # an escaped quote in a local name
    "OPTIONAL { ?a e:b\\'\\# ?b }",
    "OPTIONAL { ?a <urn:x\\U00000041#'''> ?b }",
    "FILTER(1<2#>'''\n)",  # '<' as less-than, then a real comment holding an opening quote
    "FILTER(?a<?b#>\"\"\"\n)",
    "BIND(\"\\u0022#\" AS ?q)",  # an escaped quote inside a string
    "BIND('''a''b#''' AS ?q)",
    "OPTIONAL { ?a ?b \"x#\"@en-US }",
    "OPTIONAL { ?a ?b \"1\"^^<urn:t\\u0023> }",
    "OPTIONAL { ?a ?b (1 <urn:x#'>) }",  # an IRI holding a quote inside a collection
    "FILTER(?a IN (<urn:a#'>, 1))",
    "# comment\r",  # a comment ended by CR alone
]
TAILS = ["", "# '''", "# \"\"\"", "'''", "#'"]


def bypass_forms(url: str) -> list[str]:
    """Each hider before a SERVICE call to `url`, then closing text that would end a misread string."""
    forms = []
    for hider in HIDERS:
        for tail in ("", " # '''\n"):
            forms.append(
                f"PREFIX e: <urn:e:> SELECT ?x WHERE {{ {hider} SERVICE <{url}> {{ ?x ?y ?z }}{tail} }}"
            )
    return forms


def _refuse_network() -> None:
    from api.netguard import deny_network

    deny_network()


def _parses(query: str) -> bool:
    import pyoxigraph as ox

    try:
        result = ox.Store().query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except SyntaxError:
        return False
    except OSError:  # the refused connection: the engine did parse it and tried
        return True
    return True


def test_the_bypass_forms_are_valid_sparql_with_a_service_call(trap: Trap) -> None:
    """The forms below are not refused for being gibberish: the engine parses every one."""
    forms = bypass_forms(trap.url)
    ctx = mp.get_context("spawn")
    with ctx.Pool(1, initializer=_refuse_network) as pool:
        parsed = pool.map(_parses, forms)
    assert all(parsed), [q for q, ok in zip(forms, parsed, strict=True) if not ok]
    assert not trap.hits


def test_bypass_forms_are_refused_over_http_and_nothing_connects(rhttp: httpx.Client, trap: Trap) -> None:
    for q in bypass_forms(trap.url):
        direct = {"Content-Type": "application/sparql-query"}
        for r in (rhttp.get("/sparql", params={"query": q}), rhttp.post("/sparql", data={"query": q}),
                  rhttp.post("/sparql", content=q.encode(), headers=direct)):
            assert r.status_code == 403, (q, r.status_code, r.text[:300])
            assert r.json()["error"] == "refused" and "SERVICE" in r.json()["message"]
    assert not trap.hits, trap.hits[:1]


def test_graph_router_sees_a_graph_keyword_after_the_same_tricks(rhttp: httpx.Client) -> None:
    """The router sends a GRAPH query to the replica holding the named graphs: hidden from a lexer that
    misreads the text before it, it would run on the default-graph-only copy and answer 0."""
    plain = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a ?t } }"
    expected = rhttp.get("/sparql", params={"query": plain}).json()["results"]["bindings"][0]["n"]["value"]
    assert int(expected) > 0
    for hider in HIDERS:
        q = f"PREFIX e: <urn:e:> SELECT (COUNT(*) AS ?n) WHERE {{ {hider} GRAPH ?g {{ ?s a ?t }} }}"
        if "OPTIONAL" in hider or "BIND" in hider or "FILTER" in hider:
            continue  # these change the count: only pure comment/escape hiders here
        r = rhttp.get("/sparql", params={"query": q})
        assert r.status_code == 200, r.text[:300]
        assert r.json()["results"]["bindings"][0]["n"]["value"] == expected, q
    for q in (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a ?t } FILTER(1<2#>'''\n) } # '''",
        "PREFIX e: <urn:e:> SELECT (COUNT(*) AS ?n) WHERE { BIND(e:b\\# AS ?q) GRAPH ?g { ?s a ?t } }",
        "SELECT (COUNT(*) AS ?n) WHERE { BIND(<urn:x\\u0041#> AS ?q) GRAPH ?g { ?s a ?t } }",
    ):
        r = rhttp.get("/sparql", params={"query": q})
        assert r.status_code == 200, r.text[:300]
        assert r.json()["results"]["bindings"][0]["n"]["value"] == expected, q


# --- fuzzed: hypothesis over escapes, comments and prefixed names, guard against the engine --------------

PIECES = [
    "<urn:x\\u0041#>", "<urn:x#'>", "<urn:x\\u0023>", "e:b\\#", "e:b\\'", "e:b\\\"", "e:b%23", "e:\\#\\#",
    "e:a.b", "?a", "?b", "1", "2.5", "<", ">", "<=", "(", ")", ",", ".", ";", "#", "# x\n", "#\r", "\n", "\r",
    "'", '"', "'''", '"""', "\\", "\\u0041", "\"a\\\"#\"", "'a\\'#'", "'''a''#'''", "\"x\"@en", "^^",
    "FILTER(", "BIND(", "IN", "AS ?q", "OPTIONAL {", "}", "{", "a", "SERVICE", "GRAPH ?g {",
]


@st.composite
def disguised_service(draw: st.DrawFn, url: str) -> str:
    """A SERVICE call to `url` behind generated hiders (valid ones, or free pieces that may not be)."""
    pieces = st.sampled_from(HIDERS) if draw(st.booleans()) else st.sampled_from(PIECES + HIDERS)
    before = " ".join(draw(st.lists(pieces, max_size=6)))
    keyword = draw(st.sampled_from(["SERVICE", "service", "SERVICE SILENT"]))
    target = draw(st.sampled_from([f"<{url}>", "ep:", "ep:\\#", "<http://127.1:" + url.split(":")[2] + ">"]))
    sep = draw(st.sampled_from([" ", "\n", "", "\t", "#c\n", "#c\r"]))
    tail = draw(st.sampled_from(TAILS))
    return (f"PREFIX e: <urn:e:> PREFIX ep: <{url}> SELECT * WHERE {{ ?s ?p ?o {before}{sep}{keyword}{sep}"
            f"{target} {{ ?x ?y ?z }}{sep} }} {tail}\n")


def test_fuzzed_disguises_never_reach_the_trap(trap: Trap) -> None:
    """Differential over 600 generated queries: whatever the guard lets through, pyoxigraph (here in the
    test process, with its network) must not connect to the trap. The guard must have something to
    catch: many of the refused queries are ones the engine parses and would send."""
    import pyoxigraph as ox

    from api import sparql_check

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    dead = "http://127.0.0.1:9/sparql"  # nothing listens: a call fails at once, a parse error before it
    caught: list[str] = []

    def engine_calls(query: str) -> bool:
        try:
            result = store.query(query)
            if not isinstance(result, ox.QueryBoolean):
                for _ in zip(range(10), result, strict=False):
                    pass
        except SyntaxError:
            return False
        except (OSError, ValueError, RuntimeError):
            return True
        return True

    @settings(max_examples=600, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(disguised_service(trap.url))
    def run(query: str) -> None:
        try:
            sparql_check.inspect(query, [])
        except (sparql_check.Refused, sparql_check.TooDeep):
            if engine_calls(query.replace(trap.url, dead).replace(f":{trap.port}/", ":9/")):
                caught.append(query)
            return
        before = len(trap.hits)
        engine_calls(query)
        assert len(trap.hits) == before, f"guard let a SERVICE call through: {query!r}"

    run()
    assert len(caught) > 100, f"only {len(caught)} generated queries were valid SERVICE calls"


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(query=st.data())
def test_fuzzed_disguises_over_http(rhttp: httpx.Client, trap: Trap, query: st.DataObject) -> None:
    q = query.draw(disguised_service(trap.url))
    r = rhttp.post("/sparql", data={"query": q})
    assert r.status_code in (400, 403), (q, r.status_code, r.text[:300])
    assert not trap.hits, (q, trap.hits[:1])


# --- the workers' own refusal of the network --------------------------------------------------------------

@pytest.fixture(scope="module")
def unguarded(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose SERVICE guard lets every constant endpoint through (broken_app.create_unguarded_app):
    only the query workers' socket refusal stands between a query and the network."""
    import shutil

    base = tmp_path_factory.mktemp("unguarded")
    shutil.copytree(seeded_store, base / "store")
    srv = start_app(base / "store", base / "server.log", "tests.reliability.broken_app:create_unguarded_app")
    yield srv
    stop_server(srv)


def test_query_workers_cannot_connect_even_without_the_guard(unguarded: Server, trap: Trap) -> None:
    with unguarded.client() as c:
        for q in (f"SELECT * WHERE {{ SERVICE <{trap.url}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE <http://[::1]:{trap.port}/x> {{ ?s ?p ?o }} }}",
                  *bypass_forms(trap.url)[:4]):
            r = c.get("/sparql", params={"query": q})
            assert 400 <= r.status_code < 500, (q, r.status_code, r.text[:300])
            assert r.json()["message"]
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert not trap.hits, trap.hits[:1]
