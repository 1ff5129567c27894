"""Short articles written for this project in the way provincial papers write: metadata header, a title
that names only a district, a date line, and a decision announced, dated by when it takes effect."""

from loaders.extract import extract_document


def _facts(text: str) -> list[tuple]:
    out = extract_document(text, "press")["models"]
    return sorted((f["kind"], f["status"], f["level"], f["place"]["name"], f["when"], f["count"])
                  for f in out)


def test_a_district_paper_story_of_a_merger_announced_and_in_force_later():
    text = ("# source: https://baophutho.vn/chinh-tri/x-123.html\n"
            "Thanh Ba: Công bố quyết định hợp nhất Phòng Kinh tế và Phòng Tài nguyên\n\n"
            "Cập nhật: 14:20, 05/03/2024\n\n"
            "Sáng 5/3, Huyện ủy Thanh Ba tổ chức hội nghị công bố quyết định của UBND tỉnh về việc thành lập "
            "Phòng Kinh tế - Tài nguyên trên cơ sở hợp nhất Phòng Kinh tế và Phòng Tài nguyên và Môi trường "
            "huyện.\n\n"
            "Theo quyết định, Phòng Kinh tế - Tài nguyên chính thức đi vào hoạt động từ ngày 15/3/2024.")
    assert _facts(text) == [("merger", "implemented", "district", "huyện Thanh Ba", "2024-03", None)]


def test_a_pilot_stopped_at_communes_named_with_their_districts():
    text = ("# source: https://baoquangbinh.vn/x/202306/abc.htm\n"
            "Dừng thí điểm bí thư đồng thời là chủ tịch UBND xã\n\n"
            "Ban Thường vụ Tỉnh ủy vừa ban hành kết luận dừng thí điểm mô hình bí thư đảng ủy đồng thời là "
            "chủ tịch UBND xã tại xã Sen Thủy (huyện Lệ Thủy) kể từ ngày 1/7/2023.\n\n"
            "Trước đó, từ năm 2019, xã này đã thực hiện thí điểm mô hình.")
    facts = extract_document(text, "qb")
    assert facts["province"] == "Quảng Bình" and facts["province_signal"] == "source"
    assert _facts(text) == [
        ("concurrent_position", "stopped", "commune", "xã Sen Thủy", "2023-07", None)]


def test_a_party_secretary_elected_chair_of_the_district_committee():
    text = ("# source: https://baolongan.vn/x.html\n"
            "Đức Hòa: Bí thư Huyện ủy được bầu giữ chức Chủ tịch UBND huyện\n\n"
            "Ngày 12/9/2019, tại kỳ họp bất thường, HĐND huyện Đức Hòa đã bầu ông Trần Văn Tâm, Bí thư Huyện "
            "ủy, giữ chức Chủ tịch UBND huyện nhiệm kỳ 2016-2021.")
    assert _facts(text) == [
        ("concurrent_position", "implemented", "district", "huyện Đức Hòa", "2019-09", None)]


def test_a_national_draft_under_consultation_is_researching_for_the_whole_country():
    text = ("# source: https://vnexpress.net/x.html\n"
            "Bộ Nội vụ đề xuất sáp nhập Sở Ngoại vụ vào Văn phòng UBND tỉnh\n\n"
            "Theo dự thảo nghị định đang lấy ý kiến, các tỉnh sẽ sáp nhập Sở Ngoại vụ vào Văn phòng UBND "
            "tỉnh.")
    assert _facts(text) == [("merger", "researching", "province", "toàn quốc", None, None)]


def test_a_national_article_states_rules_unless_it_counts_places_doing_them():
    text = ("Quy định mới về văn phòng cấp tỉnh\n\n"
            "Theo nghị định của Chính phủ, Văn phòng Đoàn ĐBQH và HĐND tỉnh được thành lập trên cơ sở "
            "hợp nhất Văn phòng Đoàn ĐBQH với Văn phòng HĐND tỉnh. Đến nay cả nước có 12 tỉnh thực hiện "
            "hợp nhất Văn phòng HĐND với Văn phòng UBND tỉnh.")
    assert _facts(text) == [("merger", "implemented", "province", "toàn quốc", None, "12"),
                            ("merger", "planned", "province", "toàn quốc", None, None)]


def test_the_model_just_told_at_another_level_stated_in_words():
    text = ("# source: https://baonghean.vn/x.html\nKết quả thực hiện mô hình\n\n"
            "Đến nay 18/21 huyện đã thực hiện mô hình Trưởng ban Dân vận huyện ủy đồng thời là Chủ tịch "
            "Ủy ban MTTQ huyện. Ở cấp xã, 310/460 xã thực hiện mô hình này, đạt 67,4%.")
    facts = extract_document(text, "na")["models"]
    assert [(f["level"], f["count"]) for f in facts] == [
        ("district", "18/21"), ("commune", "310/460 (67,4%)")]
    assert facts[1]["components"] == ["Trưởng ban Dân vận cấp xã", "Chủ tịch Ủy ban MTTQ cấp xã"]


def test_provinces_listed_as_the_subject_each_get_the_fact():
    text = ("# source: https://dantri.com.vn/x.htm\nThí điểm văn phòng chung\n\n"
            "Các tỉnh Thái Bình và Hưng Yên sẽ thực hiện thí điểm hợp nhất Văn phòng Đoàn ĐBQH, Văn phòng "
            "HĐND và Văn phòng UBND tỉnh từ ngày 1/1/2020.")
    assert [(f["place"]["name"], f["status"], f["when"]) for f in extract_document(text, "tb")["models"]] == [
        ("tỉnh Thái Bình", "planned", "2020-01"), ("tỉnh Hưng Yên", "planned", "2020-01")]


def test_in_a_national_article_places_doing_a_model_report_it_done():
    text = ("Văn phòng chung ở cấp tỉnh\n\n"
            "Theo quy định của Chính phủ, đối với địa phương thực hiện thí điểm hợp nhất Văn phòng HĐND và "
            "Văn phòng UBND tỉnh, lãnh đạo văn phòng gồm một Chánh Văn phòng.")
    assert [(f["status"], f["place"]["name"]) for f in extract_document(text, "n")["models"]] == [
        ("implemented", "toàn quốc")]


def test_a_vague_mention_with_no_level_is_the_model_told_in_full():
    text = ("Bí thư kiêm chủ tịch\n\n"
            "Hội nghị Trung ương đã thống nhất chủ trương bí thư kiêm chủ tịch. Theo đó, thực hiện bí thư "
            "cấp ủy đồng thời là chủ tịch UBND cấp huyện ở những nơi có đủ điều kiện.")
    facts = extract_document(text, "v")["models"]
    assert [(f["level"], f["components"]) for f in facts] == [
        ("district", ["bí thư cấp ủy cấp huyện", "chủ tịch UBND cấp huyện"])]
