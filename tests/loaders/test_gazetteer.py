"""Gazetteer lookups: names with or without type words and diacritics, eras, mentions in text."""

import datetime as dt
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.gazetteer import POST, PRE, Gazetteer, _package_data_dir, era_of, unit_iri
from ontology.text import nfc


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.default()


def _package_counts(table: str, column: str) -> int:
    with sqlite3.connect(_package_data_dir() / "dataset.db") as con:
        sql = f"SELECT COUNT(DISTINCT {column}) FROM {table} WHERE {column} IS NOT NULL AND {column} != ''"
        return con.execute(sql).fetchone()[0]


def test_counts_per_era_match_the_package(gz):
    levels = {e: {lv: 0 for lv in ("province", "district", "commune")} for e in (PRE, POST)}
    for u in gz.units.values():
        levels[u.era][u.level] += 1
    assert levels[PRE]["province"] == 63 == _package_counts("admin_units_legacy", "provinceCode")
    assert levels[PRE]["district"] == _package_counts("admin_units_legacy", "districtCode")
    assert levels[PRE]["commune"] == _package_counts("admin_units_legacy", "wardCode")
    assert levels[POST]["province"] == 34 == _package_counts("admin_units", "provinceCode")
    assert levels[POST]["district"] == 0
    assert levels[POST]["commune"] == _package_counts("admin_units", "wardCode")
    assert len(gz.provinces()) == 63 and len(gz.provinces(POST)) == 34


def test_district_with_type_word(gz):
    u = gz.resolve("huyện Thuận Thành")
    assert u is not None and u.code == "262" and u.level == "district"
    assert gz.get(u.province).name == "Bắc Ninh"
    assert u.era == PRE


def test_without_diacritics_or_type_word(gz):
    assert gz.resolve("thuan thanh").code == "262"
    assert gz.resolve("Thuận Thành", type_word="Huyện").code == "262"


def test_wrong_type_word_resolves_with_province(gz):
    u = gz.resolve("thị trấn Kinh Môn", province="Hải Dương")
    assert u is not None and u.label == "thị xã Kinh Môn" and u.level == "district"
    # the former township's name, now an alias of a ward, must not win over the town's own name
    assert gz.resolve("Kinh Môn", type_word="thị trấn", province=gz.province("Hải Dương")).code == u.code


def test_official_type_words(gz):
    u = gz.resolve("Chí Linh")
    assert u.type == "provincial_city" and u.type_word == "thành phố" and u.label == "thành phố Chí Linh"
    assert gz.get(u.province).name == "Hải Dương"
    assert gz.resolve("Cẩm Giàng", province="Hải Dương").label == "huyện Cẩm Giàng"


def test_provinces_by_many_names(gz):
    for name in ("Bắc Ninh", "tỉnh Bắc Ninh", "bac ninh", "BẮC NINH"):
        assert gz.province(name).code == "27", name
    for name in ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "TP HCM", "ho chi minh"):
        assert gz.province(name).code == "79", name
    hn = gz.province("Hà Nội")
    assert hn.type == "central_city" and hn.label == "thành phố Hà Nội"
    assert gz.province("Thuận Thành") is None
    assert gz.province("Atlantis") is None


def test_era_by_date(gz):
    assert era_of("2022-09") == PRE and era_of(dt.date(2025, 6, 30)) == PRE
    assert era_of("2025-07-01") == POST and era_of("2025-Q3") == POST and era_of("2026") == POST
    old = gz.province("Bắc Ninh", on="2022")
    new = gz.province("Bắc Ninh", on=dt.date(2025, 8, 1))
    assert (old.code, new.code) == ("27", "24")  # the new Bắc Ninh carries Bắc Giang's old code
    assert gz.province("Hải Dương", on="2025-08") is None
    assert unit_iri(old) != unit_iri(new)
    assert unit_iri(old) == "https://w3id.org/bomay/id/unit/2023/27"


def test_ambiguous_name_is_none_until_province_given(gz):
    assert gz.resolve("xã Tân Lập") is None
    u = gz.resolve("xã Tân Lập", province="Hà Nội")
    assert u is not None and u.province == "01" and u.level == "commune"


def test_numbered_units(gz):
    q1 = gz.resolve("Quận 1")
    assert q1.name == "1" and q1.label == "quận 1" and q1.province == "79"


