"""The project's own copy of the scoring rule (written from the shared scorer's documented semantics).

A predicted fact matches a gold one when kind, status and level are equal, the places name the same
unit (type words and diacritics ignored), and the words of all components together overlap with a
token F1 of at least 0.6 (abbreviations expanded, function words ignored). Matching is one-to-one,
gold facts in order, each taking the first unused prediction that fits. Documents are compared by
number with spaces removed, case ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EXPAND = {
    "hđnd": "hội đồng nhân dân", "ubnd": "ủy ban nhân dân", "mttq": "mặt trận tổ quốc",
    "ubkt": "ủy ban kiểm tra", "btv": "ban thường vụ", "đbqh": "đại biểu quốc hội",
    "ubmttq": "ủy ban mặt trận tổ quốc", "tw": "trung ương", "ttyt": "trung tâm y tế",
}
TYPE_WORDS = ["thanh pho truc thuoc trung uong", "thanh pho", "thi xa", "thi tran", "tinh", "huyen",
              "quan", "xa", "phuong"]
IGNORED = {"cap", "va", "cac", "cua", "thuoc", "voi", "la", "dong", "thoi", "kiem", "nhiem"}


def _plain(text: str | None) -> str:
    low = unicodedata.normalize("NFC", text or "").lower()
    low = re.sub(r"\w+", lambda m: EXPAND.get(m.group(0), m.group(0)), low).replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", low) if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", bare))


def place_of(place: dict | str | None) -> str:
    name = place.get("name", "") if isinstance(place, dict) else place
    key = _plain(name)
    for word in TYPE_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1:]
    return key


def words_of(components: list[str] | None) -> set[str]:
    return {w for c in components or [] for w in _plain(c).split() if w not in IGNORED}


def overlap(a: set[str], b: set[str]) -> float:
    shared = len(a & b)
    return 2 * shared / (len(a) + len(b)) if shared else 0.0


def same(gold: dict, pred: dict) -> bool:
    return all(gold.get(k) == pred.get(k) for k in ("kind", "status", "level")) \
        and place_of(gold.get("place")) == place_of(pred.get("place")) \
        and overlap(words_of(gold.get("components")), words_of(pred.get("components"))) >= 0.6


@dataclass
class Score:
    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def f1(self) -> float:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: dict, predictions: list[dict]) -> dict[str, Score]:
    """Facts and documents scores over every gold document."""
    by_id = {str(d["id"]): d for d in predictions}
    facts, docs = Score(), Score()
    for doc_id, g in gold.items():
        p = by_id.get(str(doc_id), {})
        gm, pm = g.get("models", []), p.get("models", [])
        free = list(range(len(pm)))
        for gf in gm:
            hit = next((i for i in free if same(gf, pm[i])), None)
            if hit is not None:
                free.remove(hit)
                facts.matched += 1
        facts.predicted += len(pm)
        facts.gold += len(gm)
        gd = {re.sub(r"\s+", "", d["number"]).upper() for d in g.get("documents", [])}
        pd = {re.sub(r"\s+", "", str(d.get("number", ""))).upper() for d in p.get("documents", [])}
        docs.matched += len(gd & pd)
        docs.predicted += len(pd)
        docs.gold += len(gd)
    return {"facts": facts, "documents": docs}
