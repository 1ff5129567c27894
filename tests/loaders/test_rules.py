"""Relation rules on sentences written for the tests (places from other provinces than the seeds)."""

from loaders.extract import extract_document


def facts(text: str) -> list[dict]:
    return extract_document(text, "t")["models"]


def test_concurrency_with_dong_thoi_la_at_commune_level():
    out = facts("Nghệ An mở rộng thí điểm\n\nĐến nay, tỉnh Nghệ An có 120 xã thực hiện mô hình "
                "Bí thư Đảng ủy đồng thời là Chủ tịch UBND xã.")
    assert len(out) == 1
    f = out[0]
    assert (f["kind"], f["level"], f["status"]) == ("concurrent_position", "commune", "implemented")
    assert f["place"]["name"] == "tỉnh Nghệ An"
    assert "Bí thư Đảng ủy" in f["components"][0]


def test_kiem_names_two_posts_and_places_give_one_fact_each():
    out = facts("Quảng Ninh điều chỉnh mô hình\n\nTỉnh Quảng Ninh dừng thí điểm mô hình Trưởng Ban Dân vận "
                "Huyện ủy kiêm Chủ tịch Ủy ban MTTQ huyện tại huyện Vân Đồn và huyện Cô Tô.")
    assert {f["place"]["name"] for f in out} == {"huyện Vân Đồn", "huyện Cô Tô"}
    assert {f["status"] for f in out} == {"stopped"}
    assert {f["level"] for f in out} == {"district"}


def test_a_post_named_without_concurrency_is_not_a_fact():
    out = facts("Tin Nam Định\n\nÔng Trần Văn A, Chủ tịch UBND huyện Hải Hậu, đã tiếp đoàn công tác "
                "của Sở Nội vụ tỉnh Nam Định.")
    assert out == []


def test_kiem_nhiem_without_a_second_post_is_not_a_fact():
    out = facts("Tin Thái Bình\n\nMỗi cán bộ cấp xã kiêm nhiệm từ 2 đến 3 chức danh không chuyên trách.")
    assert out == []


def test_merger_with_voi_and_a_new_agency():
    out = facts("Thanh Hóa sắp xếp bộ máy\n\nTỉnh Thanh Hóa đã hợp nhất Ban Tuyên giáo với Ban Dân vận "
                "để thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy.")
    assert len(out) == 1
    f = out[0]
    assert f["kind"] == "merger" and f["status"] == "implemented" and f["level"] == "province"
    assert f["components"][:2] == ["Ban Tuyên giáo", "Ban Dân vận"]
    assert f["result"] == "Ban Tuyên giáo và Dân vận Tỉnh ủy"


def test_sap_nhap_list_of_three_centres():
    out = facts("Tin Phú Thọ\n\nTỉnh sáp nhập Trung tâm Văn hóa, Trung tâm Truyền thông và Đài Truyền thanh "
                "cấp huyện thành Trung tâm Văn hóa – Thông tin và Thể thao.")
    assert len(out) == 1
    assert len(out[0]["components"]) == 3
    assert out[0]["level"] == "district"


def test_paused_heading_gives_its_items_the_status():
    text = ("Kế hoạch của Tỉnh ủy Lào Cai\n\n1. Các mô hình tạm dừng:\n\n"
            "Mô hình Trưởng Ban Tuyên giáo Huyện ủy đồng thời là Giám đốc Trung tâm Chính trị huyện.\n\n"
            "2. Các mô hình kết thúc:\n\nMô hình Văn phòng Huyện ủy – HĐND – UBND ở huyện Sa Pa.")
    out = facts(text)
    assert [(f["status"], f["kind"]) for f in out] == [("paused", "concurrent_position"), ("ended", "merger")]


def test_level_enumeration_gives_one_fact_per_level():
    out = facts("Tin Yên Bái\n\nTỉnh Yên Bái tạm dừng mô hình Chủ nhiệm Ủy ban Kiểm tra cấp ủy đồng thời là "
                "Chánh Thanh tra cấp tỉnh và cấp huyện.")
    assert sorted(f["level"] for f in out) == ["district", "province"]
    district = next(f for f in out if f["level"] == "district")
    assert district["components"][1] == "Chánh Thanh tra cấp huyện"


def test_anaphora_takes_the_model_of_the_sentence_before():
    text = ("Tin Bắc Giang\n\nVới mô hình Bí thư Huyện ủy đồng thời là Chủ tịch UBND huyện, tỉnh Bắc Giang "
            "đã triển khai ở 8/10 huyện. Riêng huyện Yên Thế chưa triển khai mô hình này.")
    out = facts(text)
    assert [(f["status"], f["place"]["name"]) for f in out] == [
        ("implemented", "tỉnh Bắc Giang"), ("not_implemented", "huyện Yên Thế")]
    assert out[0]["count"] == "8/10"


def test_target_sentence_is_planned_with_its_year():
    out = facts("Tin Hà Nam\n\nTỉnh Hà Nam phấn đấu đến năm 2026 có 70% bí thư chi bộ "
                "đồng thời là trưởng thôn.")
    got = [(f["status"], f["level"], f["when"], f["count"]) for f in out]
    assert got == [("planned", "village", "2026", "70%")]


def test_plural_or_anaphoric_model_words_alone_are_not_facts():
    assert facts("Tin Cao Bằng\n\nTỉnh sẽ dừng một số mô hình sắp xếp tổ chức bộ máy theo mô hình cũ.") == []


def test_dated_decision_carries_to_the_next_paragraph_of_the_same_status():
    text = ("Tin Hưng Yên\n\nTrong tháng 3/2023, tỉnh Hưng Yên dừng thí điểm mô hình "
            "Trưởng Ban Tổ chức Huyện ủy đồng thời là Trưởng phòng Nội vụ huyện.\n\n"
            "Tỉnh cũng dừng mô hình Chủ nhiệm Ủy ban Kiểm tra Huyện ủy đồng thời là Chánh Thanh tra huyện.")
    assert [f["when"] for f in facts(text)] == ["2023-03", "2023-03"]


def test_whole_country_decision():
    out = facts("Tin Trung ương\n\nBộ Chính trị quyết định kết thúc thí điểm mô hình Bí thư "
                "đồng thời là Chủ tịch UBND cấp huyện trên phạm vi cả nước.")
    assert [(f["place"]["name"], f["status"]) for f in out] == [("toàn quốc", "ended")]


def test_a_persons_job_title_with_kiem_is_not_a_model():
    out = facts("Tin Sơn La\n\nÔng Lò Văn B, Phó Bí thư Huyện ủy kiêm Chủ tịch UBND huyện Mộc Châu, "
                "phát biểu.")
    assert out == []


def test_model_of_apparatus_in_general_is_not_a_named_model():
    text = "Tin Đắk Lắk\n\nTỉnh tiếp tục hoàn thiện mô hình tổ chức bộ máy của hệ thống chính trị."
    assert facts(text) == []


def test_a_district_named_to_locate_a_commune_is_not_a_second_place():
    out = facts("Tin Quảng Ninh\n\nTỉnh kết thúc mô hình Bí thư Đảng ủy đồng thời là Chủ tịch UBND xã "
                "tại xã Đồng Tâm, huyện Bình Liêu.")
    assert [f["place"]["name"] for f in out] == ["xã Đồng Tâm"]
