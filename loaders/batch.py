"""Reading article files for `bomay extract`: one clear message per file that cannot be used."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .lexicon import load


class ArticleError(ValueError):
    """A file that is not a readable Vietnamese article; the message is Vietnamese / English."""


@dataclass(frozen=True)
class Article:
    doc_id: str
    text: str


def doc_id_of(path: str | Path) -> str:
    """The file name without its extension."""
    return Path(path).name.rsplit(".", 1)[0] if "." in Path(path).name else Path(path).name


def is_vietnamese(text: str) -> bool:
    """Enough letters with Vietnamese-only marks (ă, ơ, ư, đ, tone marks), in any Unicode form."""
    lex = load("language")
    marks = set(lex["vietnamese_letters"])
    letters = [c for c in unicodedata.normalize("NFC", text).lower() if c.isalpha()]
    if not letters:
        return False
    n = sum(1 for c in letters if c in marks)
    return n >= lex["min_count"] and n / len(letters) >= lex["min_share"]


def read_article(path: str | Path) -> Article:
    """The article in `path` as NFC-ready text; raises ArticleError with a bilingual message."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ArticleError(f"{name}: không đọc được tệp / cannot read file ({e.strerror or e})") from None
    if not data.strip():
        raise ArticleError(f"{name}: tệp rỗng / empty file")
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{name}: tệp nhị phân, không phải văn bản / binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleError(f"{name}: không phải văn bản UTF-8 / not UTF-8 text") from None
    if not is_vietnamese(text):
        raise ArticleError(f"{name}: không phải văn bản tiếng Việt / not Vietnamese text")
    return Article(doc_id_of(path), text)


def facts_table(facts: dict) -> str:
    """A plain-text table of one document's facts, for reading at a terminal."""
    rows = [("kind", "status", "level", "place", "when", "count", "components")]
    for f in facts["models"]:
        rows.append((f["kind"], f["status"], f["level"] or "-", f["place"].get("name") or "-",
                     f["when"] or "-", f["count"] or "-", " + ".join(f["components"])))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = [f"# {facts['id']} ({facts.get('province') or '?'}): {len(facts['models'])} facts, "
             f"{len(facts['documents'])} documents"]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=True)) + "  " + r[6])
    for d in facts["documents"]:
        lines.append("  doc: " + ", ".join(f"{k}={v}" for k, v in d.items()))
    return "\n".join(lines)
