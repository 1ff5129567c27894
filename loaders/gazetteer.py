"""Offline gazetteer of Vietnam's administrative units, before and after the reform of 1 July 2025.

The units come from the data files bundled in the vietnamadminunits wheel (its SQLite dataset and
its 2025 converter table), read once into plain dictionaries keyed by folded names. Its parser is
never called per mention, and its online geocoder path is never reached: we only read files.

Two eras: "2023" (63 provinces, districts, communes as the package holds them before the reform)
and "2025" (34 provinces and their communes, no district level). Codes do not follow names across
the reform (the new Bắc Ninh carries Bắc Giang's old code 24), so a unit is identified by
era + code, and `unit_iri` mints `https://w3id.org/bomay/id/unit/<era>/<code>`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ontology.namespaces import ID
from ontology.text import fold as _fold_uncached
from ontology.text import nfc, strip_marks

fold = lru_cache(maxsize=65536)(_fold_uncached)  # names and type words repeat across 14k units

PRE, POST = "2023", "2025"
ERAS = (PRE, POST)
REFORM_DATE = dt.date(2025, 7, 1)
LEVELS = ("province", "district", "commune")

_TYPES_FILE = Path(__file__).parent / "data" / "gazetteer_types.json"
_FORMER_FILE = Path(__file__).parent / "data" / "gazetteer_former.json"


@dataclass(frozen=True)
class Unit:
    """One administrative unit in one era; `code` is only unique within its era."""

    code: str
    name: str  # without type word: "Thuận Thành"
    type: str  # province, central_city, district, urban_district, town, provincial_city, commune, ...
    type_word: str  # "huyện", "thị xã", "thành phố", ...
    level: str  # province | district | commune
    label: str  # "thị xã Thuận Thành"
    parent: str | None  # parent code in the same era
    province: str  # province code in the same era (its own code for a province)
    era: str  # "2023" pre-reform | "2025" post-reform

    @property
    def key(self) -> str:
        """Era-qualified code, unique across eras: "2023/262"."""
        return f"{self.era}/{self.code}"


def unit_iri(unit: Unit) -> str:
    """The IRI every layer uses for a unit: id/unit/<era>/<code>."""
    return f"{ID}unit/{unit.era}/{unit.code}"


def era_of(on: dt.date | str | None) -> str:
    """Era in force on a date; accepts a date or the facts' `when` forms (YYYY, YYYY-Qn, YYYY-MM[-DD])."""
    if on is None:
        return PRE
    if isinstance(on, dt.datetime):
        on = on.date()
    if isinstance(on, dt.date):
        return PRE if on < REFORM_DATE else POST
    s = str(on).strip()
    m = re.match(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2}))(?:-(\d{1,2}))?)?", s)
    if not m:
        raise ValueError(f"not a date: {on!r}")
    year = int(m.group(1))
    month = (int(m.group(2)) - 1) * 3 + 1 if m.group(2) else int(m.group(3) or 1)
    day = int(m.group(4) or 1)
    return PRE if dt.date(year, month, day) < REFORM_DATE else POST


