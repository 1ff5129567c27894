"""Counts and shares as written: "10/12", "12/12", "1.263 / 1.333" → "1.263/1.333", "20,4%"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"(?:\d{1,3}(?:\.\d{3})+|\d+)"
_RATIO = re.compile(rf"(?<![\d.,/])({_NUM})\s*/\s*({_NUM})(?![\d/]|\s*/\s*\d)")
_PERCENT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*%")
# "50 trong tổng số 88 thôn", "50 trên tổng số 88", "50 trong số 88": a ratio in words
_RATIO_WORDS = re.compile(rf"(?<![\d.,/])({_NUM})\s+(?:trong|trên)\s+(?:tổng\s+)?số\s+({_NUM})(?![\d/])",
                          re.I)
_BEFORE_PERIOD = re.compile(r"(?:tháng|quý|số)\s*$", re.I)


@dataclass(frozen=True)
class CountMention:
    start: int
    end: int
    value: str
    denominator_unit: str  # the noun after the count ("huyện", "xã"), lower-case, or ""


def find_counts(text: str, offset: int = 0) -> list[CountMention]:
    """Ratios ("10/12 huyện") and percentages, excluding month/year dates and document numbers."""
    out: list[CountMention] = []
    for m in _RATIO.finditer(text):
        a, b = m.group(1), m.group(2)
        if _BEFORE_PERIOD.search(text[max(0, m.start() - 8):m.start()]):
            continue
        if re.fullmatch(r"(?:19|20)\d{2}", b):
            continue  # 10/2022 is a month, 107/2020 part of a decree number
        if re.match(r"\s*[-–]?\s*[A-ZĐ]{2}", text[m.end():m.end() + 4]):
            continue  # "123/QĐ-UBND"
        noun = re.match(r"\s*([^\W\d]+(?:\s+[^\W\d]+)?)", text[m.end():m.end() + 30])
        out.append(CountMention(m.start() + offset, m.end() + offset, f"{a}/{b}",
                                noun.group(1).lower() if noun else ""))
    for m in _RATIO_WORDS.finditer(text):
        noun = re.match(r"\s*([^\W\d]+(?:\s+[^\W\d]+)?)", text[m.end():m.end() + 30])
        out.append(CountMention(m.start() + offset, m.end() + offset, f"{m.group(1)}/{m.group(2)}",
                                noun.group(1).lower() if noun else ""))
    for m in _PERCENT.finditer(text):
        out.append(CountMention(m.start() + offset, m.end() + offset, f"{m.group(1)}%", ""))
    out.sort(key=lambda c: c.start)
    return out
