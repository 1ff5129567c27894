"""Text normalisation that keeps offsets: the facts cite spans of the NFC text as given.

`prepare()` returns the document text (NFC, or the text of an HTML page) and a *matching* copy of
exactly the same length with tone marks in the modern placement ("uỷ" → "ủy") and odd spaces made
plain. Rules read the matching copy; evidence is cut from the document text at the same offsets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser

from ontology.text import fold, nfc

from .lexicon import load

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\r\f\v]")
_HTML_HINT = re.compile(r"<\s*(?:html|body|p|div|article|br|span|h[1-6]|!doctype)\b", re.I)


_HEADER = re.compile(r"#[ \t]*([^\n:]{1,20}):[ \t]*([^\n]*)\n?")


@dataclass(frozen=True)
class ArticleMeta:
    """Metadata given beside the text: header lines of the file, or the fields of an API request."""

    source: str | None = None
    date: str | None = None  # YYYY-MM-DD as given
    title: str | None = None

    def merged(self, other: ArticleMeta | None) -> ArticleMeta:
        """This metadata with the gaps filled from `other` (explicit fields win over header lines)."""
        if other is None:
            return self
        return replace(self, **{k: v for k, v in vars(other).items() if v and not getattr(self, k)})


@cache
def _header_keys() -> dict[str, str]:
    return {fold(w): key for key, words in load("article")["header_keys"].items() for w in words}


def split_header(text: str) -> tuple[ArticleMeta, int]:
    """The metadata header lines opening `text` and where the article text starts after them."""
    fields: dict[str, str] = {}
    at = 0
    keys = _header_keys()
    while True:
        m = _HEADER.match(text, at)
        if not m or fold(m.group(1)) not in keys:
            break
        fields.setdefault(keys[fold(m.group(1))], m.group(2).strip())
        at = m.end()
    date = fields.get("date")
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        date = None
    return ArticleMeta(fields.get("source") or None, date, fields.get("title") or None), at


@dataclass(frozen=True)
class Prepared:
    """A document ready for segmentation: `text` for evidence, `match` (same length) for rules.

    `text` starts after the metadata header lines, so evidence offsets count from there."""

    text: str
    match: str
    body_end: int
    dropped: tuple[tuple[int, int], ...]
    meta: ArticleMeta = field(default_factory=lambda: ArticleMeta())


def looks_like_html(raw: str) -> bool:
    """True when the input is an HTML page or fragment rather than plain text."""
    return bool(_HTML_HINT.search(raw[:5000]))


class _TextExtractor(HTMLParser):
    """Collects visible article text; skips scripts, forms, navigation and comment/share widgets."""

    _SKIP = {"head", "script", "style", "noscript", "form", "nav", "footer", "header", "aside", "button",
             "select", "textarea", "svg", "iframe", "template"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "blockquote", "title", "ul", "ol", "table", "figcaption", "dd", "dt"}
    _CHROME_CLASS = re.compile(r"comment|share|social|rating|related|sidebar|breadcrumb|menu|footer|"
                               r"advert|banner|widget|reply", re.I)
    _VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
             "track", "wbr", "param"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")
        if tag in self._VOID:
            return
        attr = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        skip = tag in self._SKIP or bool(self._CHROME_CLASS.search(attr))
        self._stack.append(skip)
        if skip:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        if self._stack:
            if self._stack.pop():
                self._skip_depth -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(raw: str) -> str:
    """Visible text of an HTML page, one block per line, site chrome left out."""
    parser = _TextExtractor()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # noqa: BLE001 - malformed markup: keep what was read
        pass
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def matching_copy(text: str) -> str:
    """Same-length copy for matching: modern tone placement, plain spaces (falls back to `text`)."""
    m = _SPACES.sub(" ", nfc(text))
    return m if len(m) == len(text) else _SPACES.sub(" ", text)


def _chrome(text: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """Where the article body ends (comment forms follow) and which short lines are site chrome."""
    lex = load("chrome")
    ends = [fold(p) for p in lex["end"]]
    drops = [fold(p) for p in lex["drop"]]
    body_end = len(text)
    dropped: list[tuple[int, int]] = []
    pos = 0
    seen_body = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if len(line) > 80:
            seen_body += 1
            continue
        key = fold(line)
        if not key:
            continue
        short = len(key) <= 60
        if short and seen_body >= 2 and any(key.startswith(e) for e in ends):
            body_end = start
            break
        if short and any(key == d or key.startswith(d + " ") for d in drops):
            dropped.append((start, start + len(line)))
            continue
        seen_body += 1
    return body_end, tuple(dropped)


def prepare(raw: str) -> Prepared:
    """NFC document text (metadata header split off, HTML turned into text) plus its matching copy
    and chrome marks."""
    text = unicodedata.normalize("NFC", raw)
    meta, at = split_header(text)
    text = text[at:]
    if looks_like_html(text):
        text = unicodedata.normalize("NFC", html_to_text(text))
    body_end, dropped = _chrome(text)
    return Prepared(text=text, match=matching_copy(text), body_end=body_end, dropped=dropped, meta=meta)
