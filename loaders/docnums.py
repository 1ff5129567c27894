"""Legal and party document numbers in their written forms, with kind, date and issuer.

"68-KH/TU", "16-TB / TW", "107/2020 / NĐ-CP", "01-ĐA / TU" (spaces dropped), and a kind word with
"số" and a bare number ("Kết luận số 34"). The kind comes from the words before the number (read
diacritic-free, so "Nghị quyêt" still reads), else from the code inside the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ontology
from ontology.text import fold

from .dates import DateMention
from .lexicon import load

_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9]{0,7}"
_PARTY = re.compile(rf"(?<![\w/])(\d{{1,4}}[a-z]?)\s*[-–]\s*({_CODE})\s*/\s*"
                    rf"({_CODE}(?:\s*[-–]\s*{_CODE})?)(?![\w])")
_STATE = re.compile(rf"(?<![\w/.])(\d{{1,5}})\s*/\s*(?:((?:19|20)\d{{2}})\s*/\s*)?"
                    rf"({_CODE}(?:\s*[-–]\s*{_CODE})+|"
                    rf"UBTVQH\d*|QH\d+)(?![\w])")
_BARE = re.compile(r"\bsố\s+(\d{1,4})(?![\d/\-–\w])", re.I)


@dataclass
class DocMention:
    start: int
    end: int
    number: str
    kind: str | None
    date: str | None = None
    issuer: str | None = None

    def as_json(self) -> dict:
        out: dict = {"number": self.number}
        if self.kind:
            out["kind"] = self.kind
        if self.date:
            out["date"] = self.date
        if self.issuer:
            out["issuer"] = self.issuer
        return out


@cache
def _kinds() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The document kinds of the vocabulary (ontology/vocab/document-kinds.ttl, the one list): the
    written names of each top kind, matched diacritic-free (a narrower kind such as "Thông báo kết
    luận" reads as its parts, "Thông báo" + "Kết luận", as written), and each kind's codes in a number
    (`bomay:numberCode`), also without their marks ("NĐ", "ND"); a code two kinds share is the top one's."""
    concepts = sorted(ontology.concepts("document-kind"), key=lambda c: (bool(c.broader), c.slug))
    top = [c for c in concepts if not c.broader]
    names = sorted({(fold(label), c.pref_vi) for c in top for label in (c.pref_vi, *c.alt_labels)},
                   key=lambda t: (-len(t[0]), t[0]))
    codes: dict[str, str] = {}
    for c in concepts:
        for code in c.codes:
            for key in (code.upper(), fold(code).upper()):
                codes.setdefault(key, c.pref_vi)
    return names, codes


def _kind_before(text: str, start: int) -> str | None:
    """The kind words just before a number ("Thông báo Kết luận số" → "Thông báo Kết luận")."""
    window = fold(text[max(0, start - 40):start])
    window = re.sub(r"\s*\bso\s*$", "", window)
    names, _ = _kinds()
    found: list[str] = []
    while window:
        for key, name in names:
            if window.endswith(key) and (len(window) == len(key) or window[-len(key) - 1] == " "):
                found.insert(0, name)
                window = window[: -len(key)].rstrip()
                break
        else:
            break
    if not found:
        return None
    return " ".join([found[0]] + [f for f in found[1:]])


@cache
def _issuers() -> list[tuple[str, str]]:
    """(folded, written) issuer names, longest first."""
    return [(fold(i), i) for i in sorted(load("documents")["issuers"], key=len, reverse=True)]


@cache
def _issuing_re() -> re.Pattern[str]:
    written = load("documents")["issuing_verbs"]
    verbs = "|".join(sorted((re.escape(v) for v in written), key=len, reverse=True))
    word = r"(?:[A-ZĐ]\w*|ủy|vụ|chấp|hành|nhân|dân|tỉnh|đảng|bộ)"
    return re.compile(rf"({word}(?:\s+{word})*)\s+(?:đã\s+|vừa\s+)?(?:{verbs})"
                      r"\s+\S+(?:\s+\S+)?\s*(?:số\s*)?$")


def _issuer_after(text: str, end: int) -> str | None:
    """"... của Chính phủ", "... của Ban Chấp hành Trung ương Đảng khóa XII"."""
    m = re.match(r"[^.;]{0,40}?\bcủa\s+", text[end:end + 80])
    if not m or re.search(r"\bvà\b|,", m.group(0)):
        return None
    rest = text[end + m.end():end + m.end() + 80]
    folded = fold(rest)
    for key, issuer in _issuers():
        if folded.startswith(key):
            tail = re.match(rf"\S+(?:\s+\S+){{{len(issuer.split()) - 1}}}(\s+[Kk]hóa\s+[IVXLC]+)?", rest)
            return tail.group(0).strip(" ,.") if tail else issuer
    return None


