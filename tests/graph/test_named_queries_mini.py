"""The seven competency questions on the hand-written miniature, on both stores (exact answers)."""

from __future__ import annotations

import pytest

from graph.named import COMPETENCY_QUESTIONS, get, named_queries, run_named

U = "https://w3id.org/bomay/id/"
OFFICES = U + "model/merger/district/van-phong-huyen-uy-hdnd-ubnd"


def table(rows, *keys):
    return sorted(tuple(r[k] for k in keys) for r in rows)


def test_every_competency_question_is_a_named_query_with_a_title():
    for name in COMPETENCY_QUESTIONS:
        assert name in named_queries()
        assert get(name).title.startswith(f"CQ{name[2]}")


def test_cq1_merged_offices_where_with_status_and_date(mini_store):
    rows = run_named(mini_store, "cq1_mergers")
    assert table(rows, "modelLabel", "placeLabel", "statusKey", "when") == [
        ("Văn phòng Huyện ủy – HĐND – UBND", "huyện Bình Giang", "stopped", "2022-10"),
        ("Văn phòng Huyện ủy – HĐND – UBND", "huyện Kim Thành", "stopped", "2022-10"),
        ("Văn phòng Huyện ủy – HĐND – UBND", "huyện Thuận Thành", "ended", "2022-Q4"),
    ]


def test_cq1_filtered_by_province(mini_store):
    rows = run_named(mini_store, "cq1_mergers", inProvince=U + "unit/2023/27")
    assert table(rows, "placeLabel", "statusKey") == [("huyện Thuận Thành", "ended")]


def test_cq2_every_place_of_a_model_with_its_latest_status(mini_store):
    rows = run_named(mini_store, "cq2_model_places", model=OFFICES)
    assert table(rows, "placeLabel", "statusKey") == [
        ("huyện Bình Giang", "stopped"), ("huyện Kim Thành", "stopped"), ("huyện Thuận Thành", "ended")]


def test_cq3_timeline_of_a_place(mini_store):
    rows = run_named(mini_store, "cq3_place_timeline", place=U + "unit/2023/262")
    assert table(rows, "modelLabel", "kindKey", "statusKey", "when") == [
        ("Văn phòng Huyện ủy – HĐND – UBND", "merger", "ended", "2022-Q4")]


def test_cq3_needs_its_place():
    with pytest.raises(ValueError):
        get("cq3_place_timeline").values({})


def test_cq4_what_the_plan_decided(mini_store):
    rows = run_named(mini_store, "cq4_document_decisions", number="68-KH/TU")
    assert table(rows, "modelLabel", "statusKey") == [
        ("Trưởng Ban Tổ chức Tỉnh ủy – Giám đốc Sở Nội vụ", "paused"),
        ("Văn phòng Huyện ủy – HĐND – UBND", "ended"),
    ]


def test_cq5_concurrent_posts_paused_or_stopped_in_a_province(mini_store):
    rows = run_named(mini_store, "cq5_concurrent_paused", inProvince=U + "unit/2023/27")
    assert table(rows, "modelLabel", "placeLabel", "statusKey", "when") == [
        ("Trưởng Ban Tổ chức Tỉnh ủy – Giám đốc Sở Nội vụ", "tỉnh Bắc Ninh", "paused", "2022-09")]
    assert run_named(mini_store, "cq5_concurrent_paused", inProvince=U + "unit/2023/30") == []


def test_cq6_places_not_yet_implementing_and_their_deadline(mini_store):
    rows = run_named(mini_store, "cq6_not_implemented")
    assert table(rows, "placeLabel", "when") == [
        ("huyện Cẩm Giàng", "2024-Q2"), ("thành phố Chí Linh", "2024-Q2")]


def test_cq7_article_and_sentence_of_a_fact(mini_store):
    rows = run_named(mini_store, "cq7_provenance", fact=U + "event/002_2638025429762e0c/1")
    assert table(rows, "docId", "start", "end", "exact") == [(
        "002_2638025429762e0c", 0, 98,
        "Dừng việc hợp nhất Văn phòng Huyện ủy với Văn phòng HĐND và UBND huyện Kim Thành và Bình Giang.")]