def _package_data_dir() -> Path:
    """Folder of vietnamadminunits' bundled data, found without importing the package."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _load_types() -> dict:
    return json.loads(_TYPES_FILE.read_text(encoding="utf-8"))


_TYPE_CFG = _load_types()
# (level, folded type word) -> type slug
_TYPE_OF = {(t["level"], fold(t["word"])): t["type"] for t in _TYPE_CFG["types"]}
# type slug -> (level, type word)
_WORD_OF = {t["type"]: (t["level"], t["word"]) for t in _TYPE_CFG["types"]}
# folded type word -> levels it can name
_WORD_LEVELS: dict[str, set[str]] = defaultdict(set)
for _t in _TYPE_CFG["types"]:
    _WORD_LEVELS[fold(_t["word"])].add(_t["level"])
_ABBREV = {k: fold(v) for k, v in _TYPE_CFG["abbreviations"].items()}
# "huyện ủy" -> "huyen": a party committee named after its unit ("Huyện ủy Yên Phong")
_COMMITTEE = {fold(k): fold(v) for k, v in _TYPE_CFG["committees"].items()}
_ABBREV_RESOLVE = {**_ABBREV, **{k: fold(v) for k, v in _TYPE_CFG["abbreviations_resolve_only"].items()}}
# "H. Nam Sách", "Q. Hoàn Kiếm": one capital letter and its dot
_DOTTED = {k: fold(v) for k, v in _TYPE_CFG.get("abbreviations_dotted", {}).items()}
# Folded type words, longest first, for splitting "Thị xã Kinh Môn" into word and name.
_WORDS_BY_LEN = sorted(_WORD_LEVELS, key=len, reverse=True)
_ALIAS_PREFIXES = sorted({w.replace(" ", "") for w in _WORD_LEVELS} | set(_ABBREV), key=len, reverse=True)
TYPE_WORDS: tuple[str, ...] = tuple(dict.fromkeys(t["word"] for t in _TYPE_CFG["types"]))


# The package tells apart two units of one name in one province by a type in brackets
# ("Kỳ Anh (Huyện)", "Kỳ Anh (Thị xã)"); the type word already carries that, so the bracket goes.
_QUALIFIED = re.compile(r"\s*\((?:" + "|".join(re.escape(t["word"]) for t in _TYPE_CFG["types"]) + r")\)\s*$",
                        re.IGNORECASE)


def _split_type(full: str) -> tuple[str, str]:
    """("thị xã", "Kinh Môn") from "Thị xã Kinh Môn"; the word is returned folded."""
    s = nfc(full).strip()
    f = fold(s)
    for w in _WORDS_BY_LEN:
        if f.startswith(w + " "):
            n = len(w.split())
            return w, " ".join(s.split()[n:])
    raise ValueError(f"no type word in {full!r}")


def _norm_word(type_word: str | None) -> str | None:
    """Folded canonical type word for any written form ("TP.", "Thị xã", "thi xa")."""
    if not type_word:
        return None
    f = fold(type_word)
    if f in _WORD_LEVELS:
        return f
    f2 = f.replace(" ", "")
    if f2 in _ABBREV_RESOLVE:
        return _ABBREV_RESOLVE[f2]
    for w in _WORD_LEVELS:
        if w.replace(" ", "") == f2:
            return w
    return None


def _nospace(key: str) -> str:
    return key.replace(" ", "")


def _alias_names(aliases: str | None) -> list[tuple[str | None, str]]:
    """Package aliases ("thitrankinhmon", "hcm") as (folded type word or None, no-space name key)."""
    if not aliases:
        return []
    out: list[tuple[str | None, str]] = []
    for a in json.loads(aliases):
        a = _nospace(fold(a))
        if not a:
            continue
        out.append((None, a))
        for p in _ALIAS_PREFIXES:
            if a.startswith(p) and len(a) > len(p):
                word = _ABBREV.get(p) or next(w for w in _WORD_LEVELS if w.replace(" ", "") == p)
                out.append((word, a[len(p):]))
                break
    return out


class Gazetteer:
    """Units of both eras with name indexes, hierarchy and succession across the 2025 reform."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}  # key "era/code" -> Unit
        self._children: dict[str, list[str]] = defaultdict(list)
        self._names: dict[str, dict[str, list[Unit]]] = {e: defaultdict(list) for e in ERAS}
        self._aliases: dict[str, dict[str, list[tuple[str | None, Unit]]]] = {
            e: defaultdict(list) for e in ERAS
        }
        self._succ: dict[str, set[str]] = defaultdict(set)
        self._pred: dict[str, set[str]] = defaultdict(set)
        self.former: dict[str, Unit] = {}  # districts dissolved before the package's snapshot
        self.former_province_names: dict[str, Unit] = {}  # "thuathienhue" -> Huế (pre-2025 code 46)
        self._former_labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.max_name_tokens = 1

    # ---- loading -------------------------------------------------------------------------------

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Gazetteer:
        """The gazetteer of the installed package's data, loaded once per process."""
        g = cls()
        g._load(_package_data_dir())
        g._load_former()
        return g

    def _load_former(self) -> None:
        """Districts merged away before the package's snapshot ("huyện Lộc Hà", into Thạch Hà in 2025):
        found in text and by get(), kept out of `units` (the package's own units and their graph)."""
        data = json.loads(_FORMER_FILE.read_text(encoding="utf-8"))
        for p in data.get("provinces", []):
            unit = self.units.get(f"{PRE}/{p['code']}")
            if unit:
                key = _nospace(fold(p["name"]))
                self._aliases[PRE][key].append((fold(p["word"]), unit))
                self.former_province_names[key] = unit
                self._former_labels[unit.key].append((p["word"], p["name"]))
        for d in data["districts"]:
            word = fold(d["word"])
            utype = _TYPE_OF[("district", word)]
            tw = _WORD_OF[utype][1]
            unit = Unit(code=d["code"], name=d["name"], type=utype, type_word=tw, level="district",
                        label=f"{tw} {d['name']}", parent=d["province"], province=d["province"], era=PRE)
            if unit.key in self.units:
                continue
            self.former[unit.key] = unit
            self._names[PRE][_nospace(fold(unit.name))].append(unit)
            self._succ[unit.key] = set(self._succ.get(f"{PRE}/{d['merged_into']}", ()))

    def _add(self, unit: Unit, aliases: str | None = None) -> None:
        if unit.key in self.units:
            return
        self.units[unit.key] = unit
        if unit.parent:
            self._children[f"{unit.era}/{unit.parent}"].append(unit.key)
        key = fold(unit.name)
        self._names[unit.era][_nospace(key)].append(unit)
        self.max_name_tokens = max(self.max_name_tokens, len(key.split()))
        for word, name in _alias_names(aliases):
            self._aliases[unit.era][name].append((word, unit))

    def _make(self, era: str, level: str, full: str, short: str, code: str, parent: str | None,
              province: str, type_hint: str | None = None) -> Unit:
        word = fold(type_hint) if type_hint else _split_type(full)[0]
        utype = _TYPE_OF[(level, word)]
        tw = _WORD_OF[utype][1]
        name = _QUALIFIED.sub("", nfc(short))  # "Kỳ Anh (Thị xã)" -> "Kỳ Anh": the type says which
        fname = fold(name)
        if fname.startswith(word + " ") and fname[len(word) + 1:].isdigit():
            name = fname[len(word) + 1:]  # "Quận 1" -> name "1"
        return Unit(code=code, name=name, type=utype, type_word=tw, level=level, label=f"{tw} {name}",
                    parent=parent, province=province, era=era)

    def _load(self, data: Path) -> None:
        con = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
        try:
            legacy = con.execute(
                "SELECT province, provinceShort, provinceCode, provinceKey, provinceAlias, "
                "district, districtShort, districtType, districtCode, districtKey, districtAlias, "
                "ward, wardShort, wardType, wardCode, wardKey, wardAlias FROM admin_units_legacy "
                "ORDER BY provinceCode, districtCode, wardCode"
            ).fetchall()
            new = con.execute(
                "SELECT province, provinceShort, provinceCode, provinceKey, provinceAlias, "
                "ward, wardShort, wardType, wardCode, wardKey, wardAlias FROM admin_units "
                "ORDER BY provinceCode, wardCode"
            ).fetchall()
        finally:
            con.close()
        old_keys: dict[str, str] = {}  # "provkey_distkey_wardkey" -> key
        old_prov_keys: dict[str, str] = {}
        for (p, ps, pc, pk, pa, d, ds, dtp, dc, dk, da, w, ws, wt, wc, wk, wa) in legacy:
            if pk not in old_prov_keys:
                self._add(self._make(PRE, "province", p, ps, pc, None, pc), pa)
                old_prov_keys[pk] = f"{PRE}/{pc}"
            if f"{PRE}/{dc}" not in self.units:
                self._add(self._make(PRE, "district", d, ds, dc, pc, pc, dtp), da)
            if wc:
                self._add(self._make(PRE, "commune", w, ws, wc, dc, pc, wt), wa)
                old_keys[f"{pk}_{dk}_{wk}"] = f"{PRE}/{wc}"
            else:  # island districts without communes
                old_keys[f"{pk}_{dk}_"] = f"{PRE}/{dc}"
        new_keys: dict[tuple[str, str], str] = {}
        new_prov_keys: dict[str, str] = {}
        for (p, ps, pc, pk, pa, w, ws, wt, wc, wk, wa) in new:
            if pk not in new_prov_keys:
                self._add(self._make(POST, "province", p, ps, pc, None, pc), pa)
                new_prov_keys[pk] = f"{POST}/{pc}"
            self._add(self._make(POST, "commune", w, ws, wc, pc, pc, wt), wa)
            new_keys[(pk, wk)] = f"{POST}/{wc}"
        self._load_succession(data, old_keys, old_prov_keys, new_keys, new_prov_keys)

    def _load_succession(self, data: Path, old_keys: dict[str, str], old_prov: dict[str, str],
                         new_keys: dict[tuple[str, str], str], new_prov: dict[str, str]) -> None:
        conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
        for npk, opks in conv["DICT_PROVINCE"].items():
            for opk in opks:
                self._link(old_prov[opk], new_prov[npk])
        for npk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for nwk, olds in wards.items():
                for ok in olds:
                    if ok in old_keys and (npk, nwk) in new_keys:
                        self._link(old_keys[ok], new_keys[(npk, nwk)])
        for npk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
            for ok, targets in olds.items():
                for t in targets:
                    if ok in old_keys and (npk, t["newWardKey"]) in new_keys:
                        self._link(old_keys[ok], new_keys[(npk, t["newWardKey"])])
        # A district's successors are the new units its old communes went to.
        for key, unit in list(self.units.items()):
            if unit.era == PRE and unit.level == "district":
                for ck in self._children.get(key, []):
                    for s in self._succ.get(ck, ()):
                        self._link(key, s)

    def _link(self, old: str, new: str) -> None:
        self._succ[old].add(new)
        self._pred[new].add(old)

    # ---- lookup --------------------------------------------------------------------------------

    def former_names(self, unit: Unit) -> list[tuple[str, str]]:
        """(type word, name) a province was known by before its package name ("tỉnh", "Thừa Thiên Huế")."""
        return list(self._former_labels.get(unit.key, ()))

    def get(self, code: str, era: str | None = None) -> Unit | None:
        """Unit by "era/code" or by code in `era` (default pre-reform)."""
        key = code if "/" in code else f"{era or PRE}/{code}"
        return self.units.get(key) or self.former.get(key)

    def _key_of(self, code: str | Unit, era: str | None) -> str:
        if isinstance(code, Unit):
            return code.key
        return code if "/" in code else f"{era or PRE}/{code}"

    def children(self, code: str | Unit, era: str | None = None) -> list[Unit]:
        """Units directly part of this one."""
        return [self.units[k] for k in self._children.get(self._key_of(code, era), [])]

    def successors(self, code: str | Unit, era: str | None = None) -> list[Unit]:
        """Post-reform units that took over this pre-reform unit's territory (sorted by code)."""
        return sorted((self.units[k] for k in self._succ.get(self._key_of(code, era), ())),
                      key=lambda u: u.code)

    def predecessors(self, code: str | Unit, era: str | None = None) -> list[Unit]:
        """Pre-reform units whose territory went (in whole or part) to this post-reform unit."""
        key = self._key_of(code, era or POST)
        return sorted((self.units[k] for k in self._pred.get(key, ())), key=lambda u: (u.level, u.code))

    def units_of(self, era: str) -> list[Unit]:
        """Every unit of one era."""
        return [u for u in self.units.values() if u.era == era]

    def provinces(self, era: str = PRE) -> list[Unit]:
        """The provinces of an era, by code."""
        return sorted((u for u in self.units.values() if u.era == era and u.level == "province"),
                      key=lambda u: u.code)

    def province(self, name: str, era: str | None = None, on: dt.date | str | None = None) -> Unit | None:
        """Province by name, with or without "tỉnh"/"thành phố"/"TP.", diacritics, or alias ("HCM")."""
        era = era or era_of(on)
        if not name or not name.strip():
            return None
        glued = re.fullmatch(r"\s*TP\.?([A-ZĐ]{2,})\s*", name)  # "TPHCM", "TP.HCM"
        if glued:
            name = glued.group(1)
        if re.fullmatch(r"\s*\d{1,2}\s*", name):
            u = self.get(f"{int(name.strip()):02d}", era)
            return u if u and u.level == "province" else None
        return self.resolve(name, level="province", era=era)

    def _province_code(self, province: str | Unit | None, era: str) -> str | None:
        if province is None:
            return None
        if isinstance(province, Unit):
            if province.era != era:
                return None  # a province of the other era cannot contain this era's units
            return province.province
        p = self.province(province, era=era)
        return p.code if p else None

    def resolve(self, name: str, type_word: str | None = None, province: str | Unit | None = None,
                level: str | None = None, on: dt.date | str | None = None,
                era: str | None = None) -> Unit | None:
        """The one unit a written name denotes, or None when nothing or several fit.

        Accepts the type word inside `name` or apart, any diacritics, abbreviations ("TP.", "TX").
        Preference: name with the same type word > name at a level the word can name > name at any
        level (a wrong type word still resolves) > the same steps over the package's former names.
        """
        era = era or era_of(on)
        if not name or not fold(name):
            return None
        word = _norm_word(type_word)
        if type_word and word is None:
            return None
        pcode = self._province_code(province, era)
        if province is not None and pcode is None:
            return None
        if word is None:
            key = _nospace(fold(name))
            if key not in self._names[era]:
                try:
                    word, name = self._split_written(name)
                except ValueError:
                    pass
        return self._resolve_key(_nospace(fold(name)), word, pcode, level, era)

    @staticmethod
    def _split_written(name: str) -> tuple[str, str]:
        """Split a leading type word or abbreviation ("TP.", "Q.", "thi xa") from a name."""
        f = fold(name)
        toks = f.split()
        for w in _WORDS_BY_LEN:
            n = len(w.split())
            if toks[:n] == w.split() and len(toks) > n:
                return w, " ".join(toks[n:])
        if len(toks) > 1 and toks[0] in _ABBREV_RESOLVE:
            return _ABBREV_RESOLVE[toks[0]], " ".join(toks[1:])
        raise ValueError(name)

    def _resolve_key(self, key: str, word: str | None, pcode: str | None, level: str | None,
                     era: str, strict: bool = False, within: Unit | None = None) -> Unit | None:
        """Resolve a no-space folded name; `strict` accepts only the exact type word (enumerations);
        `within` keeps only units directly under that district or inside that province."""

        def keep(u: Unit) -> bool:
            if within is not None and (u.parent if within.level == "district" else u.province) != within.code:
                return False
            return (pcode is None or u.province == pcode) and (level is None or u.level == level)

        names = [u for u in self._names[era].get(key, ()) if keep(u)]
        aliases = [(w, u) for w, u in self._aliases[era].get(key, ()) if keep(u)]
        if word is None:
            for cands in (names, [u for _, u in aliases]):
                for lv in LEVELS:
                    at = {u.key: u for u in cands if u.level == lv}
                    if len(at) == 1:
                        return next(iter(at.values()))
                    if at:
                        return None
            return None
        levels = _WORD_LEVELS[word]
        # A wrong type word is tolerated between districts and communes ("thị trấn" for a thị xã),
        # never across the province line ("tỉnh Bắc Giang" after 2025 is not phường Bắc Giang).
        # After the reform a district word names no unit of the era (the district level is gone).
        if levels == {"province"} or (era == POST and levels == {"district"}):
            loose = levels
        else:
            loose = {"district", "commune"} | levels
        stages = [
            [u for u in names if fold(u.type_word) == word],
            [u for w, u in aliases if w == word],
        ]
        if not strict:
            stages = [
                stages[0],
                [u for u in names if u.level in levels],
                [u for u in names if u.level in loose],
                stages[1],
                [u for w, u in aliases if u.level in levels],
                [u for _, u in aliases if u.level in loose],
            ]
        for cands in stages:
            uniq = {u.key: u for u in cands}
            if len(uniq) == 1:
                return next(iter(uniq.values()))
            if uniq:
                # Same name at several levels (a district and its seat commune): the higher level
                # wins only when the type word itself names that level.
                for lv in LEVELS:
                    at = [u for u in uniq.values() if u.level == lv and lv in levels]
                    if len(at) == 1:
                        return at[0]
                    if at:
                        return None
                return None
        return None

    # ---- mentions in running text --------------------------------------------------------------

    def find_mentions(self, text: str, province: Unit | str | None = None,
                      on: dt.date | str | None = None, era: str | None = None,
                      fallback: bool = True) -> list[tuple[int, int, Unit]]:
        """Spans of unit mentions, as offsets into `nfc(text)` (the same offsets for NFC input).

        After the reform, a typed mention that only the pre-reform units know (a former district)
        resolves to the pre-reform unit unless `fallback` is False.

        Districts and communes need their type word ("huyện Nam Sách"); an enumeration after one
        type word ("các huyện Kim Thành, Bình Giang") continues with the same word; after a party
        committee ("Huyện ủy Yên Phong", "Thị ủy Kinh Môn") the span is the name. Provinces are also
        found by bare name ("Ban Tổ chức Tỉnh ủy Bắc Ninh"). Name words must be capitalised.
        """
        era = era or era_of(on)
        text = nfc(text)
        pcode = self._province_code(province, era) if province is not None else None
        folded = _fold_chars(text)
        toks = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+", folded)]
        out: list[tuple[int, int, Unit]] = []
        covered: set[int] = set()
        i = 0
        while i < len(toks):
            hit = self._typed_at(text, toks, i, pcode, era)
            if not hit and era == POST and fallback:  # "huyện Thuận Thành (cũ)" in a 2026 article
                hit = self._typed_at(text, toks, i, None, PRE)
            if not hit:
                i += 1
                continue
            first, j, unit, word = hit
            out.append((toks[first][0], toks[j - 1][1], unit))
            covered.update(range(i, j))
            # enumeration: ", B", " và C", " cùng D" after the first name, same type word
            while j < len(toks):
                gap = text[toks[j - 1][1]:toks[j][0]]
                k = j
                if toks[j][2] in ("va", "cung") and text[toks[j][0]:toks[j][1]].islower() and \
                        gap.strip() in ("", ","):
                    k = j + 1
                elif gap.strip() != ",":
                    break
                if k >= len(toks) or toks[k][2] in _WORD_LEVELS or \
                        (k + 1 < len(toks) and f"{toks[k][2]} {toks[k + 1][2]}" in _WORD_LEVELS):
                    break
                nxt = self._name_at(text, toks, k, word, pcode or unit.province, era, strict=True)
                if not nxt:
                    break
                j2, u2 = nxt
                out.append((toks[k][0], toks[j2 - 1][1], u2))
                covered.update(range(k, j2))
                j = j2
            i = j
        out.extend(self._bare_provinces(text, toks, covered, pcode, era))
        out.sort(key=lambda t: t[0])
        return out

    def _typed_at(self, text: str, toks: list, i: int, pcode: str | None,
                  era: str, depth: int = 0) -> tuple[int, int, Unit, str] | None:
        """A typed mention at token i: (first token of the span, end token, unit, folded type word).

        The span covers the type word, except after a party committee ("Huyện ủy Yên Phong"),
        where it covers the name only: the committee itself is an agency.
        """
        t = toks[i][2]
        cands: list[tuple[str, int, int]] = []
        if i + 1 < len(toks) and _plain_gap(text, toks[i][1], toks[i + 1][0]):
            two = f"{t} {toks[i + 1][2]}"
            if two in _WORD_LEVELS:
                cands.append((two, i + 2, i))
            elif two in _COMMITTEE:
                cands.append((_COMMITTEE[two], i + 2, i + 2))
        if t in _WORD_LEVELS:
            cands.append((t, i + 1, i))
        elif t in _ABBREV and text[toks[i][0]:toks[i][1]].isupper():
            cands.append((_ABBREV[t], i + 1, i))
        elif t in _DOTTED and text[toks[i][0]:toks[i][1]].isupper() and i + 1 < len(toks) and \
                text[toks[i][1]:toks[i + 1][0]].strip() == "." and \
                (i == 0 or not text[toks[i - 1][0]].isupper()):  # not an initial: "Nguyễn H. Nam"
            cands.append((_DOTTED[t], i + 1, i))
        for word, start, first in cands:
            if start >= len(toks):
                continue
            gap = text[toks[start - 1][1]:toks[start][0]]
            if not (_plain_gap(text, toks[start - 1][1], toks[start][0])
                    or (word in (_ABBREV.get(toks[start - 1][2]), _DOTTED.get(toks[start - 1][2]))
                        and gap.strip() == ".")):
                continue
            hit = self._name_at(text, toks, start, word, pcode, era)
            if hit:
                return first, hit[0], hit[1], word
            if depth < 2:  # "xã Tân Lập, huyện Đan Phượng": the next mention may be the container
                end = self._name_end(text, toks, start, era)
                if end and end < len(toks) and text[toks[end - 1][1]:toks[end][0]].strip() in (",", "-", "("):
                    nxt = self._typed_at(text, toks, end, pcode, era, depth + 1)
                    if nxt and LEVELS.index(nxt[2].level) < LEVELS.index(_min_level(word)):
                        hit = self._name_at(text, toks, start, word, pcode, era, within=nxt[2])
                        if hit and hit[0] == end:
                            return first, hit[0], hit[1], word
        return None

    def _name_end(self, text: str, toks: list, start: int, era: str) -> int | None:
        """End token of the longest capitalised run at `start` that is a known name."""
        n = self._cap_run(text, toks, start)
        for k in range(n, 0, -1):
            key = "".join(tok[2] for tok in toks[start:start + k])
            if key in self._names[era] or key in self._aliases[era]:
                return start + k
        return None

    def _cap_run(self, text: str, toks: list, start: int) -> int:
        n = 0
        while start + n < len(toks) and n < self.max_name_tokens:
            s, e, _ = toks[start + n]
            # "Cư M'gar", "Ea H'leo": a syllable after an apostrophe is written in lower case
            after_apostrophe = n > 0 and text[toks[start + n - 1][1]:s] in _APOSTROPHES
            if not (text[s].isupper() or text[s].isdigit() or after_apostrophe):
                break
            if n and not _plain_gap(text, toks[start + n - 1][1], s):
                break
            n += 1
        return n

    def _name_at(self, text: str, toks: list, start: int, word: str | None, pcode: str | None,
                 era: str, strict: bool = False, within: Unit | None = None) -> tuple[int, Unit] | None:
        """Longest capitalised name at token `start` that resolves; returns (end token, unit)."""
        n = self._cap_run(text, toks, start)
        for k in range(n, 0, -1):
            key = "".join(tok[2] for tok in toks[start:start + k])
            if key not in self._names[era] and key not in self._aliases[era]:
                continue
            unit = self._resolve_key(key, word, pcode, None, era, strict=strict, within=within)
            if unit:
                return start + k, unit
        return None

    def _bare_provinces(self, text: str, toks: list, covered: set[int], pcode: str | None,
                        era: str) -> list[tuple[int, int, Unit]]:
        out = []
        i = 0
        provs = self._province_keys(era)
        while i < len(toks):
            if i in covered or not text[toks[i][0]].isupper():
                i += 1
                continue
            for k in (4, 3, 2, 1):
                span = toks[i:i + k]
                if len(span) < k or any(j in covered for j in range(i, i + k)):
                    continue
                if not all(text[s].isupper() for s, _, _ in span):
                    continue
                if any(not _plain_gap(text, span[m][1], span[m + 1][0]) for m in range(k - 1)):
                    continue
                unit, alias = provs.get("".join(t[2] for t in span), (None, False))
                if unit and alias and not text[span[0][0]:span[-1][1]].replace(" ", "").isupper():
                    unit = None  # aliases ("HCM", "HN") only in capitals
                if unit:
                    out.append((span[0][0], span[-1][1], unit))
                    i += k
                    break
            else:
                i += 1
        return out

    @lru_cache(maxsize=4)  # noqa: B019 - one gazetteer per process
    def _province_keys(self, era: str) -> dict[str, tuple[Unit, bool]]:
        """No-space folded province names -> (unit, is an alias)."""
        keys: dict[str, tuple[Unit, bool]] = {}
        for u in self.provinces(era):
            keys[_nospace(fold(u.name))] = (u, False)
        if era == PRE:
            for key, u in self.former_province_names.items():
                keys[key] = (u, False)
        for key, entries in self._aliases[era].items():
            provs = {u.key: u for _, u in entries if u.level == "province"}
            if len(provs) == 1 and key not in keys:
                keys[key] = (next(iter(provs.values())), True)
        for key, (u, alias) in list(keys.items()):
            if u.type == "central_city" and f"tp{key}" not in keys:
                keys[f"tp{key}"] = (u, alias)  # "TPHCM", "TPHà Nội" written as one word with its type
        return keys


def _min_level(word: str) -> str:
    """The lowest level a type word can name ("thành phố" -> district)."""
    return max(_WORD_LEVELS[word], key=LEVELS.index)


_APOSTROPHES = ("'", "’", "ʼ")


def _plain_gap(text: str, a: int, b: int) -> bool:
    """True when two tokens are separated only by spaces, a hyphen or an apostrophe (one name continues)."""
    gap = text[a:b]
    return gap.strip(" \u00a0") in ("", "-", "–") or gap in _APOSTROPHES


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    s = strip_marks(c).lower()
    return s if len(s) == 1 and s.isascii() and s.isalnum() else " "


def _fold_chars(text: str) -> str:
    """Fold char by char (same length as `text`), so regex offsets are offsets into `text`."""
    return "".join(_fold_char(c) for c in text)
