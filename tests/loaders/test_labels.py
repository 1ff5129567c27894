"""Model labels (one canonical component order, capital first letter, each office once), article and
document labels and search keys, and the Vietnamese collation every list sorts labels by."""

from rdflib import RDF, RDFS, URIRef

from loaders.extract import extract_document
from loaders.rdf import facts_to_graph
from loaders.roles import component_rank, distinct_components
from ontology.namespaces import BOMAY, ID
from ontology.text import collation_key, fold

# Written for these tests: the merged office named two ways, committee office before the party's.
MERGED = ("Tin Lạng Sơn\n\nTỉnh Lạng Sơn tạm dừng hợp nhất Văn phòng HĐND và UBND huyện với "
          "Văn phòng Huyện ủy ở huyện Cao Lộc từ tháng 3/2023.")
THREE = ("Tin Lạng Sơn\n\nTỉnh Lạng Sơn tạm dừng mô hình hợp nhất Văn phòng UBND huyện, Văn phòng HĐND huyện "
         "và Văn phòng Huyện ủy ở huyện Cao Lộc từ tháng 3/2023.")


def graph_of(text: str, doc_id: str):
    return facts_to_graph(extract_document(text, doc_id), text)


def model_of(g):
    return next(g.subjects(RDF.type, BOMAY.MergerModel))


def test_merged_office_is_its_two_offices_in_party_council_committee_order():
    for text in (MERGED, THREE):
        g = graph_of(text, "x")
        model = model_of(g)
        assert str(g.value(model, RDFS.label)) == (
            "Hợp nhất Văn phòng Huyện ủy, Văn phòng HĐND, Văn phòng UBND (cấp huyện)")
        components = {str(c).rsplit("/", 1)[1] for c in g.objects(model, BOMAY.component)}
        assert components == {"van-phong-huyen-uy", "van-phong-hdnd", "van-phong-ubnd"}


def test_both_wordings_give_one_model_with_one_label():
    a, b = graph_of(MERGED, "a"), graph_of(THREE, "b")
    assert model_of(a) == model_of(b)
    assert a.value(model_of(a), RDFS.label) == b.value(model_of(b), RDFS.label)


def test_ranks_follow_the_vocabulary_families():
    ranks = [component_rank(c) for c in ("Ban Tổ chức Huyện ủy", "Văn phòng HĐND huyện", "Phòng Nội vụ",
                                         "Ủy ban MTTQ huyện", "Hội Nông dân huyện")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
    # a general post takes the family of the body it heads
    assert component_rank("người đứng đầu UBND cấp huyện") == component_rank("Phòng Nội vụ")


def test_concurrent_posts_are_ordered_and_the_label_capitalised():
    parts = distinct_components(["người đứng đầu UBND cấp huyện", "Bí thư Huyện ủy"])
    assert [text for text, _ in parts] == ["Bí thư Huyện ủy", "người đứng đầu UBND cấp huyện"]
    text = ("Tin Lạng Sơn\n\nHuyện Cao Lộc thí điểm người đứng đầu UBND cấp huyện đồng thời là Chủ tịch "
            "Ủy ban MTTQ cấp huyện từ năm 2023.")
    g = graph_of(text, "c")
    labels = [str(g.value(m, RDFS.label)) for m in g.subjects(RDF.type, BOMAY.ConcurrentPositionModel)]
    assert labels and all(lb[0].isupper() for lb in labels), labels


def test_article_title_is_its_label_and_search_key():
    text = "# title: Lạng Sơn sắp xếp lại các văn phòng\n" + MERGED
    g = graph_of(text, "t")
    article = URIRef(ID["article/t"])
    assert str(g.value(article, RDFS.label)) == "Lạng Sơn sắp xếp lại các văn phòng"
    assert str(g.value(article, BOMAY.searchKey)) == "lang son sap xep lai cac van phong"


def test_legal_document_has_a_folded_search_key():
    text = ("Tin Lạng Sơn\n\nThực hiện Nghị quyết số 18-NQ/TW, Tỉnh Lạng Sơn tạm dừng hợp nhất Văn phòng "
            "HĐND và UBND huyện với Văn phòng Huyện ủy ở huyện Cao Lộc.")
    g = graph_of(text, "d")
    keys = {str(k) for d in g.subjects(BOMAY.documentNumber, None) for k in g.objects(d, BOMAY.searchKey)}
    assert any(k.startswith("nghi quyet 18 nq tw") for k in keys), keys


def test_vietnamese_collation_orders_letters_then_tones():
    labels = ["Văn phòng UBND", "Đảng ủy Khối", "Ủy ban Kiểm tra", "Dân vận", "Ban Tổ chức", "Bà Rịa",
              "Ăn Giang", "An Giang", "Ân Thi", "Hà Nam", "Hàm Yên", "Hạ Long", "Ha Giang"]
    assert sorted(labels, key=collation_key) == [
        "An Giang", "Ăn Giang", "Ân Thi", "Bà Rịa", "Ban Tổ chức", "Dân vận", "Đảng ủy Khối",
        "Ha Giang", "Hạ Long", "Hà Nam", "Hàm Yên", "Ủy ban Kiểm tra", "Văn phòng UBND"]
    assert sorted(labels).index("Đảng ủy Khối") > sorted(labels).index("Văn phòng UBND")  # code points
    # one base, the six tones: none, huyền, hỏi, ngã, sắc, nặng
    tones = ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(reversed(tones), key=collation_key) == tones
    assert fold("Đảng") == "dang"
