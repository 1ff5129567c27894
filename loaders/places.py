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


_TYPED = re.compile(r"(?i:huyện|quận|thị xã|thành phố|xã|phường|thị trấn|tỉnh|tp\.?|tx\.?)\s*[A-ZĐÀ-Ỹ]")


def find_units(text: str, offset: int, province: Unit | None) -> list[Place]:
    """Units named with a type word in `text` (offsets shifted by `offset`), provinces included."""
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
