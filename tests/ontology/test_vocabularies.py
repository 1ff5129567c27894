"""The SKOS schemes are the extractor's lexicon: complete labels, no clashes, sound links."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pytest
from rdflib import RDF, SKOS, Literal, URIRef

import ontology
from ontology import SCHEMES, by_label, concept, concepts, load
from ontology.text import fold, nfc, slug

STATUSES = {
    "continued", "researching", "planned", "implemented", "not_implemented", "paused", "stopped", "ended",
}
MODERN_TONE = re.compile(r"(?<![qQ])(?:òa|óa|ỏa|õa|ọa|òe|óe|ỏe|õe|ọe|ùy|úy|ủy|ũy|ụy)(?!\w)", re.IGNORECASE)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_concept_has_one_vi_and_one_en_pref_label(scheme: str) -> None:
    graph = load()
    found = concepts(scheme)
    assert found
    for c in found:
        langs = [o.language for o in graph.objects(URIRef(c.iri), SKOS.prefLabel) if isinstance(o, Literal)]
        assert sorted(langs) == ["en", "vi"], c.iri


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_two_concepts_in_a_scheme_share_a_label(scheme: str) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for c in concepts(scheme):
        for label in c.labels_vi:
            owners[label.casefold()].add(c.slug)
    clashes = {label: sorted(slugs) for label, slugs in owners.items() if len(slugs) > 1}
    assert not clashes


@pytest.mark.parametrize("scheme", SCHEMES)
def test_labels_are_composed_and_trimmed(scheme: str) -> None:
    for c in concepts(scheme):
        for label in c.labels_vi:
            assert unicodedata.is_normalized("NFC", label), label
            assert label == label.strip() and "  " not in label, label


def old_tone(label: str) -> str:
    """The old-style tone placement of a label ("Huyện ủy" → "Huyện uỷ")."""
    def swap(m: re.Match) -> str:
        first, second = m.group(0)
        decomposed = unicodedata.normalize("NFD", first)  # vowel + mark: the mark moves to the 2nd
        return decomposed[0] + unicodedata.normalize("NFC", second + decomposed[1:])

    return MODERN_TONE.sub(swap, label)


def test_old_tone_helper() -> None:
    assert old_tone("Huyện ủy") == "Huyện uỷ"
    assert old_tone("Văn hóa") == "Văn hoá"
    assert old_tone("Quý") == "Quý"
    assert nfc(old_tone("Ủy ban")) == "Ủy ban"


@pytest.mark.parametrize("scheme", ["agency-type", "position-type"])
def test_old_tone_spelling_is_an_alt_label_of_every_label(scheme: str) -> None:
    """Text arrives with "uỷ" as often as "ủy": each label's old-style spelling must be there too."""
    for c in concepts(scheme):
        folded = {label.casefold() for label in c.labels_vi}
        for label in c.labels_vi:
            assert old_tone(label).casefold() in folded, f"{c.slug}: no {old_tone(label)!r}"


@pytest.mark.parametrize("scheme", ["agency-type", "position-type"])
def test_en_dash_labels_also_come_with_hyphens(scheme: str) -> None:
    for c in concepts(scheme):
        folded = {label.casefold() for label in c.labels_vi}
        for label in c.labels_vi:
            if "–" in label:
                assert re.sub(r"\s*–\s*", " - ", label).casefold() in folded, label
                assert re.sub(r"\s*–\s*", "-", label).casefold() in folded, label


@pytest.mark.parametrize("scheme", SCHEMES)
def test_broader_links_stay_in_the_scheme_without_cycles(scheme: str) -> None:
    by_iri = {c.iri: c for c in concepts(scheme)}
    for c in by_iri.values():
        seen, todo = set(), list(c.broader)
        while todo:
            b = todo.pop()
            assert b in by_iri, f"{c.slug} → {b}"
            assert b != c.iri, f"cycle through {c.slug}"
            if b not in seen:
                seen.add(b)
                todo.extend(by_iri[b].broader)


