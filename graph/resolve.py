"""Turning what a user types into the IRI of the thing it names: one resolver for REST, exports and CLI.

A parameter that names a thing accepts its IRI (`https://w3id.org/bomay/id/unit/2023/30`), its id (the
IRI minus `id/`, or minus `id/unit/` / `id/model/` as the REST paths and `*_id` fields give it:
`2023/30`) and its words ("hai duong", "Hải Dương"). Vocabulary concepts (status, level...) accept their
IRI, slug (`not_implemented`) or a label ("chưa thực hiện").

The matching is written once, as a generator (`steps`) that yields the lookups it needs (a named query
and its bindings) and receives their rows: `resolve` drives it on a `Store`, the API drives it through
its query workers (api/resolve.py), so both ask the same queries and choose the same way.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import ontology
from graph.named import NamedQuery, get
from graph.store import Store
from graph.terms import IRI, check_iri
from ontology.namespaces import ID
from ontology.text import fold

BOMAY = "https://w3id.org/bomay/ontology#"
_PROVINCE_CLASSES = {BOMAY + "Province", BOMAY + "CentralCity"}
_LOCAL_ID = re.compile(r"^[A-Za-z0-9._~\-/%]{1,300}$")
# kind → the id prefixes under id/ its things live in (the first is the one REST paths leave out)
PREFIXES: dict[str, tuple[str, ...]] = {
    "unit": ("unit/",),
    "province": ("unit/",),
    "province2025": ("unit/",),  # a province of the 34 after the reform of 1 July 2025
    "model": ("model/",),
    "document": ("", "legal/", "article/"),
    "resource": ("",),
}
KINDS = (*PREFIXES, *ontology.SCHEMES)


@dataclass(frozen=True)
class Lookup:
    """One query the resolver needs answered: a named query (graph/queries) and its bindings."""

    query: str
    bindings: dict[str, Any] = field(default_factory=dict)


Steps = Generator[Lookup, list[dict[str, Any]], Any]


def _nothing(kind: str, text: str) -> LookupError:
    what = {"unit": "place", "province": "province", "province2025": "post-2025 province",
            "model": "pilot model"}.get(kind, kind)
    return LookupError(f"no {what} matches {text!r}")


def identifiers(kind: str, text: str) -> list[str]:
    """The IRIs `text` may be as an identifier of a `kind` thing (an IRI as given; an id under each of
    the kind's prefixes), most likely first; [] when it cannot be one (it has spaces, say)."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        try:
            return [check_iri(text)]
        except ValueError:
            return []
    if not _LOCAL_ID.match(text) or ".." in text.split("/") or "//" in text or "/" not in text:
        return []
    out = []
    for prefix in PREFIXES.get(kind, ("",)):
        iri = str(ID) + (text if text.startswith(prefix) else prefix + text)
        if iri not in out:
            out.append(iri)
    return out


def steps(kind: str, text: str) -> Steps:
    """Resolve `text` to the IRI of a `kind` thing (see KINDS); raises LookupError when nothing matches."""
    if kind in ontology.SCHEMES:
        return _concept(kind, text)
    if kind not in PREFIXES:
        raise ValueError(f"unknown kind of thing {kind!r}")
    given = text.strip()
    ids = identifiers(kind, given)
    if ids:
        rows = yield Lookup("resolve_known", {"iri": [IRI(i) for i in ids]})
        classes: dict[str, set[str]] = {}
        for r in rows:
            classes.setdefault(r["iri"], set()).add(r.get("class") or "")
        for iri in ids:
            if iri in classes and (not kind.startswith("province") or classes[iri] & _PROVINCE_CLASSES):
                if kind != "province2025" or iri.startswith(f"{ID}unit/2025/"):
                    return iri
        if given.startswith(("http://", "https://")) or kind == "resource":
            raise _nothing(kind, text)  # an IRI is not words: no second guess
    q = fold(given)
    if not q or kind == "resource":
        raise _nothing(kind, text)
    if kind in ("unit", "province", "province2025"):
        rows = yield Lookup("resolve_unit", {"q": q})
        if kind == "province2025":
            rows = [r for r in rows if r["unit"].startswith(f"{ID}unit/2025/")]
        return _best_unit(text, q, rows, kind != "unit")
    if kind == "model":
        return _best_by_words(kind, text, q, (yield Lookup("resolve_model", {"q": q})), "model", ("key",))
    return _best_by_words(kind, text, q, (yield Lookup("resolve_document")), "document", ("text",))


def _concept(scheme: str, text: str) -> str:
    """A vocabulary concept by IRI, slug (`not_implemented`, `not-implemented`) or vi/en label."""
    given = text.strip()
    key = fold(given)
    slug = given.rsplit("/", 1)[-1].replace("-", "_")
    for c in ontology.concepts(scheme):
        if given == c.iri or slug == c.slug.replace("-", "_"):
            return c.iri
    for c in ontology.concepts(scheme):
        if key and key in {fold(label) for label in (*c.labels_vi, c.pref_en)}:
            return c.iri
    raise _nothing(scheme, text)


def _best_unit(text: str, q: str, rows: list[dict[str, Any]], province: bool) -> str:
    """Exact name beats "type word + name" beats containment; provinces first when `province`; among
    equals, a unit the articles mention beats a gazetteer-only namesake (the 2023 unit over the 2025 one)."""
    best: dict[str, tuple[int, int, int]] = {}
    for r in rows:
        key = r.get("key") or ""
        score = 0 if key == q else 1 if key.endswith(" " + q) else 2
        cls = 0 if (not province or r.get("class") in _PROVINCE_CLASSES) else 1
        rank = (cls, score, 0 if r.get("mentioned") else 1)
        if r["unit"] not in best or rank < best[r["unit"]]:
            best[r["unit"]] = rank
    if not best or (province and min(best.values())[0] == 1):
        raise _nothing("province" if province else "unit", text)
    return min(best, key=lambda u: (best[u], u))


def _best_by_words(kind: str, text: str, q: str, rows: list[dict[str, Any]], var: str,
                   fields: tuple[str, ...]) -> str:
    """The thing whose folded text (first of `fields` present) equals the words, else the shortest that
    contains them."""
    scored = []
    for r in rows:
        key = fold(next((str(r[f]) for f in fields if r.get(f)), ""))
        if q in key:
            scored.append((0 if key == q else 1, len(key), r[var]))
    if not scored:
        raise _nothing(kind, text)
    return min(scored)[2]


def params_steps(query: NamedQuery, given: dict[str, Any]) -> Steps:
    """The checked values of named query parameters (NamedQuery.values), each `iri(KIND)` parameter
    given as an id or words resolved to its IRI first."""
    out = dict(given)
    for p in query.params:
        value = given.get(p.name)
        if p.type == "iri" and p.names and value not in (None, ""):
            out[p.name] = IRI((yield from steps(p.names, str(value))))
    return query.values(out)


def drive(store: Store, gen: Steps) -> Any:
    """Run resolver steps on `store` and return what they settle on (an IRI, or parameter values)."""
    try:
        lookup = next(gen)
        while True:
            lookup = gen.send(store.select(get(lookup.query).text, **lookup.bindings))
    except StopIteration as done:
        return done.value


def resolve(store: Store, kind: str, text: str) -> str:
    """IRI of the `kind` thing `text` names (IRI, id or words); LookupError when none does."""
    return drive(store, steps(kind, text))


def unit(store: Store, text: str, province: bool = False) -> str:
    """IRI of the administrative unit (a province when `province`) best matching `text`."""
    return resolve(store, "province" if province else "unit", text)


def model(store: Store, text: str) -> str:
    """IRI of the pilot model `text` names (IRI, id or words of its label)."""
    return resolve(store, "model", text)
