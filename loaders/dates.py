"""Dates and periods in Vietnamese prose → `YYYY-MM-DD`, `YYYY-MM`, `YYYY-Qn` or `YYYY` strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .lexicon import load


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  # "2022-09-23", "2022-10", "2022-Q4", "2023"
    grain: str  # day | month | quarter | year


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(p["grain"], re.compile(p["re"], re.I)) for p in load("dates")["patterns"]]


def _value(grain: str, m: re.Match[str]) -> str | None:
    if grain == "dayless":
        d, mo = int(m.group("d")), int(m.group("m"))
        return f"????-{mo:02d}-{d:02d}" if 1 <= d <= 31 and 1 <= mo <= 12 else None
    y = int(m.group("y"))
    if grain == "year":
        return f"{y:04d}"
    if grain == "quarter":
        q = m.group("q").lower()
        n = load("dates")["roman"].get(q) or int(q)
        return f"{y:04d}-Q{n}"
    mo = int(m.group("m"))
    if not 1 <= mo <= 12:
        return None
    if grain == "month":
        return f"{y:04d}-{mo:02d}"
    d = int(m.group("d"))
    if not 1 <= d <= 31:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Non-overlapping date mentions, finest first where two patterns cover the same words."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for grain, rx in _patterns():
        for m in rx.finditer(text):
            a, b = m.start(), m.end()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            value = _value(grain, m)
            if value:
                found.append(DateMention(a + offset, b + offset, value, grain))
                taken.append((a, b))
    found.sort(key=lambda d: d.start)
    return found


def as_when(value: str) -> str:
    """The `when` of a fact: a day is reported as its month (the gold's granularity for events)."""
    return value[:7] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value


def with_year(dates: list[DateMention], reported: str | None) -> list[DateMention]:
    """Days written without a year get the year of the day reported on (the previous year when the day
    would fall after it); without that day they are left out."""
    out = []
    for d in dates:
        if d.grain != "dayless":
            out.append(d)
        elif reported:
            year = int(reported[:4])
            if f"{year:04d}{d.value[4:]}" > reported:
                year -= 1
            out.append(DateMention(d.start, d.end, f"{year:04d}{d.value[4:]}", "day"))
    return out


def in_force(text: str, dates: list[DateMention]) -> list[DateMention]:
    """The dates that follow an in-force marker ("có hiệu lực kể từ ngày", "đi vào hoạt động từ")."""
    markers = load("dates")["in_force_markers"]
    return [d for d in dates if any(text[max(0, d.start - len(mk) - 2):d.start].rstrip().endswith(mk)
                                    for mk in markers)]
