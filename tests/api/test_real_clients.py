"""The clients people already point at SPARQL endpoints, against a real server: SPARQLWrapper in every
return format by GET and POST, rdflib's SPARQLStore (select, ask, construct, triples, len), and the
operator's choice for answers past the result limit (refused, or cut and marked as public endpoints do)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from api.config import Settings, SettingsError
from tests.api.conftest import Server, start_on_copy, stop_server

PROVINCE = "https://w3id.org/bomay/ontology#Province"
SELECT = f"SELECT ?s WHERE {{ ?s a <{PROVINCE}> }} ORDER BY ?s LIMIT 3"
ASK = f"ASK {{ ?s a <{PROVINCE}> }}"
CONSTRUCT = f"CONSTRUCT {{ ?s a <{PROVINCE}> }} WHERE {{ ?s a <{PROVINCE}> }} ORDER BY ?s LIMIT 4"
SD = "http://www.w3.org/ns/sparql-service-description#"
API = "https://w3id.org/bomay/api#"


def _wrapper(url: str, query: str, fmt: str, method: str) -> object:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    with warnings.catch_warnings():  # SPARQLWrapper warns about the Accept it falls back to for JSON
        warnings.simplefilter("ignore", RuntimeWarning)
        return client.query().convert()


def _select_subjects(fmt: str, answer: object) -> list[str]:
    if fmt == JSON:
        return [b["s"]["value"] for b in answer["results"]["bindings"]]
    if fmt == XML:
        return [u.firstChild.data for u in answer.getElementsByTagName("uri")]
    sep = "," if fmt == CSV else "\t"
    lines = answer.decode().strip().splitlines()[1:]
    return [ln.split(sep)[0].strip("<>") for ln in lines]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_and_ask_in_every_results_format(server: Server, fmt: str, method: str) -> None:
    subjects = _select_subjects(fmt, _wrapper(server.url, SELECT, fmt, method))
    assert len(subjects) == 3 and all(s.startswith("https://w3id.org/bomay/id/unit/") for s in subjects)
    answer = _wrapper(server.url, ASK, fmt, method)
    if fmt == JSON:
        assert answer["boolean"] is True
    elif fmt == XML:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert answer.decode().split()[-1] == "true"


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML, XML, RDF, JSON])
def test_sparqlwrapper_construct_in_every_graph_format(server: Server, fmt: str, method: str) -> None:
    """JSON-LD sends format= four times under two names, N3 an unknown format with a Turtle Accept, XML and
    JSON mean RDF/XML and JSON-LD for a graph: each answers its graph."""
    answer = _wrapper(server.url, CONSTRUCT, fmt, method)
    if isinstance(answer, bytes):  # Turtle and N3 come back as text: N3 is answered as Turtle
        answer = Graph().parse(io.BytesIO(answer), format="turtle")
    assert len(answer) == 4
    assert {o for _, _, o in answer} == {URIRef(PROVINCE)}


@pytest.mark.parametrize(
    ("params", "accept", "media"),
    [
        ([("format", "no-such"), ("format", "json-ld")], None, "application/ld+json"),
        ([("format", "application/ld+json,application/x-json+ld"), ("output", "json-ld")], None,
         "application/ld+json"),
        ([("output", "nt")], "text/turtle", "application/n-triples"),
        ([("format", "n3")], None, "text/turtle"),
        ([("format", "no-such")], "application/n-triples", "application/n-triples"),
    ],
)
def test_repeated_format_parameters_are_alternatives(
    http: httpx.Client, params: list[tuple[str, str]], accept: str | None, media: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    r = http.get("/sparql", params=[("query", CONSTRUCT), *params], headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)


def test_an_unknown_format_with_an_accept_we_cannot_serve_is_406(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": CONSTRUCT, "format": "no-such"}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "no-such" in r.json()["message"]


@pytest.fixture(scope="module")
def truncating(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that cuts answers at a result limit of 40 instead of refusing them."""
    srv = start_on_copy(seeded_store, tmp_path_factory.mktemp("cut"), BOMAY_RESULT_LIMIT="40",
                        BOMAY_RESULT_OVERFLOW="truncate")
    yield srv
    stop_server(srv)


def test_sparqlstore_against_a_truncating_server(truncating: Server) -> None:
    g = Graph(store=SPARQLStore(truncating.url + "/sparql"))
    assert len(g) > 1000  # a COUNT: one row
    assert len(list(g.triples((None, None, None)))) == 40  # cut at the limit instead of failing
    rows = list(g.query(SELECT))
    assert len(rows) == 3 and all(str(r[0]).startswith("https://w3id.org/bomay/id/unit/") for r in rows)
    assert g.query(ASK).askAnswer is True
    assert len(g.query(CONSTRUCT).graph) == 4


def test_a_cut_answer_is_marked_and_the_policy_described(truncating: Server) -> None:
    with truncating.client() as http:
        cut = http.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert cut.status_code == 200 and cut.headers["X-SPARQL-MaxRows"] == "40"
        assert len(cut.json()["results"]["bindings"]) == 40
        small = http.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
        assert small.status_code == 200 and "X-SPARQL-MaxRows" not in small.headers
        graph = http.get("/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/n-triples"})
        assert graph.status_code == 200 and graph.headers["X-SPARQL-MaxRows"] == "40"
        assert 0 < len(graph.text.strip().splitlines()) <= 40
        sd = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    svc = next(sd.subjects(URIRef(SD + "endpoint"), None))
    assert str(sd.value(svc, URIRef(API + "resultOverflow"))) == "truncate"
    assert int(sd.value(svc, URIRef(API + "resultLimit"))) == 40
    assert str(sd.value(svc, URIRef(API + "truncationHeader"))) == "X-SPARQL-MaxRows"


def test_refusal_stays_the_default_and_is_described(http: httpx.Client) -> None:
    sd = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    svc = next(sd.subjects(URIRef(SD + "endpoint"), None))
    assert str(sd.value(svc, URIRef(API + "resultOverflow"))) == "refuse"


def test_a_bad_overflow_policy_stops_the_server_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOMAY_RESULT_OVERFLOW", "sometimes")
    with pytest.raises(SettingsError, match="BOMAY_RESULT_OVERFLOW"):
        Settings.from_env()
    monkeypatch.setenv("BOMAY_RESULT_OVERFLOW", "Truncate")
    assert Settings.from_env().result_overflow == "truncate"
