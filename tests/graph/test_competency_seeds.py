"""The seven competency questions answered on the two real seed articles (extracted by loaders, validated,
stored), on the embedded store and on Virtuoso, with the exact answers an analyst reads in the texts."""

from __future__ import annotations

from collections import Counter

from graph import resolve
from graph.named import run_named
from ontology.namespaces import article_graph

TYPE_WORDS = ("thành phố ", "thị xã ", "thị trấn ", "huyện ", "tỉnh ", "quận ", "xã ", "phường ")
BAC_NINH_ARTICLE = str(article_graph("000_3db7e80d1100efe9"))
HAI_DUONG_ARTICLE = str(article_graph("002_2638025429762e0c"))


def name(label: str | None) -> str:
    """A unit's name without its type word ("thị xã Kinh Môn" → "Kinh Môn")."""
    label = label or ""
    for word in TYPE_WORDS:
        if label.startswith(word):
            return label[len(word):]
    return label


def facts(rows, *keys):
    return Counter(tuple(name(r[k]) if k == "placeLabel" else r[k] for k in keys) for r in rows)


def test_each_seed_is_one_named_graph_holding_what_was_ingested(seeded_store):
    graphs = seeded_store.graphs()
    for iri, (_, report) in seeded_store.seed_timings.items():
        assert graphs[iri] == report.triples
    assert set(seeded_store.article_graphs()) == {BAC_NINH_ARTICLE, HAI_DUONG_ARTICLE}


def test_cq1_merged_offices_thuan_thanh_ended_kim_thanh_and_binh_giang_stopped(seeded_store):
    rows = run_named(seeded_store, "cq1_mergers")
    offices = [r for r in rows if "Văn phòng Huyện ủy" in r["modelLabel"]]
    assert facts(offices, "placeLabel", "statusKey", "when") == Counter({
        ("Thuận Thành", "ended", "2022-Q4"): 1,
        ("Kim Thành", "stopped", "2022-10"): 1,
        ("Bình Giang", "stopped", "2022-10"): 1,
    })
    assert {(name(r["placeLabel"]), name(r["provinceLabel"])) for r in offices} == {
        ("Thuận Thành", "Bắc Ninh"), ("Kim Thành", "Hải Dương"), ("Bình Giang", "Hải Dương")}


def test_cq1_every_merger_of_the_seeds(seeded_store):
    rows = run_named(seeded_store, "cq1_mergers")
    assert facts(rows, "placeLabel", "statusKey", "when") == Counter({
        ("Bắc Ninh", "researching", None): 1,
        ("Bắc Ninh", "paused", "2022-09"): 1,
        ("Thuận Thành", "ended", "2022-Q4"): 1,
        ("Kim Thành", "stopped", "2022-10"): 1,
        ("Bình Giang", "stopped", "2022-10"): 1,
        ("Hải Dương", "implemented", "2020-01"): 1,
        ("Hải Dương", "implemented", None): 3,
    })


def test_cq1_filtered_by_province_keeps_its_districts(seeded_store):
    province = resolve.unit(seeded_store, "Hải Dương", province=True)
    rows = run_named(seeded_store, "cq1_mergers", inProvince=province)
    assert {name(r["provinceLabel"]) for r in rows} == {"Hải Dương"}
    assert {name(r["placeLabel"]) for r in rows} == {"Hải Dương", "Kim Thành", "Bình Giang"}


def test_cq2_every_place_of_the_office_merger_with_its_latest_status(seeded_store):
    model = next(r["model"] for r in run_named(seeded_store, "cq1_mergers")
                 if "Văn phòng Huyện ủy" in r["modelLabel"])
    rows = run_named(seeded_store, "cq2_model_places", model=model)
    assert facts(rows, "placeLabel", "statusKey") == Counter({
        ("Thuận Thành", "ended"): 1, ("Kim Thành", "stopped"): 1, ("Bình Giang", "stopped"): 1})