def test_scheme_members_are_declared_and_typed() -> None:
    graph = load()
    for scheme in SCHEMES:
        scheme_iri = URIRef(f"https://w3id.org/bomay/vocab/{scheme}")
        assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in graph
        for c in concepts(scheme):
            assert c.iri == f"{scheme_iri}/{c.slug}"
            assert (URIRef(c.iri), RDF.type, SKOS.Concept) in graph


def test_status_and_model_kind_slugs_are_the_facts_values() -> None:
    assert {c.slug for c in concepts("status")} == STATUSES
    assert {c.slug for c in concepts("model-kind")} == {"merger", "concurrent_position", "other"}
    assert [c.slug for c in sorted(concepts("level"), key=lambda c: ontology.LEVELS.index(c.slug))] == list(
        ontology.LEVELS
    )


def test_status_triggers_are_unambiguous() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for c in concepts("status"):
        assert c.triggers, c.slug
        for t in c.triggers:
            owners[t.casefold()].add(c.slug)
    assert {t: s for t, s in owners.items() if len(s) > 1} == {}


def test_levels_and_agency_links_point_to_existing_concepts() -> None:
    levels = {c.slug for c in concepts("level")}
    agencies = {c.iri for c in concepts("agency-type")}
    for scheme in ("agency-type", "position-type", "unit-type"):
        for c in concepts(scheme):
            assert set(c.levels) <= levels, c.slug
            assert c.levels or c.central, f"{c.slug} has no level"
    for c in concepts("position-type"):
        assert set(c.in_agency_types) <= agencies, c.slug


def test_agency_and_position_slugs_follow_the_folding_rule() -> None:
    """Local names are slug(prefLabel) so that loaders can mint component keys without a lookup."""
    exceptions = {"ban-village": "Bản", "truong-ban-village": "Trưởng bản"}
    for scheme in ("agency-type", "position-type"):
        for c in concepts(scheme):
            if c.slug in exceptions:
                assert c.pref_vi == exceptions[c.slug]
            else:
                assert c.slug == slug(c.pref_vi), c.iri


def test_categories_are_known() -> None:
    known = {"party", "state", "front", "mass", "association", "service", "security", "community", "general"}
    for scheme in ("agency-type", "position-type"):
        for c in concepts(scheme):
            assert c.category in known, c.slug


def test_document_kinds_carry_number_codes() -> None:
    codes = {c.slug: c.codes for c in concepts("document-kind")}
    assert codes["plan"] == ("KH",) and codes["resolution"] == ("NQ",) and codes["decree"] == ("NĐ",)
    assert codes["regulation"] == ("QĐi",) and codes["scheme"] == ("ĐA",)
    assert all(codes.values())


def _find(scheme: str, text: str) -> str | None:
    key = text.casefold()
    for c in concepts(scheme):
        if key in {label.casefold() for label in c.labels_vi}:
            return c.slug
    return None


