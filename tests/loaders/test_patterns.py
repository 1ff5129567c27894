"""Every relation pattern in loaders/lexicons/patterns.yaml fires on its own example sentence and produces
what the entry says; every fact names the pattern that made it and a confidence."""

import pytest

from loaders.extract import extract_document
from loaders.lexicon import load
from ontology.text import fold

PATTERNS = load("patterns")["patterns"]


def _article(entry: dict) -> str:
    province = entry.get("province", "Hà Nam")
    return f"Tin {province}\n\n{entry['example']}"


@pytest.mark.parametrize("entry", PATTERNS, ids=[p["id"] for p in PATTERNS])
def test_pattern_fires_on_its_example_and_produces_what_it_says(entry):
    facts = extract_document(_article(entry), "example")["models"]
    mine = [f for f in facts if f["rule"] == entry["id"]]
    assert mine, f"{entry['id']} did not fire; facts: {[(f['rule'], f['components']) for f in facts]}"
    want = entry["produces"]

    def fits(f: dict) -> bool:
        comps = [fold(c) for c in f["components"]]
        return (f["kind"] == want["kind"]
                and len(comps) == len(want["components"])
                and all(fold(w) in c for w, c in zip(want["components"], comps, strict=True))
                and ("place" not in want or fold(f["place"]["name"]) == fold(want["place"]))
                and ("status" not in want or f["status"] == want["status"]))

    assert any(fits(f) for f in mine), [(f["kind"], f["components"], f["place"], f["status"]) for f in mine]


def test_every_pattern_id_is_unique_and_has_an_example():
    ids = [p["id"] for p in PATTERNS]
    assert len(ids) == len(set(ids))
    assert all(p["example"].strip() and 0 < p["confidence"] <= 1 for p in PATTERNS)


def test_every_fact_carries_its_rule_and_a_confidence_between_0_and_1():
    text = ("Tin Hà Nam\n\nNăm 2019, huyện Thanh Liêm đã sáp nhập Phòng Văn hóa và Thông tin với Đài "
            "Truyền thanh huyện. Huyện Kim Bảng thực hiện mô hình Bí thư Huyện ủy đồng thời là Chủ tịch "
            "UBND huyện.")
    facts = extract_document(text, "two")["models"]
    assert len(facts) == 2
    assert {f["rule"] for f in facts} == {"merger.object", "concurrency.trigger"}
    assert all(0 < f["confidence"] <= 1 for f in facts)


def test_a_place_named_in_the_clause_is_surer_than_the_articles_province():
    named = extract_document("Tin Hà Nam\n\nHuyện Kim Bảng đã hợp nhất Phòng Y tế với Trung tâm Y tế "
                             "huyện.", "a")["models"][0]
    assumed = extract_document("Tin Hà Nam\n\nĐã hợp nhất Phòng Y tế với Trung tâm Y tế huyện.",
                               "b")["models"][0]
    assert assumed["place"]["name"] == "tỉnh Hà Nam"
    assert named["confidence"] > assumed["confidence"]


def test_two_party_posts_joined_by_a_hyphen_are_not_a_concurrency_model():
    out = extract_document("Tin Vĩnh Phúc\n\nĐồng chí Phó Bí thư - Trưởng Ban Tổ chức Huyện ủy dự họp.", "n")
    assert out["models"] == []


def test_a_hyphenated_title_takes_the_unit_written_with_it_not_another_of_the_clause():
    out = extract_document("Tin Vĩnh Phúc\n\nTrước khi là Bí thư Huyện ủy - Chủ tịch UBND huyện Tam Đảo, ông "
                           "từng làm Chủ tịch huyện (Lập Thạch).", "p")
    assert [f["place"]["name"] for f in out["models"]] == ["huyện Tam Đảo"]


def test_a_promotion_within_one_family_of_posts_is_not_a_concurrency_model():
    out = extract_document("Tin Hà Giang\n\nÔng Lê Văn Cường, Phó Chủ tịch UBND huyện, được bầu giữ chức Chủ "
                           "tịch UBND huyện Quản Bạ.", "promo")
    assert out["models"] == []


def test_a_post_after_a_persons_name_and_titles_is_their_title_but_a_clause_in_between_ends_the_person():
    titled = extract_document("Tin Hà Nam\n\nĐồng chí Trần Văn An, Ủy viên Ban Thường vụ, Bí thư Huyện ủy "
                              "kiêm Chủ tịch HĐND huyện Lý Nhân phát biểu.", "t")["models"]
    spoken = extract_document("Tin Hà Nam\n\nTheo ông An, trong bối cảnh hiện nay, tỉnh đã thực hiện mô hình "
                              "Bí thư Huyện ủy kiêm Chủ tịch UBND huyện tại huyện Lý Nhân.", "s")["models"]
    assert titled == []
    assert [(f["kind"], f["place"]["name"]) for f in spoken] == [("concurrent_position", "huyện Lý Nhân")]


def test_every_rule_a_fact_names_is_listed_in_the_patterns_file():
    known = {p["id"] for p in PATTERNS}
    for entry in PATTERNS:
        for f in extract_document(_article(entry), "example")["models"]:
            assert f["rule"] in known, f["rule"]
