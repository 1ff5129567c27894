"""Segmentation with character offsets: title, headings, paragraphs, sentences and clauses.

Articles put one paragraph per line; list headings ("1. Mô hình tạm dừng thí điểm:") open a
section whose status the paragraphs under it inherit, whatever their numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .lexicon import load
from .normalise import Prepared


@dataclass
class Clause:
    """A stretch of a sentence between semicolons."""

    start: int
    end: int


@dataclass
class Sentence:
    start: int
    end: int
    clauses: list[Clause] = field(default_factory=list)


@dataclass
class Paragraph:
    """One line of the article: the title, a heading, or body text; `section` indexes its heading."""

    start: int
    end: int
    kind: str  # "title" | "heading" | "para"
    section: int | None
    sentences: list[Sentence] = field(default_factory=list)
    item: bool = False  # opened with list numbering or a bullet ("1.", "-", "•")


def _item_marker() -> re.Pattern[str]:
    return re.compile(load("segment")["item_marker"], re.I)


def _is_heading(line: str, body: str) -> bool:
    """Short line ending with a colon, or numbered and without a final full stop."""
    limit = load("segment")["heading_max_chars"]
    if len(line) > limit:
        return False
    if line.endswith(":") and ". " not in line[:-1]:
        return True
    numbered = body != line
    return numbered and not line.endswith((".", ";", ",")) and len(line) < 100


def _is_title(line: str) -> bool:
    """The first line is a title when it is short and one sentence; many pages open with the lead."""
    if line.endswith(".") or re.match(r"\([^)]{1,30}\)\s*[-–]", line):
        return False  # "(Outlet) - Ngày 1/8, ... ." is the lead; titles end without a full stop
    return len(line) <= load("segment")["title_max_chars"] and len(split_sentences(line, 0, len(line))) == 1


def split_sentences(text: str, start: int, end: int) -> list[Sentence]:
    """Sentences of text[start:end]: a stop (. ! ? …) then a space and an upper-case or digit."""
    no_break = set(load("segment")["no_break_before"])
    out: list[Sentence] = []
    s = start
    for m in re.finditer(r"[.!?…]+[ \u00a0]+", text[start:end]):
        cut = start + m.end()
        nxt = text[cut:cut + 1]
        if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"“'([;"):
            continue
        word = re.search(r"(\S+)$", text[s:start + m.start()])
        if word and word.group(1).lower().strip(".") in no_break and m.group(0).startswith(". "):
            continue
        out.append(Sentence(s, start + m.start() + len(m.group(0).rstrip())))
        s = cut
    if s < end and text[s:end].strip():
        out.append(Sentence(s, end))
    for sent in out:
        sent.clauses = split_clauses(text, sent.start, sent.end)
    return out


@cache
def _clause_break() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in load("segment")["clause_breaks"])
    return re.compile(rf";|,?\s(?:{words})\s")


def split_clauses(text: str, start: int, end: int) -> list[Clause]:
    """Parts of a sentence between semicolons or a contrast ("..., nhưng ..."), punctuation trimmed."""
    out: list[Clause] = []
    s = start
    rx = _clause_break()
    while s < end:
        m = rx.search(text, s, end)
        i, nxt = (m.start(), m.end()) if m else (end, end + 1)
        a, b = s, i
        while a < b and text[a] in " ;,.\u00a0":
            a += 1
        while b > a and text[b - 1] in " \u00a0":
            b -= 1
        if b > a:
            out.append(Clause(a, b))
        s = nxt
    return out


def segment(doc: Prepared) -> list[Paragraph]:
    """Paragraphs of the article body (title first), skipping chrome lines, with sentences."""
    text = doc.match
    marker = _item_marker()
    dropped = {a for a, _ in doc.dropped}
    paras: list[Paragraph] = []
    section: int | None = None
    pos = 0
    for raw_line in text[: doc.body_end].split("\n"):
        line_start, pos = pos, pos + len(raw_line) + 1
        if line_start in dropped:
            continue
        stripped = raw_line.strip()
        if not stripped:
            continue
        a = line_start + (len(raw_line) - len(raw_line.lstrip()))
        b = a + len(stripped)
        m = marker.match(stripped)
        body_a = a + (m.end() if m else 0)
        body = text[body_a:b]
        if not paras and _is_title(stripped):
            kind = "title"
        elif _is_heading(stripped, body if m else stripped):
            kind = "heading"
        else:
            kind = "para"
        if kind == "heading":
            section = len(paras)
        para = Paragraph(body_a if kind != "title" else a, b, kind, section if kind == "para" else None)
        para.item = bool(m)
        para.sentences = split_sentences(text, para.start, para.end)
        paras.append(para)
    return paras