def _issuer_before(text: str, start: int) -> str | None:
    """"Tỉnh ủy Bắc Ninh vừa ra Kế hoạch số ..." → "Tỉnh ủy Bắc Ninh"."""
    window = text[max(0, start - 120):start]
    m = _issuing_re().search(window)
    if not m:
        return None
    phrase = m.group(1)
    folded = fold(phrase)
    for key, _ in _issuers():
        i = folded.find(key)
        if i >= 0:
            words_before = len(fold(phrase)[:i].split())
            return " ".join(phrase.split()[words_before:])
    return None


def _date_after(end: int, dates: list[DateMention], text: str) -> str | None:
    for d in dates:
        if d.grain == "day" and 0 <= d.start - end <= 12 and re.fullmatch(r"[\s,]*(?:ngày\s*)?",
                                                                            text[end:d.start], re.I):
            return d.value
        if d.grain == "day" and 0 <= d.start - end <= 12 and text[end:d.start].strip(" ,") == "":
            return d.value
    return None


def _date_before(start: int, dates: list[DateMention], text: str) -> str | None:
    """"Ngày 15/11/2022, Ban Thường vụ ... ban hành Kết luận số ...": the date opening the sentence."""
    for d in dates:
        if d.grain == "day" and 0 < start - d.end <= 90:
            between = text[d.end:start]
            if not re.search(r"[.;]", between) and _issuing_re().search(between):
                return d.value
    return None


def find_documents(text: str, dates: list[DateMention]) -> list[DocMention]:
    """Every document number cited, with kind, date and issuer where the text states them."""
    _, codes = _kinds()
    found: list[DocMention] = []
    taken: list[tuple[int, int]] = []
    for rx, style in ((_STATE, "state"), (_PARTY, "party")):
        for m in rx.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            number = re.sub(r"\s+", "", m.group(0)).replace("–", "-")
            code = (m.group(3).split("-")[0] if style == "state" else m.group(2)).replace(" ", "")
            kind = _kind_before(text, m.start()) or codes.get(code.upper()) or codes.get(code)
            found.append(DocMention(m.start(), m.end(), number, kind))
            taken.append((m.start(), m.end()))
    for m in _BARE.finditer(text):
        if any(m.start() < b and a < m.end() for a, b in taken):
            continue
        kind = _kind_before(text, m.start())
        if not kind:
            continue
        found.append(DocMention(m.start(1), m.end(1), m.group(1), kind))
    for doc in found:
        doc.date = _date_after(doc.end, dates, text) or _date_before(doc.start, dates, text)
        doc.issuer = _issuer_before(text, doc.start) or _issuer_after(text, doc.end)
        _as_national(doc)
    found.sort(key=lambda d: d.start)
    return found


@cache
def _national() -> dict[str, dict]:
    return {d["number"].upper(): d for d in load("documents").get("national", [])}


def _as_national(doc: DocMention) -> None:
    """A national document takes its one issuer and date; "Nghị quyết số 19" of a central body its number."""
    table = _national()
    entry = table.get(doc.number.upper())
    if entry is None and doc.number.isdigit() and doc.issuer:
        national = any(w in fold(doc.issuer) for w in map(fold, load("documents")["national_issuer_words"]))
        entry = next((e for e in table.values() if national and e["kind"] == doc.kind
                      and e["number"].split("-")[0] == doc.number), None)
    if entry is None:
        return
    doc.number, doc.kind, doc.issuer = entry["number"], entry["kind"], entry["issuer"]
    if entry.get("date"):
        doc.date = entry["date"]


def unique_documents(mentions: list[DocMention]) -> list[DocMention]:
    """One entry per number; a bare number that begins a full one of the same kind is dropped."""
    by_number: dict[str, DocMention] = {}
    for d in mentions:
        key = d.number.upper()
        if key in by_number:
            kept = by_number[key]
            kept.date = kept.date or d.date
            kept.issuer = kept.issuer or d.issuer
            kept.kind = kept.kind or d.kind
        else:
            by_number[key] = d
    full = [d for d in by_number.values() if not d.number.isdigit()]
    out = []
    for d in by_number.values():
        if d.number.isdigit() and any(f.number.split("-")[0].split("/")[0].lstrip("0") == d.number.lstrip("0")
                                      and (f.kind or "").endswith(d.kind or "") for f in full):
            continue
        out.append(d)
    return out
