"""Normalisation, HTML, segmentation, and the promise that no input makes extraction raise."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.extract import extract_document
from loaders.normalise import html_to_text, prepare
from loaders.segment import segment


def test_matching_copy_keeps_length_and_modernises_tone_marks():
    doc = prepare("Ban Tổ chức Huyện uỷ\u00a0Thanh Hoá")
    assert len(doc.match) == len(doc.text)
    assert doc.match == "Ban Tổ chức Huyện ủy Thanh Hóa"
    assert doc.text == "Ban Tổ chức Huyện uỷ\u00a0Thanh Hoá"


def test_decomposed_input_is_composed_first():
    decomposed = unicodedata.normalize("NFD", "Tỉnh ủy")
    assert prepare(decomposed).text == "Tỉnh ủy"


def test_comment_form_and_rating_lines_are_not_article_text():
    doc = prepare("Tiêu đề\n\nRate this post\n\nĐoạn một.\n\nĐoạn hai.\n\nLeave a Reply\n\nTên của bạn")
    kept = [doc.text[p.start:p.end] for p in segment(doc)]
    assert kept == ["Tiêu đề", "Đoạn một.", "Đoạn hai."]


def test_html_page_becomes_text_without_scripts_or_share_buttons():
    html = ("<html><head><title>Trang báo</title></head><body><h1>Tiêu đề bài</h1>"
            "<script>var x=1;</script><p>Đoạn <b>một</b>.</p>"
            "<div class='share-buttons'>Chia sẻ Facebook</div><form>Gửi bình luận</form></body></html>")
    assert html_to_text(html) == "Tiêu đề bài\n\nĐoạn một."


def test_headings_with_broken_numbering_open_sections():
    doc = prepare("Tiêu đề\n\n1. Mô hình tạm dừng:\n\nMục một.\n\n1. Mô hình kết thúc:\n\nMục hai.")
    paras = segment(doc)
    kinds = [p.kind for p in paras]
    assert kinds == ["title", "heading", "para", "heading", "para"]
    assert paras[2].section == 1 and paras[4].section == 3


def test_sentences_and_clauses_carry_offsets_into_the_text():
    doc = prepare("Tiêu đề\n\nCâu một có số 1.200 người. Câu hai; vế sau.")
    para = segment(doc)[1]
    spans = [doc.text[c.start:c.end] for s in para.sentences for c in s.clauses]
    assert spans == ["Câu một có số 1.200 người.", "Câu hai", "vế sau."]


def test_evidence_is_a_substring_of_the_nfc_text_as_given():
    text = ("Tin Hà Tĩnh\n\nTỉnh Hà Tĩnh tạm dừng mô hình Trưởng Ban Dân vận Huyện uỷ "
            "kiêm Chủ tịch MTTQ huyện.")
    facts = extract_document(text, "x")
    ev = facts["models"][0]["evidence"]
    assert text[ev["start"]:ev["end"]] == ev["text"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_unicode_never_raises(text):
    facts = extract_document(text, "any")
    assert facts["id"] == "any"
    nfc_text = unicodedata.normalize("NFC", text)
    for f in facts["models"]:
        ev = f["evidence"]
        assert ev["text"] == nfc_text[ev["start"]:ev["end"]] or "<" in text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["mô hình", "đồng thời là", "kiêm", "Bí thư", "Trưởng Ban", "hợp nhất",
                                 "Văn phòng", " với ", "huyện Nam Sách", ", ", "; ", ". ", "\n", "cấp tỉnh",
                                 "cấp huyện", "12/12", "quý IV/2022", "tạm dừng", "này", "sáp nhập"]),
                max_size=40))
def test_domain_word_soup_never_raises(words):
    extract_document("".join(words), "soup")