@pytest.mark.parametrize(("text", "slug_"), [
    ("HĐND", "hoi-dong-nhan-dan"), ("UBND", "uy-ban-nhan-dan"), ("Ủy ban nhân dân", "uy-ban-nhan-dan"),
    ("Uỷ ban nhân dân", "uy-ban-nhan-dan"), ("MTTQ", "mat-tran-to-quoc-viet-nam"),
    ("UBMTTQ", "uy-ban-mat-tran-to-quoc"), ("Ủy ban MTTQ", "uy-ban-mat-tran-to-quoc"),
    ("UBKT", "uy-ban-kiem-tra"), ("Huyện uỷ", "huyen-uy"), ("Tỉnh ủy", "tinh-uy"), ("Thành uỷ", "thanh-uy"),
    ("Văn phòng HĐND và UBND", "van-phong-hdnd-va-ubnd"), ("Văn phòng Huyện ủy", "van-phong-huyen-uy"),
    ("Văn phòng Huyện ủy - HĐND - UBND", "van-phong-huyen-uy-hdnd-ubnd"), ("Sở Nội vụ", "so-noi-vu"),
    ("Sở LĐ-TB&XH", "so-lao-dong-thuong-binh-va-xa-hoi"), ("Phòng Nội vụ", "phong-noi-vu"),
    ("Trung tâm GDNN-GDTX", "trung-tam-giao-duc-nghe-nghiep-giao-duc-thuong-xuyen"),
    ("CDC", "trung-tam-kiem-soat-benh-tat"), ("Trung tâm bồi dưỡng chính trị", "trung-tam-chinh-tri"),
    ("Đảng bộ Khối Doanh nghiệp", "dang-uy-khoi-doanh-nghiep"), ("BTV", "ban-thuong-vu"),
    ("Đoàn ĐBQH", "doan-dbqh"), ("Thanh tra", "thanh-tra"), ("tổ dân phố", "to-dan-pho"),
    ("Đảng ủy xã", "dang-uy-xa"), ("chi bộ", "chi-bo"), ("Ban cán sự đảng", "ban-can-su-dang"),
    ("Đảng đoàn", "dang-doan"), ("Hội LHPN", "hoi-lien-hiep-phu-nu"), ("Công an xã", "cong-an-xa"),
])
def test_lexicon_knows_agency_names(text: str, slug_: str) -> None:
    assert _find("agency-type", text) == slug_


@pytest.mark.parametrize(("text", "slug_"), [
    ("Bí thư", "bi-thu"), ("Phó Bí thư", "pho-bi-thu"), ("Chủ tịch UBND", "chu-tich-ubnd"),
    ("Chủ tịch Ủy ban Mặt trận Tổ quốc", "chu-tich-uy-ban-mttq"), ("Trưởng ban", "truong-ban"),
    ("Giám đốc", "giam-doc"), ("Trưởng phòng", "truong-phong"), ("Chánh Thanh tra", "chanh-thanh-tra"),
    ("Chủ nhiệm UBKT", "chu-nhiem-uy-ban-kiem-tra"), ("Chánh Văn phòng", "chanh-van-phong"),
    ("Trưởng thôn", "truong-thon"), ("Bí thư chi bộ", "bi-thu-chi-bo"), ("người đứng đầu", "nguoi-dung-dau"),
    ("Trưởng Công an xã", "truong-cong-an-xa"), ("Chỉ huy trưởng Quân sự", "chi-huy-truong-quan-su"),
    ("Tư pháp - Hộ tịch", "cong-chuc-tu-phap-ho-tich"), ("Trưởng Ban Tổ chức", "truong-ban-to-chuc"),
])
def test_lexicon_knows_position_names(text: str, slug_: str) -> None:
    assert _find("position-type", text) == slug_


def test_the_lexicon_is_broad() -> None:
    assert len(concepts("agency-type")) >= 150
    assert len(concepts("position-type")) >= 60
    assert {lv for c in concepts("agency-type") for lv in c.levels} == set(ontology.LEVELS)


def test_concept_lookup_and_unknown_scheme() -> None:
    assert concept("status", "paused").pref_en == "Paused"
    assert concept("level", "district").pref_vi == "Cấp huyện"
    with pytest.raises(KeyError):
        concepts("colours")
    with pytest.raises(KeyError):
        concept("status", "forgotten")


def test_by_label_finds_concepts_without_diacritics() -> None:
    index = by_label("agency-type")
    assert [c.slug for c in index[fold("Huyện uỷ")]] == ["huyen-uy"]
    assert [c.slug for c in index["ubmttq"]] == ["uy-ban-mat-tran-to-quoc"]
    ambiguous = {key for scheme in SCHEMES for key, found in by_label(scheme).items() if len(found) > 1}
    assert ambiguous == {"truong ban"}  # Trưởng ban (head of board) / Trưởng bản (head of highland village)


def test_concepts_are_frozen_and_lists_are_fresh() -> None:
    first = concepts("status")
    with pytest.raises(AttributeError):
        first[0].slug = "other"  # type: ignore[misc]
    first.clear()
    assert len(concepts("status")) == 8
