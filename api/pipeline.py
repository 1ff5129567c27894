"""The article pipeline: bytes → checked NFC text → facts → the article's named graph → SHACL payload.

One path for every caller: the API (api/articles.py), its ingest worker processes (api/ingest_pool.py),
the CLI (`bomay extract`, `bomay ingest`), the tests' seeders and the bench, so that they accept and
refuse the same texts and build the same graph from them.

It lives in `api/` because it joins `loaders` (extraction, RDF) and `graph` (SHACL validation,
graph/validation.py), which never import each other: only the wiring layer may import both. It imports
no FastAPI, so worker processes and the CLI load it without the web stack; a text it refuses raises
`ArticleRefused`, which carries the HTTP status the API answers with and the one line the CLI prints.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph.validation import ValidationReport, validate_graph
from loaders.extract import extract_document
from loaders.lexicon import load
from loaders.normalise import ArticleMeta, html_to_text, looks_like_html
from loaders.rdf import facts_to_graph
from ontology.namespaces import BOMAY, ID
from ontology.namespaces import article_graph as article_graph_iri

# An article id: the file name without its extension, or the API's `id`; no "." or ".." ids.
DOC_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
# The deepest element nesting read as HTML (a deeper page is refused before any parsing).
MAX_HTML_DEPTH = 512


class ArticleRefused(ValueError):
    """A text this service does not read: `status` for HTTP, `code` for machines, a vi / en `message`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Meta:
    """Metadata given beside the text (the API's JSON fields); the text's own header lines fill the rest."""

    title: str | None = None
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Article:
    """A decoded, checked article: NFC text and its id."""

    doc_id: str
    text: str
    meta: Meta = field(default_factory=Meta)


# --- decoding -----------------------------------------------------------------------------------------

def decode_utf8(raw: bytes) -> str:
    """UTF-8 text, a leading byte-order mark dropped."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleRefused(400, "bad_encoding", "Nội dung không phải UTF-8. / Not valid UTF-8.") from None


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Void elements never close; these may legally leave their end tag out, so they do not nest.
_FLAT_TAGS = frozenset(
    "area base br col embed hr img input link meta source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rt rp".split()
)


def html_depth(raw: str) -> int:
    """Deepest element nesting, counted from the tags alone: cheap enough to run before any parsing.

    A tag runs from `<name` to the next `>`. That next `>` is found once and reused by every `<` before
    it, so the count is linear in the text (a regex looking for the `>` from each `<` is quadratic).
    """
    depth = deepest = 0
    pos, gt = 0, -1
    while (lt := raw.find("<", pos)) >= 0:
        if gt < lt:
            gt = raw.find(">", lt)
            if gt < 0:
                break  # no tag closes after this point
        m = _TAG_NAME.match(raw, lt, gt)
        if m is None:
            pos = lt + 1
            continue
        closing, name = m.groups()
        pos = gt + 1
        if raw[gt - 1] == "/" or name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _check_depth(raw: str) -> None:
    if html_depth(raw) > MAX_HTML_DEPTH:
        raise ArticleRefused(
            400, "bad_html", f"HTML lồng quá sâu (hơn {MAX_HTML_DEPTH} cấp). / HTML nested too deeply."
        )


def html_text(raw: str) -> str:
    """The visible text of an HTML page (refused when nested deeper than MAX_HTML_DEPTH).

    After the last `>` no tag can close, so its `<` are text: escaped, they read the same, and the HTML
    parser does not retry a tag at each of them (seconds for a page of unclosed `<a`)."""
    _check_depth(raw)
    last = raw.rfind(">") + 1
    return html_to_text(raw[:last] + raw[last:].replace("<", "&lt;"))


def is_vietnamese(text: str) -> bool:
    """The one rule, in loaders/lexicons/language.yaml: enough letters, enough of them Vietnamese-only
    (ă, ơ, ư, đ, tone marks), in any Unicode form."""
    lex = load("language")
    marks = set(lex["vietnamese_letters"])
    letters = [c for c in unicodedata.normalize("NFC", text).lower() if c.isalpha()]
    n = sum(1 for c in letters if c in marks)
    return len(letters) >= lex["min_letters"] and n >= max(lex["min_count"], lex["min_share"] * len(letters))


def check_text(text: str) -> str:
    """NFC text, trimmed; refused when empty, binary, HTML nested too deep, or not Vietnamese."""
    if "\x00" in text:
        raise ArticleRefused(400, "binary", "Nội dung nhị phân, không phải văn bản. / Binary, not text.")
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise ArticleRefused(400, "empty", "Bài báo rỗng. / Empty article.")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    if controls > len(text) // 100 + 1:
        raise ArticleRefused(400, "binary", "Nội dung có ký tự điều khiển, có vẻ là nhị phân. / "
                                            "Control characters: looks binary.")
    if looks_like_html(text):
        _check_depth(text)
    if not is_vietnamese(text):
        raise ArticleRefused(
            422,
            "not_vietnamese",
            "Văn bản không phải tiếng Việt (hoặc quá ngắn). / Text is not Vietnamese (or too short).",
        )
    return text


def decode(raw: bytes, media_type: str = "text/plain") -> str:
    """The checked text of a body or a file: `text/plain` (HTML in it is read by the extractor, after
    any metadata header lines) or `text/html` (its visible text)."""
    body = decode_utf8(raw)
    return check_text(html_text(body) if media_type == "text/html" else body)


# --- ids ----------------------------------------------------------------------------------------------

def content_hash(text: str) -> str:
    """SHA-256 (hex) of the checked text: the same article under two ids has the same hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_id(doc_id: str) -> str:
    """`doc_id` when it is an article id (DOC_ID: it becomes part of IRIs)."""
    if not DOC_ID.match(doc_id):
        raise ArticleRefused(400, "bad_id", "Định danh chỉ gồm chữ, số, '_', '.', '-' (tối đa 100). / "
                                            "An id is letters, digits, '_', '.', '-' (100 at most).")
    return doc_id


