"""The formats answers are written in, and choosing one from a request: the one table the stores, the
query workers, the API and the exports read.

Each entry is pyoxigraph's own format (it knows its media type and file extension, and writes the bytes)
with what else names it: other media types clients send for it, short names for `format=`, and rdflib's
name for the few answers rdflib writes. Clients such as SPARQLWrapper send the format several times and
under several names, as Virtuoso and Fuseki read them (`format=json-ld&format=application/ld+json&
output=json-ld&results=...`): every name given is an alternative, the first one served wins, and when none
is known the Accept header decides (an unknown name never turns a request we can satisfy into a 406).
N3 is answered as Turtle, a subset of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

Kind = Literal["results", "graph"]


class NotAcceptable(ValueError):
    """No format we write satisfies the request (HTTP 406)."""


@dataclass(frozen=True)
class Format:
    """One answer format: `key` is the name the API, the worker jobs and the exports use."""

    key: str
    kind: Kind
    ox: ox.RdfFormat | ox.QueryResultsFormat
    also: tuple[str, ...] = ()  # other media types that mean this format
    names: tuple[str, ...] = ()  # other `format=` names
    rdflib: str | None = None  # rdflib's serializer name (graph formats)

    @property
    def media(self) -> str:
        """The media type without parameters ("text/csv")."""
        return self.ox.media_type.split(";")[0].strip()

    @property
    def content_type(self) -> str:
        """The Content-Type of an answer: text types say their charset, UTF-8."""
        return f"{self.media}; charset=utf-8" if self.media.startswith("text/") else self.media

    @property
    def extension(self) -> str:
        return self.ox.file_extension

    @property
    def iri(self) -> str:
        """Its name in the W3C's formats namespace, as a service description states it."""
        return "http://www.w3.org/ns/formats/" + self.ox.iri.rsplit("/", 1)[1]

    @property
    def datasets(self) -> bool:
        """Whether the format keeps named graphs (TriG, N-Quads)."""
        return self.kind == "graph" and self.ox in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


RESULT_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("json", "results", ox.QueryResultsFormat.JSON, ("application/json",), ("srj",)),
        Format("xml", "results", ox.QueryResultsFormat.XML, ("application/xml", "text/xml"), ("srx",)),
        Format("csv", "results", ox.QueryResultsFormat.CSV),
        Format("tsv", "results", ox.QueryResultsFormat.TSV, (), ("text",)),
    )
}
GRAPH_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("turtle", "graph", ox.RdfFormat.TURTLE,
               ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
               ("ttl", "n3"), "turtle"),
        Format("ntriples", "graph", ox.RdfFormat.N_TRIPLES, ("text/plain",), ("nt", "n-triples"), "nt"),
        Format("jsonld", "graph", ox.RdfFormat.JSON_LD, ("application/json", "application/json+ld"),
               ("json-ld",), "json-ld"),
        Format("rdfxml", "graph", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml"),
               ("rdf", "rdf+xml", "owl"), "xml"),
        Format("trig", "graph", ox.RdfFormat.TRIG, (), (), "trig"),
        Format("nquads", "graph", ox.RdfFormat.N_QUADS, (), ("nq", "n-quads"), "nquads"),
    )
}
FORMATS: dict[Kind, dict[str, Format]] = {"results": RESULT_FORMATS, "graph": GRAPH_FORMATS}
# Names that mean a graph format when the answer is a graph (SPARQLWrapper's XML and JSON for CONSTRUCT).
_GRAPH_NAMES = {"xml": "rdfxml", "json": "jsonld"}


def by_media(media: str, kind: Kind) -> Format | None:
    """The format a media type (parameters ignored) or one of its other names means."""
    m = media.split(";")[0].strip().lower()
    return next((f for f in FORMATS[kind].values() if m == f.media or m in f.also), None)


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """[(media range, q, position)] with malformed parts skipped; an empty header means */*."""
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


def named(name: str, kind: Kind) -> Format | None:
    """The format `name` means: a key, a short name or a media type (parameters dropped)."""
    n = name.split(";")[0].strip().lower()
    if kind == "graph":
        n = _GRAPH_NAMES.get(n, n)
    table = FORMATS[kind]
    if n in table:
        return table[n]
    return next((f for f in table.values() if n in f.names), None) or by_media(n, kind)


def negotiate(accept: str | None, kind: Kind, format: str | Sequence[str] | None = None) -> Format:
    """The format to answer in: the first `format` name we write wins (several values, or comma lists,
    are alternatives), else the Accept header's preference (q-values, then specificity, then order)."""
    given = [format] if isinstance(format, str) else list(format or ())
    wanted = [w for value in given for w in value.split(",") if w.strip()]
    for name in wanted:
        found = named(name, kind)
        if found is not None:
            return found
    try:
        return _by_accept(accept, kind)
    except NotAcceptable:
        if wanted:
            raise NotAcceptable(
                f"Định dạng '{', '.join(wanted)[:200]}' không hỗ trợ; chọn một trong: "
                f"{', '.join(FORMATS[kind])}. / Unsupported format."
            ) from None
        raise


def _by_accept(accept: str | None, kind: Kind) -> Format:
    ranges = parse_accept(accept)
    best: tuple[tuple[float, int, int, int], Format] | None = None
    for order, f in enumerate(FORMATS[kind].values()):
        for m in (f.media, *f.also):
            hit = _match(m, ranges)
            if hit is None or hit[0] <= 0:
                continue
            q, spec, pos = hit
            score = (q, 1 if m == f.media else 0, -pos if spec == 3 else -999, -order)
            if best is None or score > best[0]:
                best = (score, f)
    if best is None:
        offered = ", ".join(f.media for f in FORMATS[kind].values())
        raise NotAcceptable(f"Không có định dạng phù hợp với Accept; hỗ trợ: {offered}. / Not acceptable.")
    return best[1]
