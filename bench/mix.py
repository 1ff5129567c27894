"""The query mix: named .rq files, each bound to parameter values drawn from the generated data.

Parameters are bound by a `VALUES` block placed at the head of the query's WHERE group: every engine
(pyoxigraph, rdflib, Virtuoso, our HTTP /sparql) takes the same text, and the binding comes first so
nested-loop engines (rdflib) start from it instead of filtering a full scan at the end.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from graph.sparql import subquery_where_brace, values_row, where_brace
from graph.terms import IRI

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Query:
    """One runnable instance: a mix entry with its parameters bound (`texts`: run one after another)."""

    name: str
    texts: tuple[str, ...]
    cq: bool
    form: str  # select | construct
    rest: str | None  # REST path for the HTTP service, parameter filled in
    source: str  # the .rq file used


def bind(text: str, values: dict[str, str], paged: bool = False) -> str:
    """The query with `values` as one VALUES row at the head of its WHERE group (an IRI for a value
    that reads as one, else a string), as the API binds its REST queries; a `paged` query's inside the
    subquery that picks the page, as the API's page jobs do (from outside it would see no binding)."""
    if not values:
        return text
    at = subquery_where_brace(text) if paged else where_brace(text)
    terms = {k: IRI(v) if v.startswith(("http://", "https://", "urn:")) else v for k, v in values.items()}
    return text[:at] + values_row(terms) + text[at:]


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def api_filter_vars(mix: dict) -> tuple[set[str], set[str], str]:
    """The API's convention for filters not given (api/rest.py), so both sides run the same text."""
    try:
        from api.rest import FILTER_VARS, IRI_FILTER_VARS, NONE
    except ImportError:
        return set(mix.get("filter_vars", [])), set(), "urn:bomay:none"
    return set(FILTER_VARS), set(IRI_FILTER_VARS), NONE


def load_mix(params: dict, per_query: int = 4, mix_file: Path | None = None) -> list[list[Query]]:
    """One list of bound instances per mix entry, cycling through up to `per_query` parameter values."""
    mix = yaml.safe_load((mix_file or Path(__file__).parent / "queries" / "mix.yaml").read_text())
    filter_vars, iri_filter_vars, none = api_filter_vars(mix)
    out = []
    for e in mix["queries"]:
        path = next((ROOT / f for f in e["files"] if (ROOT / f).exists()), None)
        if path is None:
            raise FileNotFoundError(f"no query file for {e['name']}: {e['files']}")
        files = [path, *(ROOT / f for f in e.get("also", []))]
        raws = [_strip_comments(p.read_text(encoding="utf-8")) for p in files]
        paged = [str(p.relative_to(ROOT)) in e.get("paged", ()) for p in files]
        form = "construct" if re.search(r"\bCONSTRUCT\b", raws[0], re.IGNORECASE) else "select"
        pools = {var: params[pool] for var, pool in e.get("bind", {}).items()}
        n = min(per_query, max((len(p) for p in pools.values()), default=1))
        instances = []
        for i in range(n):
            values = {var: pool[i % len(pool)] for var, pool in pools.items()}
            texts = []
            for raw, in_subquery in zip(raws, paged, strict=True):
                used = {k: v for k, v in values.items() if f"?{k}" in raw}
                for var in filter_vars:
                    if var not in used and re.search(rf"\?{var}\b", raw):
                        used[var] = ""
                for var in iri_filter_vars:
                    if var not in used and re.search(rf"\?{var}\b", raw):
                        used[var] = none
                texts.append(bind(raw, used, in_subquery))
            rest = e.get("rest")
            if rest and values:
                rest = rest.format(id=next(iter(values.values())).removeprefix(e.get("strip", "")))
            instances.append(
                Query(e["name"], tuple(texts), bool(e.get("cq")), form, rest, str(path.relative_to(ROOT)))
            )
        out.append(instances)
    return out


def dump(mix: list[list[Query]], path: Path) -> None:
    """The bound mix as JSON, so workers (restarted after a stuck query) need not rebuild it."""
    path.write_text(json.dumps([[asdict(q) for q in inst] for inst in mix], ensure_ascii=False))


def load_json(path: Path) -> list[list[Query]]:
    return [
        [Query(**{**q, "texts": tuple(q["texts"])}) for q in inst] for inst in json.loads(path.read_text())
    ]
