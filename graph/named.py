"""Named queries: each `graph/queries/<name>.rq` is one question, asked the same way by CLI, REST and tests.

A query declares its parameters in header comments, so that callers (the REST layer, OpenAPI) can list
them without guessing:

    # CQ3 — For a place, every model applied there, as a timeline.
    # param place iri(unit) : the administrative unit
    # param inStatus iri(status)? : optional filter (a trailing `?` marks an optional parameter)
    # paging 50

Types: `iri`, `string`, `integer`. `iri(KIND)` says what the IRI names (graph.resolve.KINDS: unit,
province, model, document, resource, or a vocabulary scheme such as status or level), so a caller may
give its id or words instead (graph.resolve). `# paging N` makes the query a list served in pages of
N rows by default, each page and the total asked of the engine (`page_query`, `count_query`).
Values are bound with VALUES blocks (graph.sparql.bind), never pasted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graph.sparql import bind, slice_query
from graph.sparql import count_query as sparql_count
from graph.store import Store
from graph.terms import IRI, check_iri

QUERY_DIR = Path(__file__).parent / "queries"
_PARAM = re.compile(r"^#\s*param\s+(\w+)\s+(iri|string|integer)(?:\(([\w-]+)\))?(\?)?\s*(?::\s*(.*))?$")
_PAGING = re.compile(r"^#\s*paging\s+(\d+)\s*$")

COMPETENCY_QUESTIONS = (
    "cq1_mergers",
    "cq2_model_places",
    "cq3_place_timeline",
    "cq4_document_decisions",
    "cq5_concurrent_paused",
    "cq6_not_implemented",
    "cq7_provenance",
)


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    required: bool
    doc: str
    names: str | None = None  # for an `iri`: the kind of thing it names (graph.resolve.KINDS)


@dataclass(frozen=True)
class NamedQuery:
    """A `.rq` file: its name, title (first comment line), description, parameters and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    paging: int | None = None  # default rows per page when the query is a paged list

    def values(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and convert the given parameters for binding; raises ValueError on a bad one."""
        known = {p.name: p for p in self.params}
        if not known:  # a query that declares nothing: IRIs by their look, everything else a string
            return {k: IRI(check_iri(str(v))) if str(v).startswith(("http://", "https://")) else str(v)
                    for k, v in given.items() if v not in (None, "")}
        unknown = set(given) - set(known)
        if unknown:
            raise ValueError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for p in self.params:
            value = given.get(p.name)
            if value is None or value == "":
                if p.required:
                    raise ValueError(f"{self.name}: parameter {p.name} is required")
                continue
            if p.type == "iri":
                out[p.name] = IRI(check_iri(str(value)))
            elif p.type == "integer":
                out[p.name] = int(value)
            else:
                out[p.name] = str(value)
        return out


def _parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line)
    params = []
    prose = []
    paging = None
    for line in comments:
        m = _PARAM.match(line.strip())
        if m:
            name, kind, names, optional, doc = m.groups()
            params.append(Param(name, kind, optional is None, (doc or "").strip(), names))
        elif p := _PAGING.match(line.strip()):
            paging = int(p.group(1))
        else:
            prose.append(line.lstrip("#").strip())
    title = prose[0] if prose else path.stem
    return NamedQuery(path.stem, title, " ".join(prose[1:]).strip(), tuple(params), text, paging)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every `.rq` file of graph/queries, by name."""
    return {p.stem: _parse(p) for p in sorted(QUERY_DIR.glob("*.rq"))}


def get(name: str) -> NamedQuery:
    """One named query; KeyError when there is no such file."""
    return named_queries()[name]


def page_query(query: NamedQuery, values: dict[str, Any], page: int, per_page: int) -> str:
    """Text of one page of `query` with checked `values` bound: the page is cut by the engine."""
    return slice_query(bind(query.text, values), per_page, (page - 1) * per_page)


def count_query(query: NamedQuery, values: dict[str, Any]) -> str:
    """Text counting every row of `query` with checked `values` bound (`?total`)."""
    return sparql_count(bind(query.text, values))


def run_named(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of named SELECT query `name` with its declared parameters bound."""
    q = get(name)
    return store.select(q.text, **q.values(params))
