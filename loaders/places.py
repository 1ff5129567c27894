"""Administrative units in the text, through the gazetteer (loaders/gazetteer.py).

A thin adapter: the article's province, and the sub-provincial units a clause names, as plain
records the rules and the RDF step share. The gazetteer is loaded once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ontology.text import fold

from .gazetteer import Gazetteer, Unit, unit_iri


@dataclass(frozen=True)
class Place:
    """A unit a fact is about: label with type word ("huyện Nam Sách"), code, level, IRI."""

    name: str
    code: str | None
    level: str | None  # province | district | commune | None (the whole country)
    iri: str | None
    start: int = -1
    end: int = -1
    parent: str | None = None

    def as_json(self) -> dict:
        out: dict = {"name": self.name}
        if self.code:
            out["code"] = self.code
        if self.iri:
            out["iri"] = self.iri
        return out


NATIONAL = Place(name="toàn quốc", code=None, level=None, iri=None)


@cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer."""
    return Gazetteer.default()


def unit_place(unit: Unit) -> Place:
    """A gazetteer unit as the place of a fact."""
    return _place(unit)


def _place(unit: Unit, start: int = -1, end: int = -1) -> Place:
    return Place(unit.label, unit.code, unit.level, unit_iri(unit), start, end, unit.parent)


def province_place(unit: Unit, text: str = "") -> Place:
    """The province itself as a place ("tỉnh Bắc Ninh"); by its former name when the article uses it
    ("tỉnh Thừa Thiên Huế" before it became the city of Huế)."""
    place = _place(unit)
    folded = fold(text)
    for word, name in gazetteer().former_names(unit):
        if fold(name) in folded:
            return Place(f"{word} {name}", *_tail(place))
    return place


_TYPED = re.compile(r"(?i:huyện|quận|thị xã|thành phố|xã|phường|thị trấn|tỉnh|tp\.?|tx\.?)\s*:?\s*[A-ZĐÀ-Ỹ]|"
                    r"(?<!\w)[HQ]\.\s*[A-ZĐÀ-Ỹ]")


def find_units(text: str, offset: int, province: Unit | None) -> list[Place]:
    """Units named with a type word in `text` (offsets shifted by `offset`), provinces included;
    a counted list ("ở 3 xã: A, B và C") gives each of its names."""
    if not _TYPED.search(text):
        return []
    g = gazetteer()
    out = []
    for a, b, u in g.find_mentions(text, province=province):
        place = _place(u, a + offset, b + offset)
        written = _written_name(text[a:b], u)
        if written:
            place = Place(f"{u.type_word} {written}", *_tail(place))
        out.append(place)
    taken = [(p.start, p.end) for p in out]
    for place in _listed_units(text, offset, province):
        if not any(s < place.end and place.start < e for s, e in taken):
            out.append(place)
    out.sort(key=lambda p: p.start)
    return out


_LISTED = re.compile(r"(?<!\w)(?:\d+|các|hai|ba|bốn|gồm)\s+(xã|phường|thị trấn|huyện|quận|thị xã)\s*:\s*"
                     r"((?:[A-ZĐÀ-Ỹ][\w'’]*\s*)+(?:(?:,|và)\s*(?:[A-ZĐÀ-Ỹ][\w'’]*\s*)+)*)")


def _listed_units(text: str, offset: int, province: Unit | None) -> list[Place]:
    """"ở 3 xã: Hòa Đông, Tân Tiến và Krông Búk": bare names after a counted type word and a colon."""
    g = gazetteer()
    out = []
    for m in _LISTED.finditer(text):
        word = m.group(1).lower()
        for nm in re.finditer(r"[^,]+?(?=\s*,|\s+và\s|\s*$)", m.group(2)):
            name = re.sub(r"^(?:và|cùng)\s+", "", nm.group(0).strip())
            if not name[:1].isupper():
                continue
            u = g.resolve(name, type_word=word, province=province)
            if u:
                a = m.start(2) + nm.start() + nm.group(0).find(name)
                place = _place(u, a + offset, a + len(name) + offset)
                if fold(name) == fold(u.name) and name != u.name:  # "Krông Búk" as written
                    place = Place(f"{u.type_word} {name}", *_tail(place))
                out.append(place)
    return out


_CAP_RUN = re.compile(r"(?<!\w)[A-ZĐÀ-Ỹ][\w'’]*(?:\s+[A-ZĐÀ-Ỹ][\w'’]*){0,3}")


def bare_districts(text: str, province: Unit | None = None) -> list[tuple[int, int, Unit]]:
    """District names written without their type word ("Đông Triều hợp nhất ...", "Bình Giang: ..."),
    resolved to exactly one district (of `province` when given)."""
    g = gazetteer()
    out = []
    for m in _CAP_RUN.finditer(text):
        words = m.group(0).split()
        n = next((i for i, w in enumerate(words) if not w[:1].isupper()), len(words))
        words = words[:n]  # the class above also admits lower-case accented letters
        for k in range(len(words), 1, -1):  # two syllables at least: one alone is too often a word
            name = " ".join(words[:k])
            u = g.resolve(name, province=province, level="district")
            if u:
                out.append((m.start(), m.start() + len(name), u))
                break
    return out


def bare_units(text: str, offset: int, province: Unit) -> list[Place]:
    """District names of the article's province written without their type word ("Đồng Phú có 5/11
    xã"); two syllables at least, and not the province's own name (its capital often shares it)."""
    out = []
    for a, b, u in bare_districts(text, province):
        if fold(u.name) == fold(province.name):
            continue
        out.append(_place(u, a + offset, b + offset))
    return out


def _tail(place: Place) -> tuple:
    """Every field of a place but its name."""
    return place.code, place.level, place.iri, place.start, place.end, place.parent


def _written_name(span: str, unit: Unit) -> str | None:
    """The name as the article spells it when it differs from the gazetteer's only in spacing
    ("Đakrông" for "Đa Krông"), so the fact names the unit the way the text does."""
    if span.endswith(unit.name):
        return None  # written as the gazetteer has it (the usual case)
    words = span.split()
    n = len(unit.type_word.split())
    name = " ".join(words[n:]) if fold(" ".join(words[:n])) == fold(unit.type_word) else span
    if fold(name) == fold(unit.name) or fold(name).replace(" ", "") != fold(unit.name).replace(" ", ""):
        return None
    return name


def drop_enclosing(places: list[Place]) -> list[Place]:
    """Leave out a unit written only to locate another ("xã Đồng Tâm, huyện Bình Liêu")."""
    parents = {p.parent for p in places if p.parent}
    return [p for p in places if p.code not in parents]
