"""The Bộ Máy ontology, SKOS vocabularies and SHACL shapes, loaded from the Turtle files beside this module.

Every other layer reads terms and lexicons through load(), terms(), shapes() and concepts(), so the Turtle
files stay the single source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rdflib import RDF, SKOS, Graph, Literal, URIRef

from ontology.namespaces import BOMAY, VOCAB
from ontology.text import fold

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "bomay.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
VOCAB_DIR = HERE / "vocab"

SCHEMES: tuple[str, ...] = (
    "status",
    "model-kind",
    "level",
    "unit-type",
    "document-kind",
    "agency-type",
    "position-type",
)
"""Scheme names accepted by concepts(); each is `https://w3id.org/bomay/vocab/<name>`."""


@dataclass(frozen=True)
class Concept:
    """One SKOS concept, flattened for matching code that should not have to query RDF.

    `slug` is the IRI's local name. `alt_labels` holds every vi altLabel (abbreviations, spelling variants).
    `levels` are level slugs (province, district, commune, village) where the concept exists; `category` is
    party | state | front | mass | association | service | security | community | general ("" if none).
    `triggers` are the Vietnamese cue words of a status or model kind; `codes` are number codes
    (document kinds: "NQ", "KH") or issuer codes (agency types: "TU", "HU") used in document numbers;
    `in_agency_types` are the agency-type IRIs a position belongs to; `central` marks national bodies.
    """

    iri: str
    slug: str
    pref_vi: str
    pref_en: str
    alt_labels: tuple[str, ...]
    scheme: str
    broader: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    category: str = ""
    triggers: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    in_agency_types: tuple[str, ...] = ()
    central: bool = False

    @property
    def labels_vi(self) -> tuple[str, ...]:
        """The vi prefLabel followed by every vi altLabel."""
        return (self.pref_vi, *self.alt_labels)


def vocab_files() -> list[Path]:
    """The vocabulary Turtle files, in a stable order."""
    return sorted(VOCAB_DIR.glob("*.ttl"))


@lru_cache(maxsize=1)
def _loaded() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_FILE, format="turtle")
    for path in vocab_files():
        graph.parse(path, format="turtle")
    return graph


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=False)
    return out


def load() -> Graph:
    """The ontology and every vocabulary as one new graph (a copy: callers may add to it)."""
    return _copy(_loaded())


@lru_cache(maxsize=1)
def _terms() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def terms() -> Graph:
    """The OWL ontology alone (classes and properties, no vocabularies): what validation mixes in."""
    return _copy(_terms())


def shapes() -> Graph:
    """The SHACL shapes graph used to validate each article's named graph."""
    return _copy(_shapes())


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def _text(graph: Graph, node: URIRef, prop: URIRef, lang: str | None) -> list[str]:
    return sorted(
        str(o) for o in graph.objects(node, prop)
        if isinstance(o, Literal) and (lang is None or o.language == lang)
    )


LEVELS: tuple[str, ...] = ("province", "district", "commune", "village")
"""Level slugs from the top down."""


def _level_rank(slug: str) -> tuple[int, str]:
    return (LEVELS.index(slug) if slug in LEVELS else len(LEVELS), slug)


def _local(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


@cache
def _concepts(scheme: str) -> tuple[Concept, ...]:
    if scheme not in SCHEMES:
        raise KeyError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    graph = _loaded()
    scheme_iri = URIRef(VOCAB[scheme])
    out = []
    for node in sorted(set(graph.subjects(SKOS.inScheme, scheme_iri))):
        if (node, RDF.type, SKOS.Concept) not in graph:
            continue
        pref_vi = _text(graph, node, SKOS.prefLabel, "vi")
        pref_en = _text(graph, node, SKOS.prefLabel, "en")
        alts = _text(graph, node, SKOS.altLabel, "vi")
        codes = _text(graph, node, BOMAY.numberCode, None) + _text(graph, node, BOMAY.issuerCode, None)
        category = _text(graph, node, BOMAY.category, None)
        out.append(Concept(
            iri=str(node),
            slug=_local(node),
            pref_vi=pref_vi[0] if pref_vi else "",
            pref_en=pref_en[0] if pref_en else "",
            alt_labels=tuple(sorted(alts)),
            scheme=scheme,
            broader=tuple(sorted(str(b) for b in graph.objects(node, SKOS.broader))),
            levels=tuple(sorted((_local(lv) for lv in graph.objects(node, BOMAY.atLevel)), key=_level_rank)),
            category=category[0] if category else "",
            triggers=tuple(_text(graph, node, BOMAY.trigger, None)),
            codes=tuple(dict.fromkeys(codes)),
            in_agency_types=tuple(sorted(str(a) for a in graph.objects(node, BOMAY.inAgencyType))),
            central=any(o.toPython() is True for o in graph.objects(node, BOMAY.central)),
        ))
    return tuple(out)


def concepts(scheme: str) -> list[Concept]:
    """Every concept of one scheme ("status", "agency-type", ...), sorted by IRI."""
    return list(_concepts(scheme))


@cache
def _by_label(scheme: str) -> dict[str, tuple[Concept, ...]]:
    index: dict[str, list[Concept]] = {}
    for c in _concepts(scheme):
        for label in c.labels_vi:
            bucket = index.setdefault(fold(label), [])
            if c not in bucket:
                bucket.append(c)
    return {key: tuple(found) for key, found in index.items()}


def by_label(scheme: str) -> dict[str, tuple[Concept, ...]]:
    """Concepts of a scheme keyed by `ontology.text.fold` of each vi label (pref and alt).

    Folding drops diacritics, so a key can name more than one concept ("trưởng ban" / "trưởng bản"): callers
    that have the original text should prefer the concept whose label matches it exactly.
    """
    return dict(_by_label(scheme))


def concept(scheme: str, slug: str) -> Concept:
    """One concept by its scheme and local name, e.g. concept("status", "paused")."""
    for c in _concepts(scheme):
        if c.slug == slug:
            return c
    raise KeyError(f"no concept {slug!r} in scheme {scheme!r}")


__all__ = [
    "LEVELS", "Concept", "SCHEMES", "by_label", "concept", "concepts",
    "load", "shapes", "terms", "vocab_files",
]
