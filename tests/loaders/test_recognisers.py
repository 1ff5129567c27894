"""Recognisers on phrases written for the tests: dates, counts, document numbers, statuses, levels."""

from loaders.counts import find_counts
from loaders.dates import find_dates
from loaders.docnums import find_documents, unique_documents
from loaders.levels import component_level, level_enumeration
from loaders.status import find_cues, heading_status


def dates(text: str) -> list[str]:
    return [d.value for d in find_dates(text.lower())]


def test_dates_in_every_written_form():
    assert dates("ngày 5 tháng 3 năm 2021") == ["2021-03-05"]
    assert dates("từ 01/7/2019 đến nay") == ["2019-07-01"]
    assert dates("trong tháng 11/2021") == ["2021-11"]
    assert dates("hoàn thành trong Quý III / 2023") == ["2023-Q3"]
    assert dates("quý 2 năm 2024") == ["2024-Q2"]
    assert dates("vào cuối năm 2024") == ["2024"]
    assert dates("đến năm 2030") == ["2030"]


def test_numbers_that_are_not_dates():
    assert dates("đạt 12/15 huyện, 1.200 người") == []
    assert dates("ngày 45/13/2020") == []


def test_counts_and_shares_as_written():
    values = [c.value for c in find_counts("đã có 9/11 huyện, 2.105 / 2.300 thôn và 35,5% số xã")]
    assert values == ["9/11", "2.105/2.300", "35,5%"]


def test_counts_skip_months_and_decree_numbers():
    assert find_counts("tháng 10/2021 theo Nghị định số 34/2019/NĐ-CP") == []


def docs(text: str) -> list[dict]:
    return [d.as_json() for d in unique_documents(find_documents(text, find_dates(text.lower())))]


def test_party_number_with_spaces_kind_date_and_issuer():
    out = docs("Ban Thường vụ Tỉnh ủy Nghệ An đã ban hành Kết luận số 12-KL / TU ngày 3/2/2021 về sắp xếp.")
    assert out == [{"number": "12-KL/TU", "kind": "Kết luận", "date": "2021-02-03",
                    "issuer": "Ban Thường vụ Tỉnh ủy Nghệ An"}]


def test_state_number_with_year_and_issuer_after():
    out = docs("theo Nghị định số 37/2014 / NĐ-CP ngày 5 tháng 5 năm 2014 của Chính phủ")
    assert out == [{"number": "37/2014/NĐ-CP", "kind": "Nghị định", "date": "2014-05-05",
                    "issuer": "Chính phủ"}]


def test_kind_from_code_when_the_kind_word_is_misspelt_or_missing():
    assert docs("thực hiện Nghị quyêt 19-NQ/TW")[0]["kind"] == "Nghị quyết"
    assert docs("văn bản 07-CT/TU")[0]["kind"] == "Chỉ thị"


def test_bare_number_needs_a_kind_and_so():
    assert docs("Kết luận số 64 của Bộ Chính trị")[0]["number"] == "64"
    assert docs("có 64 xã") == []
    assert [d["number"] for d in docs("Đề án số 02-ĐA/TU ... thực hiện Đề án số 02")] == ["02-ĐA/TU"]


def test_status_cues_prefer_the_longest_phrase():
    assert [c.status for c in find_cues("tỉnh tạm dừng rồi dừng hẳn")] == ["paused", "stopped"]
    assert heading_status("II. Các mô hình chưa triển khai thực hiện:") == "not_implemented"
    assert heading_status("Kết quả đạt được") is None


def test_levels_from_components_and_enumerations():
    assert component_level("Trưởng Ban Tổ chức Huyện ủy") == "district"
    assert component_level("Giám đốc Sở Nội vụ") == "province"
    assert component_level("Văn phòng Tỉnh ủy") == "province"  # "văn phòng" is no "phòng"
    assert component_level("Trung tâm Y tế dự phòng") is None
    assert component_level("Bí thư chi bộ thôn") == "village"
    assert level_enumeration("Chánh Thanh tra cấp tỉnh, cấp huyện")[1] == ["province", "district"]
    assert level_enumeration("Chánh Thanh tra cấp huyện") is None


def test_date_opening_the_sentence_dates_the_document_it_issues():
    out = docs("Ngày 7/6/2022, Tỉnh ủy Gia Lai ban hành Quyết định số 15-QĐ/TU về việc này.")
    assert out[0]["date"] == "2022-06-07" and out[0]["number"] == "15-QĐ/TU"


def test_a_national_document_is_one_resource_whoever_cites_it_and_however():
    from loaders.docnums import find_documents
    from loaders.rdf import legal_iri

    with_issuer = find_documents("Nghị quyết số 18-NQ/TW của Ban Chấp hành Trung ương Đảng khóa XII", [])[0]
    bare = find_documents("Thực hiện Nghị quyết 18-NQ/TW, tỉnh đã ...", [])[0]
    by_number = find_documents("Nghị quyết số 19 của BCH Trung ương Đảng khóa XII", [])[0]
    assert legal_iri(with_issuer.as_json()) == legal_iri(bare.as_json())
    assert (by_number.number, by_number.date) == ("19-NQ/TW", "2017-10-25")
    local = find_documents("Kế hoạch số 19 của Tỉnh ủy", [])[0]
    assert local.number == "19"  # a local plan numbered 19 is not the national resolution
