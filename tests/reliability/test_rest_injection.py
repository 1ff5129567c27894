"""Injection through every REST parameter is harmless: values are bound as data, never spliced into
SPARQL. Parameters are discovered from the live OpenAPI document, so a new endpoint is covered as soon
as it is published. Every payload starts with "zzq", which matches nothing, so any non-empty answer
means the payload changed the query's logic."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.reliability.conftest import graph_counts
from tests.reliability.netutil import Trap

SKIP_PATHS = ("/sparql", "/graph-store", "/api/articles", "/health", "/explore", "/api/examples", "/static")


def payloads(trap_url: str) -> list[str]:
    return [
        'zzq" } UNION { ?item ?p ?label } #',
        "zzq' } UNION { ?s ?p ?o } #",
        'zzq")) || true || (("',
        'zzq\\" . ?s ?p ?o FILTER(true) #',
        "zzq> } UNION { ?s ?p ?o } <x",
        f"zzq\" }} SERVICE <{trap_url}> {{ ?s ?p ?o }} #",
        'zzq" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } #',
        "zzq\n} UNION {\n?s ?p ?o\n}\n#",
        "zzq%22%20%7D%20UNION%20%7B",
        "zzq' OR '1'='1",
        "zzq<script>alert(1)</script>",
        "zzq\u0000\u202e\ufeff",
        "zzq" + "\u0301" * 50,
        "zzq${7*7}{{7*7}}",
    ]


@pytest.fixture(scope="module")
def trap():
    t = Trap()
    yield t
    t.close()


@pytest.fixture(scope="module")
def spec(rserver) -> dict[str, Any]:
    with rserver.client() as c:
        return c.get("/openapi.json").json()


def _schema_types(schema: dict, spec: dict) -> set[str]:
    if "$ref" in schema:
        target = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return {"enum"} if "enum" in target else _schema_types(target, spec)
    if "anyOf" in schema:
        return set().union(*(_schema_types(s, spec) for s in schema["anyOf"])) - {"null"}
    if schema.get("type") == "array":
        return {"array"}
    if "enum" in schema:
        return {"enum"}
    return {schema.get("type", "string")}


def get_params(spec: dict) -> list[tuple[str, dict, list[dict]]]:
    out = []
    for path, ops in spec["paths"].items():
        if path.startswith(SKIP_PATHS) or "get" not in ops or path.endswith((".json", ".csv")):
            continue
        out.append((path, ops["get"], ops["get"].get("parameters", [])))
    return out


def _fill_required(params: list[dict], skip: str, spec: dict) -> tuple[dict[str, str], dict[str, str]]:
    query, path = {}, {}
    for p in params:
        if p["name"] == skip or not p.get("required"):
            continue
        types = _schema_types(p.get("schema", {}), spec)
        if p["in"] == "path":
            path[p["name"]] = "turtle" if "enum" in types else "zzq"
        else:
            query[p["name"]] = "unit/zzq" if p["name"] == "id" else "zzq"
    return query, path


def _url(path: str, values: dict[str, str]) -> str:
    for k, v in values.items():
        path = path.replace("{" + k + "}", quote(v, safe=""))
        path = path.replace("{" + k + ":path}", quote(v, safe=""))
    return path


def test_the_published_parameters_are_every_parameter_the_rest_routes_declare(spec) -> None:
    """What the injection test discovers from OpenAPI is what the code takes: no route left out."""
    from fastapi.routing import APIRoute

    from api.rest import router

    declared = set()
    for route in router.routes:
        listed = isinstance(route, APIRoute) and "GET" in route.methods
        if listed and not route.path.endswith((".json", ".csv")):
            for p in route.dependant.query_params + route.dependant.path_params:
                declared.add((route.path.replace(":path}", "}"), p.alias))
    published = {(path, p["name"]) for path, _, ps in get_params(spec) for p in ps}
    assert declared and declared <= published


def test_injection_through_every_parameter_is_harmless(rhttp: httpx.Client, spec, trap: Trap) -> None:
    before = graph_counts(rhttp)
    problems: list[str] = []
    tried = 0
    for path, _op, params in get_params(spec):
        for p in params:
            types = _schema_types(p.get("schema", {}), spec)
            query, path_values = _fill_required(params, p["name"], spec)
            for payload in payloads(trap.url):
                if p["in"] == "path":
                    if "enum" in types:
                        continue
                    url = _url(path, {**path_values, p["name"]: payload})
                    params_q = query
                else:
                    url = _url(path, path_values)
                    params_q = {**query, p["name"]: payload}
                tried += 1
                r = rhttp.get(url, params=params_q, headers={"Accept": "application/json"})
                where = f"{path} {p['name']}={payload!r}"
                if r.status_code >= 500:
                    problems.append(f"{where}: {r.status_code} {r.text[:200]}")
                    continue
                if r.status_code >= 400:
                    is_json = "application/json" in r.headers.get("content-type", "")
                    if is_json and not r.json().get("message"):
                        problems.append(f"{where}: error without message")
                    continue
                if "enum" in types or {"integer", "boolean"} & types:
                    problems.append(f"{where}: invalid typed value accepted ({r.status_code})")
                    continue
                ctype = r.headers.get("content-type", "")
                if "json" in ctype and isinstance(r.json(), dict) and "total" in r.json():
                    if r.json()["total"] != 0:
                        problems.append(f"{where}: {r.json()['total']} results for a no-match payload")
                elif path.startswith("/export/") and r.status_code == 200:
                    problems.append(f"{where}: export answered 200 for a filter that matches nothing")
    assert tried > 100
    assert not problems, "\n".join(problems[:20])
    assert graph_counts(rhttp) == before
    assert not trap.hits


@pytest.mark.parametrize("path", ["/api/models/", "/api/places/", "/api/documents/"])
@pytest.mark.parametrize("ident", [
    "..", "../../graph/ontology", "%2e%2e/%2e%2e", "x> ?p ?o } #", "x%3E%20%7D", "a//b", "a b", "<urn:x>",
    "https://evil.example/x", "x\u0000y", "\u202e", "x" * 400,
])
def test_iris_in_paths_are_checked(rhttp: httpx.Client, path: str, ident: str) -> None:
    r = rhttp.get(path + quote(ident, safe="/"))
    assert r.status_code in (400, 404, 422), (r.status_code, r.text[:200])
    assert r.json()["message"]


@pytest.mark.parametrize("ident", ["unit/..", "unit/../../graph", "model/x> ?p ?o } #", "article/<x>",
                                   "legal/" + "x" * 400, "zzz/abc", "unit/%00"])
def test_explorer_graph_ids_are_checked(rhttp: httpx.Client, ident: str) -> None:
    r = rhttp.get("/api/graph", params={"id": ident})
    assert r.status_code in (400, 404, 422), (r.status_code, r.text[:200])


def test_pagination_and_typed_parameters_are_validated(rhttp: httpx.Client) -> None:
    for params in ({"page": 0}, {"page": -1}, {"page": "1e9"}, {"per_page": 0}, {"per_page": 100000},
                   {"page": "1; DROP ALL"}, {"status": "ended' OR '1"}, {"level": "x"}, {"page": 10**30}):
        r = rhttp.get("/api/mergers", params=params)
        assert r.status_code == 422, (params, r.status_code)
        assert r.json()["message"]
