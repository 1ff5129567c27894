"""Content negotiation for SPARQL answers: Accept with q-values and several types, and `format=`.

Clients such as SPARQLWrapper send the format several times and under several names, as Virtuoso and
Fuseki read them (`format=json-ld&format=application/ld+json,application/x-json+ld&output=json-ld&
results=...`): every value of `format`, `output` and `results`, each possibly a comma list, is an
alternative; the first one we serve wins, and when none is known the Accept header decides (an
unknown name never turns a request we can satisfy into a 406). N3 is answered as Turtle, a subset of it.
"""

from __future__ import annotations

from collections.abc import Sequence

# key → (media type, other media types that mean the same)
RESULT_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "json": ("application/sparql-results+json", ("application/json",)),
    "xml": ("application/sparql-results+xml", ("application/xml", "text/xml")),
    "csv": ("text/csv", ()),
    "tsv": ("text/tab-separated-values", ()),
}
GRAPH_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "turtle": ("text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                               "application/n3")),
    "ntriples": ("application/n-triples", ("text/plain",)),
    "jsonld": ("application/ld+json", ("application/json",)),
    "rdfxml": ("application/rdf+xml", ("application/xml", "text/xml")),
    "trig": ("application/trig", ()),
    "nquads": ("application/n-quads", ()),
}
FORMAT_ALIASES = {
    "srj": "json",
    "srx": "xml",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "owl": "rdfxml",
    "nq": "nquads",
    "n-quads": "nquads",
    "text": "tsv",
    "n3": "turtle",
}
# Names that mean a graph format when the answer is a graph (SPARQLWrapper's XML and JSON for CONSTRUCT).
GRAPH_ALIASES = {"xml": "rdfxml", "json": "jsonld"}
# The protocol parameters clients name the format with (Virtuoso's `format`, Fuseki's `output`/`results`).
FORMAT_PARAMS = ("format", "output", "results")


class NotAcceptable(Exception):
    """No offered format satisfies the request (HTTP 406)."""


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """[(media range, q, position)] with malformed parts skipped; empty header means */*."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for pos, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out or [("*/*", 1.0, 0)]


def _match(media: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int] | None:
    """(q, specificity, position) of the most specific range that covers `media`."""
    major = media.split("/")[0]
    best = None
    for rng, q, pos in ranges:
        if rng == media:
            spec = 3
        elif rng == f"{major}/*":
            spec = 2
        elif rng == "*/*":
            spec = 1
        else:
            continue
        if best is None or spec > best[1]:
            best = (q, spec, pos)
    return best


def _named(formats: dict[str, tuple[str, tuple[str, ...]]], name: str) -> str | None:
    """Key of the format `name` means (a key, alias or media type, parameters dropped), or None."""
    f = name.split(";")[0].strip().lower()
    if formats is GRAPH_FORMATS:
        f = GRAPH_ALIASES.get(f, f)
    f = FORMAT_ALIASES.get(f, f)
    if f in formats:
        return f
    for key, (media, alts) in formats.items():
        if f == media or f in alts:
            return key
    return None


def negotiate(
    formats: dict[str, tuple[str, tuple[str, ...]]],
    accept: str | None,
    fmt: str | Sequence[str] | None = None,
) -> str:
    """Key of the chosen format: the first `format=` value we serve wins (a key, alias or media type;
    several values, or comma lists, are alternatives), else the Accept header."""
    given = [fmt] if isinstance(fmt, str) else list(fmt or ())
    wanted = [w for value in given for w in value.split(",") if w.strip()]
    for name in wanted:
        key = _named(formats, name)
        if key is not None:
            return key
    try:
        return _by_accept(formats, accept)
    except NotAcceptable:
        if wanted:
            raise NotAcceptable(
                f"Định dạng '{', '.join(wanted)[:200]}' không hỗ trợ; chọn một trong: {', '.join(formats)}. "
                "/ Unsupported format."
            ) from None
        raise


def _by_accept(formats: dict[str, tuple[str, tuple[str, ...]]], accept: str | None) -> str:
    """Key of the format the Accept header prefers (q-values, specificity, order)."""
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int, str] | None = None
    for order, (key, (media, alts)) in enumerate(formats.items()):
        for m in (media, *alts):
            hit = _match(m, ranges)
            if hit is None or hit[0] <= 0:
                continue
            q, spec, pos = hit
            score = (q, 1 if m == media else 0, -pos if spec == 3 else -999, -order, key)
            if best is None or score[:4] > best[:4]:
                best = score
    if best is None:
        offered = ", ".join(m for m, _ in formats.values())
        raise NotAcceptable(f"Không có định dạng phù hợp với Accept; hỗ trợ: {offered}. / Not acceptable.")
    return best[4]
