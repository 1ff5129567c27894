"""The article's own metadata and its province: one test per signal, positive and negative."""

import subprocess
import sys

from loaders.article import article_district, article_province, province_of_host
from loaders.extract import extract_document
from loaders.normalise import ArticleMeta, prepare


def test_header_lines_are_metadata_and_offsets_start_after_them():
    doc = prepare("# source: https://baohanam.com.vn/tin/1\n# date: 2024-05-02\nTiêu đề\n\nĐoạn một.")
    assert doc.meta == ArticleMeta("https://baohanam.com.vn/tin/1", "2024-05-02", None)
    assert doc.text.startswith("Tiêu đề")


def test_a_hash_line_that_is_not_a_known_key_stays_text():
    doc = prepare("# Tin nóng: sáp nhập\nĐoạn một.")
    assert doc.meta == ArticleMeta() and doc.text.startswith("# Tin nóng")


def test_a_provincial_outlet_names_its_province_in_its_host():
    assert province_of_host("https://baonamdinh.vn/a")[0].name == "Nam Định"
    assert province_of_host("http://xa.thanhhoa.gov.vn/b")[0].name == "Thanh Hóa"
    assert province_of_host("https://tinhuyquangtri.vn/c")[0].name == "Quảng Trị"
    assert province_of_host("https://baothuathienhue.vn/d")[0] is not None  # a former name


def test_an_aggregator_or_national_outlet_names_no_province():
    assert province_of_host("https://baomoi.com/x") == (None, True)
    assert province_of_host("https://example.vn/x") == (None, False)


def test_the_title_beats_the_outlet():
    sig = article_province("Bắc Kạn hợp nhất hai văn phòng", "", "",
                           ArticleMeta(source="https://baonamdinh.vn/x"))
    assert (sig.unit.name, sig.signal) == ("Bắc Kạn", "title")


def test_a_provincial_body_in_the_lead_names_the_province():
    sig = article_province("Hợp nhất hai phòng", "Ban Thường vụ Tỉnh ủy Ninh Thuận vừa quyết định ...", "",
                           ArticleMeta())
    assert (sig.unit.name, sig.signal) == ("Ninh Thuận", "agency")


def test_a_district_name_alone_in_the_title_implies_its_province():
    sig = article_province("Mộc Châu: hợp nhất văn phòng cấp ủy và chính quyền", "", "", ArticleMeta())
    assert (sig.unit.name, sig.signal) == ("Sơn La", "district")


def test_no_province_and_national_bodies_make_the_article_national():
    sig = article_province("Bí thư kiêm chủ tịch", "Hội nghị Trung ương vừa thông qua chủ trương.",
                           "Hội nghị Trung ương vừa thông qua chủ trương.", ArticleMeta())
    assert sig.unit is None and sig.national


def test_facts_of_the_district_an_article_is_about_are_placed_there():
    text = ("# source: https://baosonla.org.vn/x\nMộc Châu hợp nhất Thanh tra huyện với Ủy ban Kiểm tra "
            "Huyện ủy\n\nNgày 3/4/2023, huyện đã hợp nhất Thanh tra huyện với Cơ quan Ủy ban Kiểm tra "
            "Huyện ủy.")
    facts = extract_document(text, "mc")
    assert facts["province"] == "Sơn La" and facts["source"] == "https://baosonla.org.vn/x"
    assert [f["place"]["name"] for f in facts["models"]] == ["thị xã Mộc Châu"]  # its type in the gazetteer


def test_a_statement_about_a_level_in_general_stays_at_the_province():
    sig_province = ArticleMeta(source="https://baosonla.org.vn/x")
    facts = extract_document("# source: https://baosonla.org.vn/x\nMộc Châu sơ kết\n\nTỉnh đã hợp nhất "
                             "Thanh tra cấp huyện với Ủy ban Kiểm tra cấp ủy cấp huyện.", "lv")
    assert article_district("Mộc Châu sơ kết", "", sig_province, None) is None  # no province, no district
    assert [f["place"]["name"] for f in facts["models"]] == ["tỉnh Sơn La"]


def test_explain_prints_the_patterns_and_facts_of_each_sentence(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Tin Hà Nam\n\nNăm 2019, huyện Thanh Liêm đã sáp nhập Phòng Văn hóa và Thông tin với Đài "
                    "Truyền thanh huyện.", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "api.cli", "extract", str(path), "--explain"],
                         capture_output=True, text=True, check=True).stdout
    assert "pattern merger.object fired" in out
    assert "FACT merger implemented level=district place=huyện Thanh Liêm" in out


def test_units_abbreviated_with_a_capital_and_a_dot_or_listed_after_a_colon():
    from loaders.places import find_units, gazetteer

    g = gazetteer()
    hd = g.province("Hải Dương")
    assert [u.name for u in find_units("tại H. Nam Sách và TX Kinh Môn", 0, hd)] == [
        "huyện Nam Sách", "thị xã Kinh Môn"]
    assert [u.name for u in find_units("ở các huyện: Nam Sách, Thanh Hà", 0, hd)] == [
        "huyện Nam Sách", "huyện Thanh Hà"]
    assert find_units("ông Nguyễn H. Nam phát biểu", 0, hd) == []  # an initial, not "huyện"
    assert [u.name for u in find_units("ở Q. Ba Đình", 0, g.province("Hà Nội"))] == ["quận Ba Đình"]


def test_a_central_city_written_with_its_type_in_one_word_names_the_province():
    sig = article_province("TPHCM: Quận 1 thí điểm bí thư đồng thời là chủ tịch phường", "", "",
                           ArticleMeta())
    assert (sig.unit.name, sig.signal) == ("Hồ Chí Minh", "title")


def test_explain_says_why_a_trigger_made_no_fact(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text("Tin Hà Nam\n\nTỉnh đã hợp nhất nhiều đầu mối trong năm 2019.", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "api.cli", "extract", str(path), "--explain"],
                         capture_output=True, text=True, check=True).stdout
    assert "not fired: merger on 'hợp nhất': no agency right after it" in out


def test_the_article_date_comes_from_the_metadata_else_the_lead_and_dates_days_without_a_year():
    given = extract_document("# date: 2024-01-28\nTin Hải Dương\n\nĐến ngày 28/1, huyện Nam Sách đã dừng "
                             "thực hiện mô hình Bí thư Huyện ủy đồng thời là Chủ tịch UBND huyện.", "d1")
    read = extract_document("Tin Hải Dương\n\nTHỨ HAI, 29/01/2024 10:00\n\nĐến ngày 28/1, huyện Nam Sách đã "
                            "dừng thực hiện mô hình Bí thư Huyện ủy đồng thời là Chủ tịch UBND huyện.", "d2")
    assert (given["reported"], read["reported"]) == ("2024-01-28", "2024-01-29")
    assert [f["when"] for f in given["models"]] == [f["when"] for f in read["models"]] == ["2024-01"]


def test_a_fact_with_no_place_at_all_is_dropped_and_says_why():
    out = extract_document("Bài viết\n\nĐơn vị đã hợp nhất Phòng Tài chính với Phòng Kế hoạch.", "np")
    assert out["models"] == []
    assert out["dropped"] and out["dropped"][0]["reason"].startswith("no place")
