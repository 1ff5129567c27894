"""Remote store: any SPARQL 1.1 Query/Update endpoint, plus the Graph Store Protocol when present.

Written against what real servers do, Virtuoso 7.2 in particular: queries go by GET (or form POST when
long) since a raw `application/sparql-query` POST can hang; graphs are sent as N-Triples (its Turtle
loader mangles some escapes); blank nodes are not allowed in its INSERT DATA, so the update fallback uses
INSERT {...} WHERE {}; updates may need Digest auth (`/sparql-auth`). Virtuoso's default graph is already
the union of all graphs; its own system graphs are left out of `graphs()`.

Configuration (environment): BOMAY_SPARQL_URL (query endpoint), BOMAY_SPARQL_UPDATE_URL (default: the
query URL), BOMAY_SPARQL_GSP_URL (Graph Store Protocol endpoint, optional), BOMAY_SPARQL_USER,
BOMAY_SPARQL_PASSWORD, BOMAY_SPARQL_AUTH (`digest` or `basic`, default digest), BOMAY_SPARQL_TIMEOUT
(seconds, default 60), BOMAY_SPARQL_GSP_PARAM (the graph parameter's name: `graph` by the standard,
`graph-uri` for Virtuoso's /sparql-graph-crud-auth).
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
from rdflib import Graph

from graph.formats import negotiate
from graph.sparql import bind, query_form
from graph.store import BOMAY_GRAPHS, NotAcceptable, QueryError, Store
from graph.terms import check_iri, json_binding_term, json_binding_value

_GET_LIMIT = 4000
_DISTINCT = re.compile(r"(?i)^\s*SELECT\s+DISTINCT\b", re.MULTILINE)  # longer queries go as a form POST


class RemoteStore(Store):
    """A SPARQL 1.1 server reached over HTTP."""

    kind = "remote"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth_scheme: str = "digest",
        timeout: float = 60.0,
        gsp_param: str = "graph",
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.gsp_param = gsp_param
        auth: httpx.Auth | None = None
        if user is not None:
            auth = (
                httpx.BasicAuth(user, password or "")
                if auth_scheme == "basic"
                else httpx.DigestAuth(user, password or "")
            )
        self._http = httpx.Client(timeout=timeout, auth=auth)

    @classmethod
    def from_env(cls, query_url: str | None = None) -> RemoteStore:
        """Build from BOMAY_SPARQL_* environment variables (see module docstring)."""
        env = os.environ
        url = query_url or env["BOMAY_SPARQL_URL"]
        return cls(
            url,
            update_url=env.get("BOMAY_SPARQL_UPDATE_URL"),
            gsp_url=env.get("BOMAY_SPARQL_GSP_URL"),
            user=env.get("BOMAY_SPARQL_USER"),
            password=env.get("BOMAY_SPARQL_PASSWORD"),
            auth_scheme=env.get("BOMAY_SPARQL_AUTH", "digest").lower(),
            timeout=float(env.get("BOMAY_SPARQL_TIMEOUT", "60")),
            gsp_param=env.get("BOMAY_SPARQL_GSP_PARAM", "graph"),
        )

    # -- HTTP ------------------------------------------------------------------------------------------
    def _get(self, query: str, accept: str, default_graph_uris=(), named_graph_uris=()) -> httpx.Response:
        params: dict[str, str | list[str]] = {"query": query}
        if default_graph_uris:
            params["default-graph-uri"] = [check_iri(u) for u in default_graph_uris]
        if named_graph_uris:
            params["named-graph-uri"] = [check_iri(u) for u in named_graph_uris]
        headers = {"Accept": accept}
        if len(query) > _GET_LIMIT:  # form POST (a raw application/sparql-query body hangs Virtuoso 7.2)
            resp = self._http.post(self.query_url, data=params, headers=headers)
        else:
            resp = self._http.get(self.query_url, params=params, headers=headers)
        self._check(resp)
        return resp

    @staticmethod
    def _check(resp: httpx.Response) -> None:
        if resp.status_code in (400, 422) or (resp.status_code == 500 and "SPARQL" in resp.text[:500]):
            raise QueryError(resp.text.strip()[:2000])
        resp.raise_for_status()

    def _results(self, query: str) -> dict:
        return self._get(query, "application/sparql-results+json").json()

    # -- writing ---------------------------------------------------------------------------------------
    def replace_graph(self, iri: str, graph: Graph) -> int:
        """Graph Store PUT of N-Triples when a GSP endpoint is configured, else one SPARQL update request."""
        check_iri(iri)
        body = graph.serialize(format="nt", encoding="utf-8")
        if self.gsp_url:
            resp = self._http.put(
                self.gsp_url, params={self.gsp_param: iri}, content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            if resp.status_code not in (200, 201, 204):
                self._check(resp)
                raise QueryError(f"graph store refused PUT: {resp.status_code} {resp.text[:300]}")
            return len(graph)
        triples = body.decode("utf-8")
        self.update(f"DROP SILENT GRAPH <{iri}> ;\nINSERT {{ GRAPH <{iri}> {{\n{triples}\n}} }} WHERE {{}}")
        return len(graph)

    def drop_graph(self, iri: str) -> bool:
        existed = self.has_graph(iri)
        if existed:
            self.update(f"DROP SILENT GRAPH <{check_iri(iri)}>")
        return existed

    def update(self, sparql: str) -> None:
        resp = self._http.post(self.update_url, data={"update": sparql})
        self._check(resp)

    # -- reading ---------------------------------------------------------------------------------------
    def graphs(self) -> dict[str, int]:
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?g), ?prefix)) } GROUP BY ?g",
            prefix=BOMAY_GRAPHS,
        )
        return {r["g"]: r["n"] for r in rows}

    def select(self, query: str, **bindings: Any) -> list[dict[str, Any]]:
        data = self._results(bind(query, bindings))
        if "results" not in data:
            raise QueryError("select() needs a SELECT query")
        names = data["head"]["vars"]
        rows = [
            {n: json_binding_value(row[n]) if n in row else None for n in names}
            for row in data["results"]["bindings"]
        ]
        if _DISTINCT.search(query):
            # Virtuoso 7.2 can return identical rows under SELECT DISTINCT (seen with OPTIONAL + UNION)
            seen: set[tuple] = set()
            unique = []
            for row in rows:
                key = tuple(row.values())
                if key not in seen:
                    seen.add(key)
                    unique.append(row)
            rows = unique
        return rows

    def ask(self, query: str, **bindings: Any) -> bool:
        data = self._results(bind(query, bindings))
        if "boolean" not in data:
            raise QueryError("ask() needs an ASK query")
        return bool(data["boolean"])

    def construct(self, query: str, **bindings: Any) -> Graph:
        resp = self._get(bind(query, bindings), "application/n-triples")
        out = Graph()
        media = resp.headers.get("content-type", "").split(";")[0].strip()
        if media in ("application/sparql-results+json", "application/json"):
            # some servers answer CONSTRUCT with s/p/o result rows
            for row in resp.json()["results"]["bindings"]:
                out.add(tuple(json_binding_term(row[k]) for k in ("s", "p", "o")))
            return out
        out.parse(data=resp.content, format="nt" if "triples" in media or media == "text/plain" else media)
        return out

    def run(self, query, accept=None, default_graph_uris=(), named_graph_uris=()) -> tuple[bytes, str]:
        kind = "graph" if query_form(query) in ("CONSTRUCT", "DESCRIBE") else "results"
        media = negotiate(accept, kind)
        if media is None:
            raise NotAcceptable(accept or "")
        resp = self._get(query, media, default_graph_uris, named_graph_uris)
        got = resp.headers.get("content-type", media).split(";")[0].strip()
        return resp.content, got

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "query_url": self.query_url, "update_url": self.update_url,
                "gsp_url": self.gsp_url}

    def close(self) -> None:
        self._http.close()

