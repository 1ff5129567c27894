"""Where a position (post) or an agency phrase starts, and their canonical keys.

Head words come from loaders/lexicons/roles.yaml and, when the ontology's SKOS schemes are
present, from the agency-type and position-type concepts' labels and altLabels.
"""

from __future__ import annotations

import re
from functools import cache

from ontology.text import fold

from .lexicon import load


def _vocab_labels(scheme: str) -> list[tuple[str, str, list[str]]]:
    """(iri, preferred Vietnamese label, all labels) of a SKOS scheme, or [] if not available."""
    try:
        import ontology

        concepts = ontology.concepts(scheme)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the vocabulary is optional for recognition
        return []
    out = []
    for c in concepts:
        labels = [c.pref_vi] + list(getattr(c, "alt_labels", []) or [])
        out.append((str(c.iri), c.pref_vi, [lb for lb in labels if lb]))
    return out


def _vocab_heads(kind: str) -> set[str]:
    """Multi-word labels of the SKOS scheme (single words are too loose: "bộ" in "bộ máy")."""
    lex = load("roles")
    skip = set(lex.get(f"{kind}_vocab_skip", []))
    out = set()
    for iri, _, labels in _vocab_labels(f"{kind}-type"):
        if iri.rsplit("/", 1)[-1] in skip:
            continue
        for lb in labels:
            low = lb.lower()
            if len(low.split()) > 1 and not re.search(r"[,;]", low):
                out.add(low)
    return out


@cache
def _heads(kind: str) -> re.Pattern[str]:
    words = {w.lower() for w in load("roles")[f"{kind}_heads"]} | _vocab_heads(kind)
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


def position_head(low: str, pos: int = 0, endpos: int | None = None,
                  anchored: bool = False) -> re.Match | None:
    """The first position head word in low[pos:endpos] (or exactly at `pos` when anchored)."""
    rx = _heads("position")
    end = len(low) if endpos is None else endpos
    return rx.match(low, pos, end) if anchored else rx.search(low, pos, end)