def article_id(text: str, given: str | None = None) -> str:
    """The id policy: the given id, else `api_` and the start of the text's hash."""
    return check_id(given) if given is not None else "api_" + content_hash(text)[:16]


def id_of_path(path: str | Path) -> str:
    """A file's article id: its name without the extension."""
    name = Path(path).name
    return name.rsplit(".", 1)[0] if "." in name else name


def read_file(path: str | Path) -> Article:
    """The article in a file, read as a `text/plain` body is; ArticleRefused's message names the file."""
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
        return Article(check_id(id_of_path(path)), decode(raw, "text/plain"))
    except OSError as e:
        raise ArticleRefused(400, "unreadable", f"{name}: không đọc được tệp / cannot read file "
                                                f"({e.strerror or e})") from None
    except ArticleRefused as e:
        raise ArticleRefused(e.status, e.code, f"{name}: {e.message}") from None


# --- facts, graph, validation -------------------------------------------------------------------------

def _day(published: str | None) -> str | None:
    """The day of a publication time that starts with one (YYYY-MM-DD...)."""
    return published[:10] if published and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", published) else None


def article_facts(text: str, doc_id: str, meta: Meta | None = None) -> dict[str, Any]:
    """The facts JSON of one checked article (ARCHITECTURE.md "Facts JSON"); the given title, source URL
    and publication day are province and date signals."""
    meta = meta or Meta()
    given = ArticleMeta(source=meta.url, title=meta.title, date=_day(meta.published))
    return extract_document(text, doc_id, given)


@dataclass
class ArticleGraph:
    """One article's facts (the facts JSON) and its named graph."""

    doc_id: str
    iri: str
    facts: dict[str, Any]
    graph: Graph
    text_hash: str


def article_graph(text: str, doc_id: str, meta: Meta | None = None) -> ArticleGraph:
    """Facts and named graph of one checked article (CPU work: call in a thread or a worker)."""
    return graph_of_facts(article_facts(text, doc_id, meta), text, meta)


def graph_of_facts(facts: dict[str, Any], text: str, meta: Meta | None = None) -> ArticleGraph:
    """The named graph of an article's facts: beside them, the given title, a publication time that is not
    a day, and the text's hash (bomay:textHash, how a second copy under another id is found)."""
    meta = meta or Meta()
    doc_id = facts["id"]
    graph = facts_to_graph(facts, text)
    article = URIRef(ID[f"article/{doc_id}"])
    if meta.title:
        graph.set((article, DCTERMS.title, Literal(meta.title)))
    if meta.published and not _day(meta.published):  # a day is written by facts_to_graph as xsd:date
        graph.add((article, DCTERMS.issued, Literal(meta.published)))
    digest = content_hash(text)
    graph.add((article, BOMAY.textHash, Literal(digest)))
    return ArticleGraph(doc_id, str(article_graph_iri(doc_id)), facts, graph, digest)


@dataclass(frozen=True)
class ValidatedArticle:
    """What crosses from an ingest worker to the writer: the facts, the SHACL report and, for a graph that
    conforms, its N-Triples (nothing else is ever written)."""

    doc_id: str
    iri: str
    facts: dict[str, Any]
    ntriples: bytes
    triples: int
    validation: ValidationReport
    text_hash: str


def validated(text: str, doc_id: str, meta: Meta | None = None) -> ValidatedArticle:
    """`article_graph` and its SHACL report, the graph as N-Triples when it conforms."""
    built = article_graph(text, doc_id, meta)
    report = validate_graph(built.graph)
    body = built.graph.serialize(format="nt", encoding="utf-8") if report.conforms else b""
    return ValidatedArticle(built.doc_id, built.iri, built.facts, body, len(built.graph), report,
                            built.text_hash)
