"""The pre-2025 administrative units the generator spreads its facts over.

Reads the package data the gazetteer is built from (vietnamadminunits' legacy table, MIT) straight from
its SQLite file, offline, so the bench does not depend on the gazetteer module's shape; unit IRIs are
`unit/<official code>` as ARCHITECTURE.md fixes them, hence the same resources the service mints.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ontology.text import fold, slug


@dataclass(frozen=True)
class Unit:
    """One administrative unit: official code, type word, name, and its parent's code."""

    code: str
    type_word: str  # "Tỉnh", "Thành phố", "Huyện", "Quận", "Thị xã", "Xã", "Phường", "Thị trấn"
    name: str
    level: str  # province | district | commune
    parent: str | None = None

    @property
    def label(self) -> str:
        """Vietnamese label with the type word in lower case ("huyện Thuận Thành"), as articles write it."""
        return f"{self.type_word[0].lower()}{self.type_word[1:]} {self.name}"

    @property
    def search_key(self) -> str:
        return fold(self.label)


@dataclass
class Province:
    unit: Unit
    districts: list[Unit] = field(default_factory=list)
    communes: dict[str, list[Unit]] = field(default_factory=dict)  # district code -> communes

    @property
    def slug(self) -> str:
        return slug(self.unit.name)


# (level, type word) -> (class local name, unit-type concept slug)
UNIT_CLASSES: dict[tuple[str, str], tuple[str, str]] = {
    ("province", "Tỉnh"): ("Province", "province"),
    ("province", "Thành phố"): ("CentralCity", "central-city"),
    ("district", "Huyện"): ("District", "district"),
    ("district", "Quận"): ("UrbanDistrict", "urban-district"),
    ("district", "Thị xã"): ("Town", "town"),
    ("district", "Thành phố"): ("ProvincialCity", "provincial-city"),
    ("commune", "Xã"): ("Commune", "commune"),
    ("commune", "Phường"): ("Ward", "ward"),
    ("commune", "Thị trấn"): ("Township", "township"),
}


def _split(full: str) -> tuple[str, str]:
    for word in ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Huyện", "Quận", "Xã", "Phường"):
        if full.startswith(word + " "):
            return word, full[len(word) + 1 :]
    return "Xã", full


@cache
def provinces() -> tuple[Province, ...]:
    """All 63 provinces with their districts and communes, ordered by official code."""
    db = resources.files("vietnamadminunits") / "data" / "dataset.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT province, provinceCode, district, districtType, districtCode, ward, wardType, wardCode "
        "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    con.close()
    out: dict[str, Province] = {}
    seen_d: set[str] = set()
    for prov, pcode, dist, dtype, dcode, ward, wtype, wcode in rows:
        if pcode not in out:
            ptype, pname = _split(prov)
            out[pcode] = Province(Unit(pcode, ptype, pname, "province"))
        p = out[pcode]
        if dcode and dcode not in seen_d:
            seen_d.add(dcode)
            p.districts.append(Unit(dcode, dtype or _split(dist)[0], _split(dist)[1], "district", pcode))
            p.communes[dcode] = []
        if wcode:
            wtype = wtype or _split(ward)[0]
            p.communes[dcode].append(Unit(wcode, wtype, _split(ward)[1], "commune", dcode))
    return tuple(out[k] for k in sorted(out))


if __name__ == "__main__":
    ps = provinces()
    print(len(ps), sum(len(p.districts) for p in ps), sum(len(c) for p in ps for c in p.communes.values()))