def agency_head(low: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
    """An agency head word exactly at `pos` ("văn phòng", "sở", "trung tâm", "ubnd" ...)."""
    end = len(low) if endpos is None else endpos
    return _heads("agency").match(low, pos, end)


@cache
def bridges() -> list[str]:
    """Fixed expressions whose comma or "và" does not end a phrase ("thôn, khu dân cư")."""
    return [b.lower() for b in load("roles")["bridges"]]


def expand(text: str) -> str:
    """Abbreviations written out ("UBND" → "ủy ban nhân dân"), for keys and comparisons."""
    table = load("roles")["abbreviations"]
    return re.sub(r"[\wđĐ]+", lambda m: table.get(m.group(0).lower(), m.group(0)), text)


@cache
def component_key(text: str) -> str:
    """Canonical key of a component: folded, abbreviations expanded, leading "các" dropped."""
    key = re.sub(r"^(?:cac|nhung) ", "", fold(expand(text)))
    rest = key[len("co quan "):]
    if key.startswith("co quan ") and any(rest.startswith(h + " ") for h in _folded_heads()):
        key = rest  # "cơ quan Văn phòng Huyện ủy" is the office itself
    return key


@cache
def _folded_heads() -> tuple[str, ...]:
    return tuple(fold(expand(h)) for h in load("roles")["agency_heads"] if fold(h) != "co quan")


@cache
def _concept_index() -> dict[str, str]:
    """Folded label → concept IRI for every agency/position label (the first concept keeps a label)."""
    index: dict[str, str] = {}
    for scheme in ("position-type", "agency-type"):
        for iri, _, labels in _vocab_labels(scheme):
            for lb in labels:
                key = component_key(lb)
                if key:
                    index.setdefault(key, iri)
    return index


@cache
def concept_of(component: str) -> str | None:
    """The SKOS concept (agency or position type) whose longest label opens the component, if any."""
    words = component_key(component).split()
    index = _concept_index()
    for n in range(len(words), 0, -1):
        iri = index.get(" ".join(words[:n]))
        if iri:
            return iri
    return None


@cache
def canonical_key(component: str) -> str:
    """Key that identifies a component across articles: the concept's IRI when a vocabulary label
    covers it (up to level qualifiers such as "cấp huyện", "Huyện ủy"), else its folded text."""
    words = component_key(component).split()
    index = _concept_index()
    quals = set(load("roles")["qualifiers"])
    for n in range(len(words), 0, -1):
        iri = index.get(" ".join(words[:n]))
        if iri:
            if all(w in quals for w in words[n:]):
                return iri
            break
    return " ".join(words)


def denoted(component: str) -> list[str]:
    """The components a phrase denotes: "Văn phòng HĐND và UBND huyện" is the offices of both bodies
    ("Văn phòng HĐND huyện", "Văn phòng UBND huyện"); any other phrase denotes itself."""
    parts = {p.lower() for p in load("relations")["merger"]["shared_office_parts"]}
    m = re.match(r"(?i)(văn phòng)\s+(.+?)(?:\s*[-–,]\s*|\s+và\s+)(.+)$", component.strip())
    if m and m.group(2).lower() in parts and m.group(3).split()[0].lower() in parts | {"ubnd", "hđnd"}:
        tail = m.group(3)
        return [f"{m.group(1)} {m.group(2)} {' '.join(tail.split()[1:])}".strip(), f"{m.group(1)} {tail}"]
    return [component]


def model_keys(components: list[str]) -> list[str]:
    """The sorted, distinct keys that identify a model by its components.

    "Văn phòng HĐND và UBND huyện" counts as the offices of both bodies (`denoted`), so "Văn phòng Huyện
    ủy với Văn phòng HĐND và UBND" and "Văn phòng Huyện ủy – HĐND – UBND" are one model.
    """
    return sorted({canonical_key(part) for comp in components for part in denoted(comp)})


def distinct_components(components: list[str]) -> list[tuple[str, str]]:
    """(text, key) of each component a model's phrases denote, once per key, in the canonical order
    (`component_rank`, then the key): one order whichever article words the model."""
    seen: dict[str, str] = {}
    for comp in components:
        for part in denoted(comp):
            seen.setdefault(canonical_key(part), part)
    return sorted(((text, key) for key, text in seen.items()), key=lambda tk: (component_rank(tk[0]), tk[1]))


@cache
def _ranks() -> dict[str, int]:
    """Concept IRI → position of its family in `component_order` (roles.yaml)."""
    try:
        import ontology

        found = [c for s in ("agency-type", "position-type") for c in ontology.concepts(s)]
    except Exception:  # noqa: BLE001 - the vocabulary is optional for recognition
        return {}
    lex = load("roles")
    order = lex["component_order"]
    by_iri = {c.iri: c for c in found}
    council = {c.iri for c in found if c.slug in set(lex["council_roots"])}

    def under_council(iri: str, seen: frozenset[str] = frozenset()) -> bool:
        c = by_iri.get(iri)
        if iri in council:
            return True
        if c is None or iri in seen:
            return False
        return any(under_council(up, seen | {iri}) for up in (*c.broader, *c.in_agency_types))

    ranks = {}
    for c in found:
        family = "council" if under_council(c.iri) else "committee" if c.category == "state" else c.category
        if family == "general" and c.in_agency_types:  # a post takes the family of its body
            up = by_iri.get(c.in_agency_types[0])
            family = "committee" if up and up.category == "state" else (up.category if up else family)
        ranks[c.iri] = order.index(family) if family in order else len(order)
    return ranks


def component_rank(component: str) -> int:
    """Where a component stands in a model's label: party, council, committee, front, mass
    organisations... (`component_order` in roles.yaml); unknown components last."""
    order = load("roles")["component_order"]
    general, last = order.index("general"), len(order)
    ranks = _ranks()
    words = component.split()
    found = [ranks.get(concept_of(" ".join(words[i:])) or "", last) for i in range(len(words))]
    # a general post ("người đứng đầu", "Giám đốc") takes the family of the body named after it
    return next((r for r in found if r < general), min(found, default=last))


@cache
def _categories() -> dict[str, str]:
    try:
        import ontology

        schemes = ("position-type", "agency-type")
        return {str(c.iri): c.category for s in schemes for c in ontology.concepts(s)}
    except Exception:  # noqa: BLE001 - the vocabulary is optional for recognition
        return {}


def category_of(component: str) -> str:
    """The family of a post or agency (party, state, front, ...) from its vocabulary concept, or ""."""
    iri = concept_of(component)
    return _categories().get(iri, "") if iri else ""