def test_cq3_timeline_of_kinh_mon(seeded_store):
    place = resolve.unit(seeded_store, "Kinh Môn")
    rows = run_named(seeded_store, "cq3_place_timeline", place=place)
    assert facts(rows, "kindKey", "statusKey", "when") == Counter({
        ("concurrent_position", "stopped", "2022-10"): 2})
    assert {r["article"] for r in rows} == {"https://w3id.org/bomay/id/article/002_2638025429762e0c"}


def test_cq3_timeline_of_thuan_thanh(seeded_store):
    place = resolve.unit(seeded_store, "Thuận Thành")
    rows = run_named(seeded_store, "cq3_place_timeline", place=place)
    assert facts(rows, "kindKey", "statusKey", "when") == Counter({("merger", "ended", "2022-Q4"): 1})
    assert "Văn phòng Huyện ủy" in rows[0]["modelLabel"]


def test_cq4_what_plan_68_kh_tu_decided(seeded_store):
    rows = run_named(seeded_store, "cq4_document_decisions", number="68-KH/TU")
    assert {r["documentLabel"] for r in rows} == {"Kế hoạch 68-KH/TU"}
    assert Counter(r["statusKey"] for r in rows) == Counter(
        {"continued": 1, "researching": 3, "paused": 5, "ended": 1})
    assert facts([r for r in rows if r["statusKey"] == "ended"], "placeLabel", "kindKey") == Counter(
        {("Thuận Thành", "merger"): 1})


def test_cq5_concurrent_posts_stopped_in_hai_duong(seeded_store):
    province = resolve.unit(seeded_store, "Hải Dương", province=True)
    rows = run_named(seeded_store, "cq5_concurrent_paused", inProvince=province)
    assert facts(rows, "placeLabel", "statusKey", "when") == Counter({
        ("Kinh Môn", "stopped", "2022-10"): 2,
        ("Nam Sách", "stopped", "2022-10"): 1,
        ("Thanh Miện", "stopped", "2022-10"): 2,
        ("Tứ Kỳ", "stopped", "2022-10"): 1,
        ("Thanh Hà", "stopped", "2022-10"): 1,
    })


def test_cq5_concurrent_posts_paused_in_bac_ninh(seeded_store):
    province = resolve.unit(seeded_store, "Bắc Ninh", province=True)
    rows = run_named(seeded_store, "cq5_concurrent_paused", inProvince=province)
    assert facts(rows, "placeLabel", "statusKey", "when") == Counter({("Bắc Ninh", "paused", "2022-09"): 4})
    assert any("Giám đốc Sở Nội vụ" in r["modelLabel"] for r in rows)


def test_cq6_places_not_yet_implementing_and_their_deadline(seeded_store):
    rows = run_named(seeded_store, "cq6_not_implemented")
    assert facts(rows, "placeLabel", "when") == Counter({
        ("Hải Dương", None): 1, ("Chí Linh", "2024-Q2"): 1, ("Cẩm Giàng", "2024-Q2"): 1})


def test_cq7_the_sentence_behind_thuan_thanh_ending_its_merger(seeded_store):
    place = resolve.unit(seeded_store, "Thuận Thành")
    event = run_named(seeded_store, "cq3_place_timeline", place=place)[0]["event"]
    rows = run_named(seeded_store, "cq7_provenance", fact=event)
    assert [(r["docId"], r["exact"]) for r in rows] == [
        ("000_3db7e80d1100efe9", "Mô hình Văn phòng Huyện ủy – HĐND – UBND ở huyện Thuận Thành.")]
    text = seeded_store.select("SELECT ?t WHERE { ?a <https://w3id.org/bomay/ontology#text> ?t }",
                               a=_iri(rows[0]["article"]))[0]["t"]
    assert text[rows[0]["start"]:rows[0]["end"]] == rows[0]["exact"]


def _iri(value: str):
    from graph.terms import IRI

    return IRI(value)
