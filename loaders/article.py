"""The province an article is about, from every signal it gives (metadata included).

The province is a first-class step because most real articles never write "tỉnh X": it sits in the
title, in the outlet's host name, in an agency ("Tỉnh ủy X"), or only in a district name that exists in
one province. Each signal is tried in order of how rarely it misleads; the one that decided is kept so
facts can say how sure their place is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from ontology.text import fold

from .gazetteer import Unit
from .lexicon import load
from .normalise import ArticleMeta
from .places import bare_districts, gazetteer


@dataclass(frozen=True)
class ProvinceSignal:
    """The article's province and the signal that named it."""

    unit: Unit | None
    signal: str  # title | source | agency | lead | district | body | none
    national: bool = False  # no province, and the article speaks of national bodies

    @property
    def confidence(self) -> float:
        return _SIGNAL_CONFIDENCE.get(self.signal, 0.5)


_SIGNAL_CONFIDENCE = {"title": 0.95, "source": 0.9, "agency": 0.9, "lead": 0.85, "district": 0.8,
                      "body": 0.6, "none": 0.5}


def province_of_host(url: str | None) -> tuple[Unit | None, bool]:
    """The province a provincial outlet's host names, and whether the host is known to name none."""
    if not url:
        return None, False
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if not host:
        return None, False
    lex = load("article")
    g = gazetteer()
    for suffix, name in lex["outlets"].items():
        if host == suffix or host.endswith("." + suffix):
            return (g.province(name) if name else None), name is None
    names = _province_slugs()
    prefixes = sorted(lex["host_prefixes"], key=len, reverse=True)
    labels = host.split(".")
    for label in labels[:-1]:
        if label in names:
            return names[label], False
        for p in prefixes:
            if label.startswith(p) and label[len(p):] in names:
                return names[label[len(p):]], False
    return None, False


@cache
def _province_slugs() -> dict[str, Unit]:
    """Folded province names without spaces ("haiduong") -> province, both eras (pre-reform first)."""
    g = gazetteer()
    out: dict[str, Unit] = {}
    for era in ("2023", "2025"):
        for u in g.provinces(era):
            out.setdefault(fold(u.name).replace(" ", ""), u)
    for key, u in g.former_province_names.items():  # "baothuathienhue.vn"
        out.setdefault(key, u)
    return out


def _provinces_in(text: str) -> list[Unit]:
    return [u for _, _, u in gazetteer().find_mentions(text) if u.level == "province"]


@cache
def _agency_re() -> re.Pattern[str]:
    agencies = load("article")["province_agencies"]
    words = "|".join(re.escape(w) for w in sorted(agencies, key=len, reverse=True))
    return re.compile(rf"(?i:{words})\s+([A-ZĐÀ-Ỹ][^\s,.;:()]*(?:\s+[A-ZĐÀ-Ỹ][^\s,.;:()]*){{0,3}})")


def _agency_province(text: str) -> Unit | None:
    """"Ban Thường vụ Tỉnh ủy Bắc Ninh", "UBND tỉnh Tây Ninh": the province of a provincial body."""
    g = gazetteer()
    for m in _agency_re().finditer(text):
        words = m.group(1).split()
        for k in range(len(words), 0, -1):
            u = g.province(" ".join(words[:k]))
            if u:
                return u
    return None


def article_province(title: str, lead: str, body: str, meta: ArticleMeta) -> ProvinceSignal:
    """The province the article is about, from the strongest signal that names one."""
    provs = _provinces_in(title)
    if provs:
        return ProvinceSignal(provs[0], "title")
    host, host_says_none = province_of_host(meta.source)
    if host:
        return ProvinceSignal(host, "source")
    head = f"{title}\n{lead}"
    agency = _agency_province(head)
    if agency:
        return ProvinceSignal(agency, "agency")
    provs = _provinces_in(lead)
    if provs:
        return ProvinceSignal(provs[0], "lead")
    districts = {u.province: u for _, _, u in bare_districts(title)}
    if len(districts) == 1:
        return ProvinceSignal(gazetteer().get(next(iter(districts)), next(iter(districts.values())).era),
                              "district")
    counts = Counter(u.key for u in _provinces_in(body))
    agency = _agency_province(body)
    if agency:
        counts[agency.key] += 2
    if counts:
        (key, n), *rest = counts.most_common(2)
        if not rest or n > rest[0][1]:
            era, code = key.split("/")
            return ProvinceSignal(gazetteer().get(code, era), "body")
    low = body.lower()
    national = any(w in low for w in load("article")["national_cues"])
    return ProvinceSignal(None, "none", national=national or host_says_none)


def article_district(title: str, lead: str, meta: ArticleMeta, province: Unit | None) -> Unit | None:
    """The one district an article is about, when it is about one: named in the title (with or without
    its type word), in the outlet's host ("thoibinh.camau.dcs.vn"), or as the only district of the lead.
    Facts about "the district" ("Chánh Thanh tra thị xã") with no unit of their own are placed there."""
    if province is None:
        return None
    g = gazetteer()

    def districts(text: str) -> dict[str, Unit]:
        found = [u for _, _, u in g.find_mentions(text, province=province) if u.level == "district"]
        found += [u for _, _, u in bare_districts(text, province) if fold(u.name) != fold(province.name)]
        return {u.key: u for u in found}

    named = districts(title)
    if len(named) == 1:
        return next(iter(named.values()))
    host = (urlsplit(meta.source).hostname or "") if meta.source else ""
    labels = set(host.lower().split(".")[:-1])
    by_host = [u for u in g.children(province) if u.level == "district"
               and fold(u.name) != fold(province.name) and fold(u.name).replace(" ", "") in labels]
    if len(by_host) == 1:
        return by_host[0]
    named = districts(lead)
    return next(iter(named.values())) if len(named) == 1 and not title else None
