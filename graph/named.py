"""Named queries: each `graph/queries/<name>.rq` is one question, asked the same way by CLI, REST and tests.

A query declares its parameters in header comments, so that callers (the REST layer, OpenAPI) can list
them without guessing:

    # CQ3 — For a place, every model applied there, as a timeline.
    # param place iri : the administrative unit
    # param inStatus iri? : optional filter (a trailing `?` marks an optional parameter)

Types: `iri`, `string`, `integer`. Values are bound with VALUES blocks (graph.sparql.bind), never pasted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graph.store import Store
from graph.terms import IRI, check_iri

QUERY_DIR = Path(__file__).parent / "queries"
_PARAM = re.compile(r"^#\s*param\s+(\w+)\s+(iri|string|integer)(\?)?\s*(?::\s*(.*))?$")

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


@dataclass(frozen=True)
class NamedQuery:
    """A `.rq` file: its name, title (first comment line), description, parameters and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

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
    for line in comments:
        m = _PARAM.match(line.strip())
        if m:
            params.append(Param(m.group(1), m.group(2), m.group(3) is None, (m.group(4) or "").strip()))
        else:
            prose.append(line.lstrip("#").strip())
    title = prose[0] if prose else path.stem
    return NamedQuery(path.stem, title, " ".join(prose[1:]).strip(), tuple(params), text)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every `.rq` file of graph/queries, by name."""
    return {p.stem: _parse(p) for p in sorted(QUERY_DIR.glob("*.rq"))}


def get(name: str) -> NamedQuery:
    """One named query; KeyError when there is no such file."""
    return named_queries()[name]


def run_named(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of named SELECT query `name` with its declared parameters bound."""
    q = get(name)
    return store.select(q.text, **q.values(params))
