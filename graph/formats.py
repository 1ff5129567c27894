"""Media types the stores answer in, and picking one from an Accept header (with q-values)."""

from __future__ import annotations

RESULTS_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
    "application/json+ld": "application/ld+json",
}
DEFAULT = {"results": "application/sparql-results+json", "graph": "text/turtle"}


def _parse_accept(accept: str) -> list[tuple[float, int, str]]:
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((q, i, media))
    ranked.sort(key=lambda t: (-t[0], t[1]))
    return ranked


def negotiate(accept: str | None, kind: str) -> str | None:
    """Best media type of `kind` (`results` for SELECT/ASK, `graph` for CONSTRUCT/DESCRIBE) for `accept`.

    Returns None when the header admits nothing we can write (the caller answers 406).
    """
    table = RESULTS_TYPES if kind == "results" else GRAPH_TYPES
    if not accept:
        return DEFAULT[kind]
    for q, _, media in _parse_accept(accept):
        if q <= 0:
            continue
        media = ALIASES.get(media, media)
        if media in table:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return DEFAULT[kind]
    return None
