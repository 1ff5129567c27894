"""Turning what a user types ("Bắc Ninh", "thuan thanh", an IRI) into the IRI of a unit or a model."""

from __future__ import annotations

from graph.named import get
from graph.store import Store
from graph.terms import IRI
from ontology.text import fold

_PROVINCE_CLASSES = {"https://w3id.org/bomay/ontology#Province", "https://w3id.org/bomay/ontology#CentralCity"}


def _in_articles(store: Store, iri: str) -> bool:
    return store.ask(get("in_articles").text, r=IRI(iri))


def unit(store: Store, text: str, province: bool = False) -> str:
    """IRI of the administrative unit best matching `text`; LookupError when none does.

    Exact name beats "type word + name" beats containment; provinces first when `province`; among equals,
    a unit the articles mention beats a gazetteer-only namesake (e.g. the 2023 unit over the 2025 one).
    """
    if text.startswith(("http://", "https://")):
        return text
    q = fold(text)
    if not q:
        raise LookupError(f"no place matches {text!r}")
    rows = store.select(get("resolve_unit").text, q=q)
    best: dict[str, tuple] = {}
    for r in rows:
        key = r["key"] or ""
        score = 0 if key == q else 1 if key.endswith(" " + q) else 2
        cls = 0 if (not province or r["class"] in _PROVINCE_CLASSES) else 1
        rank = (cls, score)
        if r["unit"] not in best or rank < best[r["unit"]]:
            best[r["unit"]] = rank
    if not best:
        raise LookupError(f"no place matches {text!r}")
    top = min(best.values())
    candidates = sorted(u for u, rank in best.items() if rank == top)
    mentioned = [u for u in candidates if _in_articles(store, u)]
    return (mentioned or candidates)[0]


def model(store: Store, text: str) -> str:
    """IRI of the pilot model whose label best matches `text` (folded words); LookupError when none."""
    if text.startswith(("http://", "https://")):
        return text
    q = fold(text)
    scored = []
    for r in store.select(get("resolve_model").text):
        key = r.get("key") or fold(r.get("label") or "")
        if q and q in key:
            scored.append((0 if key == q else 1, len(key), r["model"]))
    if not scored:
        raise LookupError(f"no pilot model matches {text!r}")
    return min(scored)[2]