def test_hierarchy(gz):
    hd = gz.province("Hải Dương")
    names = {u.label for u in gz.children(hd)}
    assert {"thành phố Chí Linh", "thị xã Kinh Môn", "huyện Nam Sách"} <= names
    assert all(u.level == "district" for u in gz.children(hd))
    km = gz.resolve("thị xã Kinh Môn")
    assert all(u.parent == km.code for u in gz.children(km)) and gz.children(km)


def _spans(gz, text, **kw):
    return [(text[s:e], u.label) for s, e, u in gz.find_mentions(text, **kw)]


def test_mentions_need_type_word_and_capitals(gz):
    text = "Phát triển kinh tế - xã hội tại huyện Nam Sách và Thuận Thành."
    assert _spans(gz, text) == [("huyện Nam Sách", "huyện Nam Sách")]


def test_mentions_enumeration_and_wrong_type_word(gz):
    text = ("Tỉnh ủy Hải Dương dừng thí điểm tại thị trấn Kinh Môn, huyện Tứ Kỳ "
            "và các huyện Kim Thành, Bình Giang.")
    got = _spans(gz, text, province="Hải Dương")
    assert got == [
        ("Hải Dương", "tỉnh Hải Dương"),
        ("thị trấn Kinh Môn", "thị xã Kinh Môn"),
        ("huyện Tứ Kỳ", "huyện Tứ Kỳ"),
        ("huyện Kim Thành", "huyện Kim Thành"),
        ("Bình Giang", "huyện Bình Giang"),
    ]


def test_mentions_enumeration_stops_at_province(gz):
    got = _spans(gz, "tại huyện Nam Sách, Hải Dương")
    assert got == [("huyện Nam Sách", "huyện Nam Sách"), ("Hải Dương", "tỉnh Hải Dương")]


def test_mentions_container_disambiguates(gz):
    got = _spans(gz, "ở xã Tân Lập, huyện Đan Phượng")
    assert got[0] == ("xã Tân Lập", "xã Tân Lập") and len(got) == 2
    u = gz.find_mentions("ở xã Tân Lập, huyện Đan Phượng")[0][2]
    assert gz.get(u.parent).name == "Đan Phượng"


def test_mentions_offsets_are_nfc(gz):
    import unicodedata

    text = unicodedata.normalize("NFD", "Ở TP.HCM và huyện Thuận Thành")
    nfc_text = unicodedata.normalize("NFC", text)
    got = [(nfc_text[s:e], u.code) for s, e, u in gz.find_mentions(text)]
    assert got == [("TP.HCM", "79"), ("huyện Thuận Thành", "262")]


def test_mentions_after_reform(gz):
    got = _spans(gz, "phường Kinh Môn, thành phố Hải Phòng", on="2025-09-01")
    assert got == [("phường Kinh Môn", "phường Kinh Môn"), ("thành phố Hải Phòng", "thành phố Hải Phòng")]


def test_wrong_type_word_never_crosses_the_province_line(gz):
    assert gz.resolve("tỉnh Bắc Giang", on="2025-08-01") is None  # phường Bắc Giang is no province
    assert gz.resolve("tỉnh Bắc Giang", on="2024-01-01").code == "24"
    assert gz.resolve("tỉnh Kinh Môn") is None


def test_former_district_in_a_post_reform_article(gz):
    text = "Trước đây, huyện Thuận Thành đã thí điểm."
    got = gz.find_mentions(text, on="2026-01-01")
    assert [(u.era, u.code) for _, _, u in got] == [(PRE, "262")]
    assert gz.find_mentions(text, on="2026-01-01", fallback=False) == []


def test_party_committee_names_its_unit(gz):
    text = "Huyện ủy Yên Phong và Thị ủy Kinh Môn, Thành ủy Chí Linh; Huyện uỷ chỉ đạo."
    assert _spans(gz, text) == [
        ("Yên Phong", "huyện Yên Phong"), ("Kinh Môn", "thị xã Kinh Môn"), ("Chí Linh", "thành phố Chí Linh"),
    ]


_PIECES = ["huyện", "Huyện ủy", "Thuận", "Thành", "Kinh Môn", ",", " và ", "TP.", "HCM", "Quận", "1", " ",
           "xã", "Tân Lập", "(", "thị trấn", "Hải Dương", "\u0301", "ỷ", "\n", "Bắc Ninh", "-"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)))
def test_arbitrary_text_never_raises(text):
    gz = Gazetteer.default()
    n = len(nfc(text))
    for s, e, u in gz.find_mentions(text):
        assert 0 <= s < e <= n
        assert u.era in (PRE, POST)
    gz.resolve(text)
    gz.province(text)
