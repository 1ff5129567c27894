"""The level of government a model works at, from "cấp X" phrases and the components' own words."""

from __future__ import annotations

import re
from functools import cache

from .lexicon import load


@cache
def _explicit() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for level, phrases in load("levels")["explicit"].items():
        for p in phrases:
            out.append((re.compile(rf"(?<!\w){re.escape(p)}(?!\w)"), level))
    return out


@cache
def _words() -> re.Pattern[str]:
    table = {w: lv for lv, ws in load("levels")["words"].items() for w in ws}
    alts = "|".join(re.escape(w) for w in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


@cache
def _word_level() -> dict[str, str]:
    return {w: lv for lv, ws in load("levels")["words"].items() for w in ws}


def order() -> list[str]:
    return list(load("levels")["order"])


def explicit_levels(text: str) -> list[tuple[int, int, str]]:
    """"cấp tỉnh", "cấp huyện" ... in `text`, as (start, end, level), in text order."""
    low = text.lower()
    found = [(m.start(), m.end(), lv) for rx, lv in _explicit() for m in rx.finditer(low)]
    found.sort()
    out: list[tuple[int, int, str]] = []
    for f in found:
        if out and f[0] < out[-1][1]:
            continue
        out.append(f)
    return out


@cache
def enumeration_regex() -> re.Pattern[str]:
    """"cấp tỉnh, cấp huyện", "cấp tỉnh và huyện", "cấp tỉnh, huyện": a list of levels in running text.
    A bare level word that opens the next clause ("cấp huyện, tỉnh đã ...") is not part of it."""
    openers = "|".join(re.escape(w) for w in load("levels")["clause_openers"])
    return re.compile(r"cấp\s+(?:tỉnh|huyện|xã|thôn)"
                      r"(?:\s*(?:,|và|hoặc)\s*(?:cấp\s+(?:tỉnh|huyện|xã|thôn)|(?:tỉnh|huyện|xã|thôn)"
                      rf"(?!\s+(?:{openers})(?!\w)))(?!\w))+")


def level_enumeration(text: str) -> tuple[int, list[str]] | None:
    """A trailing "cấp tỉnh, cấp huyện" / "cấp tỉnh và cấp huyện" / "cấp tỉnh, huyện": (start, levels)."""
    low = text.lower().rstrip(" .,;")
    m = re.search(r"cấp\s+(tỉnh|huyện|xã|thôn)"
                  r"((?:\s*(?:,|và|hoặc)\s*(?:cấp\s+)?(?:tỉnh|huyện|xã|thôn))+)$", low)
    if not m:
        return None
    names = [m.group(1)] + re.findall(r"(tỉnh|huyện|xã|thôn)", m.group(2))
    table = {"tỉnh": "province", "huyện": "district", "xã": "commune", "thôn": "village"}
    levels = []
    for n in names:
        if table[n] not in levels:
            levels.append(table[n])
    return (m.start(), levels) if len(levels) > 1 else None


@cache
def _not_levels() -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(load("levels")["not_levels"], key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


def word_levels(text: str) -> list[str]:
    """Levels shown by words in a component ("Huyện ủy" → district, "Sở" → province)."""
    low = _not_levels().sub(lambda m: "_" * len(m.group(0)), text.lower())
    table = _word_level()
    out = []
    for m in _words().finditer(low):
        lv = table[m.group(0)]
        if lv not in out:
            out.append(lv)
    return out


@cache
def component_level(text: str) -> str | None:
    """The level of one component: an explicit "cấp X" first, else its words (lowest wins)."""
    exp = explicit_levels(text)
    if exp:
        return exp[-1][2]
    lv = word_levels(text)
    if not lv:
        return None
    return max(lv, key=order().index)


@cache
def _usual() -> dict[str, re.Pattern[str]]:
    return {level: re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})(?!\w)")
            for level, words in load("levels")["usual"].items()}


def usual_level(components: list[str]) -> str | None:
    """The level bodies like these usually work at (levels.yaml `usual`): the one level of those parts
    that have one (a part with none does not count against it)."""
    found = {level for c in components for level, rx in _usual().items() if rx.search(c.lower())}
    return found.pop() if len(found) == 1 else None


@cache
def _city() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in load("levels")["city_words"])
    return re.compile(rf"(?i:(?<!\w)(?:{words}))\s*[A-ZĐÀ-Ỹ]")


def names_city(component: str) -> bool:
    """Whether a component names the city it belongs to (levels.yaml `city_words` then a capital)."""
    return bool(_city().search(component))


def lowest(levels: list[str | None]) -> str | None:
    """The lowest of several levels (a district office merged with a commune one works at commune)."""
    known = [lv for lv in levels if lv]
    return max(known, key=order().index) if known else None


def counted_level(noun: str) -> str | None:
    """Level of the units counted ("12/12 huyện" → district)."""
    noun = noun.lower()
    for lv, words in load("levels")["counted"].items():
        if any(noun == w or noun.startswith(w + " ") or noun.startswith(w + ",") for w in words):
            return lv
    return None


def suffix(level: str) -> str:
    """"cấp huyện" for district, to make a generic component name its level."""
    return load("levels")["suffix"][level]


def relevel(component: str, level: str) -> str:
    """A component told at one level, named at another: its level words dropped and the new level's
    suffix added ("Trưởng ban Dân vận huyện ủy" at commune level → "Trưởng ban Dân vận cấp xã")."""
    words = load("levels")["relevel_strip"]
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    base = re.sub(rf"(?i)(?:\s+(?:{alts}))+$", "", component.strip())
    return f"{base} {suffix(level)}"
