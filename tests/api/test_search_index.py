"""The search index on rows written for the test: a graph replaced or dropped leaves the index as if built
without it, abbreviations both ways, ranks, a unit in two eras as one hit, places shown once applied;
and on a store: what reviews retract leaves the index."""

from __future__ import annotations

from api.search_index import SearchIndex

B = "https://w3id.org/bomay/ontology#"
U = "https://w3id.org/bomay/id/unit/"
A = "https://w3id.org/bomay/id/agency/"
GAZ, ONE, TWO = "urn:g:gazetteer", "urn:g:article/one", "urn:g:article/two"


def entry(g: str, item: str, cls: str, label: str, key: str | None = None) -> dict:
    return {"g": g, "kind": "entry", "item": item, "class": B + cls, "label": label, "key": key}


GAZETTEER = [
    entry(GAZ, U + "2023/70", "Province", "tỉnh Hòa Bình", "hoa binh"),
    entry(GAZ, U + "2025/70", "Province", "tỉnh Hòa Bình", "hoa binh"),
    {"g": GAZ, "kind": "same", "item": U + "2023/70", "other": U + "2025/70"},
    entry(GAZ, U + "2023/700", "District", "huyện Lạc Sơn", "lac son"),
    entry(GAZ, U + "2023/701", "District", "huyện Lạc Thủy", "lac thuy"),
]
ARTICLE_ONE = [
    entry(ONE, A + "ubkt-lac-son", "Agency", "UBKT Huyện ủy Lạc Sơn"),
    entry(ONE, U + "2023/700", "AdministrativeUnit", "huyện Lạc Sơn"),
    {"g": ONE, "kind": "applied", "item": U + "2023/700"},
]
ARTICLE_TWO = [
    entry(TWO, A + "ubkt-lac-thuy", "Agency", "Ủy ban Kiểm tra Huyện ủy Lạc Thủy"),
    entry(TWO, U + "2023/701", "AdministrativeUnit", "huyện Lạc Thủy"),
    {"g": TWO, "kind": "applied", "item": U + "2023/701"},
]


def found(index: SearchIndex, q: str) -> list[tuple[str, str]]:
    return [(h.item.rsplit("/", 1)[-1], h.match) for h in index.search(q).hits]


def test_dropping_a_graph_is_as_if_it_never_was() -> None:
    built = SearchIndex()
    built.load(GAZETTEER + ARTICLE_ONE + ARTICLE_TWO)
    without = SearchIndex()
    without.load(GAZETTEER + ARTICLE_ONE)
    assert found(built, "lac thuy") and found(built, "lac thuy") != found(without, "lac thuy")
    built.replace_graph(TWO, [])
    for q in ("lac", "lac thuy", "ubkt", "hoa binh", "huyen uy"):
        assert found(built, q) == found(without, q), q
    built.replace_graph(TWO, ARTICLE_TWO)  # and written again
    again = SearchIndex()
    again.load(GAZETTEER + ARTICLE_TWO + ARTICLE_ONE)
    assert found(built, "lac") == found(again, "lac")


def test_abbreviations_both_ways_and_ranks() -> None:
    index = SearchIndex()
    index.load(GAZETTEER + ARTICLE_ONE + ARTICLE_TWO)
    assert {i for i, _ in found(index, "ubkt")} == {"ubkt-lac-son", "ubkt-lac-thuy"}
    assert {i for i, _ in found(index, "uy ban kiem tra")} == {"ubkt-lac-son", "ubkt-lac-thuy"}
    assert found(index, "huyen lac son")[0] == ("700", "exact")
    assert dict(found(index, "son lac"))["700"] == "words"
    assert dict(found(index, "ac so"))["700"] == "contains"


def test_a_unit_in_two_eras_is_one_hit_and_places_show_once_applied() -> None:
    index = SearchIndex()
    index.load(GAZETTEER)
    hits = index.search("hoa binh").hits
    assert [(h.item, h.also) for h in hits] == [(U + "2025/70", (U + "2023/70",))]
    assert not found(index, "lac son")  # a district without a pilot is not a search result
    index.replace_graph(ONE, ARTICLE_ONE)
    assert ("700", "exact") in found(index, "huyen lac son")
    index.replace_graph(ONE, [])
    assert not found(index, "lac son")


def test_a_page_and_the_total() -> None:
    index = SearchIndex()
    index.load(GAZETTEER + ARTICLE_ONE + ARTICLE_TWO)
    whole = index.search("lac")
    assert whole.total == len(whole.hits) == 4
    assert index.search("lac", 1, 2).hits == whole.hits[1:3]


def test_what_a_review_retracts_leaves_the_index(tmp_path) -> None:
    """A reviewer rejects the fact naming an agency: its label and type are retracted from the article, so
    the agency is no longer found through it, and the index refreshed after the review write is the one
    built afresh from the store."""
    from rdflib import RDF, RDFS, Graph, Literal, URIRef

    from api.search_index import build, read
    from graph.embedded import EmbeddedStore
    from graph.store import RETRACTED_FROM, paired_graphs
    from ontology.namespaces import BOMAY, GRAPH

    article_graph, review_graph = str(GRAPH["article/thu"]), str(GRAPH["review/thu"])
    agency, place, app = URIRef(A + "ban-thu-nghiem"), URIRef(U + "2023/999"), URIRef("urn:test:app")
    article = Graph()
    for t in [(agency, RDF.type, BOMAY.Agency), (agency, RDFS.label, Literal("Ban Thử Nghiệm", lang="vi")),
              (app, BOMAY.place, place), (place, RDF.type, BOMAY.Commune),
              (place, RDFS.label, Literal("xã Thử Nghiệm", lang="vi"))]:
        article.add(t)
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(article_graph, article)
    index = build(store)
    assert {i for i, _ in found(index, "thu nghiem")} == {"999", "ban-thu-nghiem"}
    review = Graph()
    for k, (s, p, o) in enumerate([(agency, RDF.type, BOMAY.Agency),
                                   (agency, RDFS.label, Literal("Ban Thử Nghiệm", lang="vi"))]):
        st = URIRef(f"urn:test:st{k}")
        for t in [(st, RDF.subject, s), (st, RDF.predicate, p), (st, RDF.object, o),
                  (st, URIRef(RETRACTED_FROM), URIRef(article_graph))]:
            review.add(t)
    store.replace_graph(review_graph, review)
    for g in paired_graphs(review_graph):  # what api.search_index.refresh does after the write
        index.replace_graph(g, [{**r, "g": g} for r in read(store, g)])
    assert {i for i, _ in found(index, "thu nghiem")} == {"999"}
    assert found(index, "thu nghiem") == found(build(store), "thu nghiem")
    store.close()
