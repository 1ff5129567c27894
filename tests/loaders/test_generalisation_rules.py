"""Rules added to read articles from other provinces (tests/data/heldout), on sentences written here."""

import unicodedata

from api.pipeline import is_vietnamese
from loaders.extract import extract_document
from loaders.gazetteer import Gazetteer


def facts(text: str) -> list[dict]:
    return extract_document(text, "t")["models"]


def key(f: dict) -> tuple:
    return f["kind"], f["status"], f["level"], f["place"]["name"]


def test_merger_written_with_the_verb_after_its_parts():
    out = facts("Tin Phú Thọ\n\nTại tỉnh Phú Thọ, Phòng Tư pháp và Phòng Nội vụ huyện đã được hợp nhất "
                "thành Phòng Nội vụ - Tư pháp từ tháng 3/2021.")
    assert [key(f) for f in out] == [("merger", "implemented", "district", "tỉnh Phú Thọ")]
    assert out[0]["components"] == ["Phòng Tư pháp", "Phòng Nội vụ huyện"]
    assert out[0]["result"] == "Phòng Nội vụ - Tư pháp" and out[0]["when"] == "2021-03"


def test_a_name_with_va_inside_stays_one_part():
    out = facts("Tin Yên Bái\n\nTrung tâm Văn hóa - Thông tin và Thể thao và Đài Truyền thanh huyện "
                "được sáp nhập thành Trung tâm Truyền thông và Văn hóa.")
    assert out[0]["components"][0].startswith("Trung tâm Văn hóa - Thông tin và Thể thao")
    assert len(out[0]["components"]) == 2


def test_the_part_after_voi_ends_at_a_comma():
    out = facts("Tin Hưng Yên\n\nVề mô hình hợp nhất Văn phòng Huyện ủy với Văn phòng HĐND và UBND huyện, "
                "Tỉnh ủy Hưng Yên quyết định kết thúc thí điểm tại huyện Văn Lâm.")
    assert [key(f) for f in out] == [("merger", "ended", "district", "huyện Văn Lâm")]
    assert out[0]["components"][1] == "Văn phòng HĐND và UBND huyện"


def test_a_bare_level_word_opening_the_next_clause_is_not_a_level_list():
    out = facts("Tin Bắc Kạn\n\nVới mô hình Trưởng Ban Dân vận đồng thời là Chủ tịch Ủy ban MTTQ cấp huyện, "
                "tỉnh Bắc Kạn đã dừng thực hiện.")
    assert [key(f) for f in out] == [("concurrent_position", "stopped", "district", "tỉnh Bắc Kạn")]


def test_a_bare_item_under_a_heading_of_models_takes_its_status():
    out = facts("Tuyên Quang điều chỉnh mô hình\n\nCác mô hình tiếp tục thực hiện:\n\n"
                "1. Đảng ủy Khối Doanh nghiệp tỉnh.\n\n"
                "2. Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Sở Nội vụ.")
    assert [key(f) for f in out] == [("other", "continued", "province", "tỉnh Tuyên Quang")]


def test_a_figure_under_a_heading_reports_instead_of_inheriting_the_heading():
    out = facts("Tin Hà Giang\n\nMô hình nghiên cứu thực hiện:\n\n"
                "Toàn tỉnh Hà Giang có 12/195 xã thực hiện mô hình bí thư đồng thời là chủ tịch UBND xã.")
    assert [key(f) for f in out] == [("concurrent_position", "implemented", "commune", "tỉnh Hà Giang")]


def test_places_after_rieng_take_the_status_stated_after_it():
    out = facts("Tin Cà Mau\n\nTrung tâm Y tế huyện và Bệnh viện đa khoa huyện đã sáp nhập ở tỉnh Cà Mau, "
                "riêng huyện Năm Căn và huyện Ngọc Hiển chưa thực hiện.")
    assert sorted(key(f) for f in out) == [
        ("merger", "implemented", "district", "tỉnh Cà Mau"),
        ("merger", "not_implemented", "district", "huyện Ngọc Hiển"),
        ("merger", "not_implemented", "district", "huyện Năm Căn"),
    ]


def test_a_target_clause_without_a_model_sets_a_target_for_the_model_before_it():
    out = facts("Tin Bến Tre\n\nTỉnh Bến Tre có 40/157 xã thực hiện bí thư đảng ủy đồng thời là "
                "chủ tịch UBND xã; phấn đấu đến năm 2026 đạt 60%.")
    assert sorted((f["status"], f["count"], f["when"]) for f in out) == [
        ("implemented", "40/157", None), ("planned", "60%", "2026")]


def test_a_target_after_a_comma_adds_a_planned_fact():
    out = facts("Tin Long An\n\nTỉnh Long An tiếp tục nhân rộng mô hình bí thư chi bộ kiêm trưởng ấp, "
                "phấn đấu đến năm 2026 đạt 90%.")
    assert sorted((f["status"], f["count"], f["when"]) for f in out) == [
        ("continued", None, None), ("planned", "90%", "2026")]


def test_this_model_refers_back_to_the_places_just_named():
    out = facts("Tin Hậu Giang\n\nTỉnh Hậu Giang đã hợp nhất Văn phòng Huyện ủy với Văn phòng HĐND và UBND "
                "huyện tại huyện Long Mỹ và huyện Phụng Hiệp; đến tháng 9/2022, cả hai huyện đã chấm dứt "
                "mô hình này.")
    ended = sorted(f["place"]["name"] for f in out if f["status"] == "ended")
    assert ended == ["huyện Long Mỹ", "huyện Phụng Hiệp"]
    assert {f["when"] for f in out if f["status"] == "ended"} == {"2022-09"}


def test_the_ordinary_council_office_and_a_return_to_the_old_office_are_not_models():
    assert facts("Tin Ninh Bình\n\nVăn phòng HĐND - UBND huyện Kim Sơn tổ chức hội nghị cán bộ.") == []
    assert facts("Tin Ninh Bình\n\nCác huyện của tỉnh Ninh Bình trở lại mô hình văn phòng như trước.") == []


def test_a_date_after_a_document_number_is_the_documents_only_when_it_is_written_as_its_date():
    out = facts("Tin Nam Định\n\nThực hiện Thông báo số 16-TB/TW, đến hết tháng 9/2022 tỉnh Nam Định đã kết "
                "thúc việc hợp nhất Văn phòng Huyện ủy với Văn phòng HĐND và UBND huyện tại huyện Ý Yên.")
    assert [(f["status"], f["when"]) for f in out] == [("ended", "2022-09")]


def test_the_date_a_decision_takes_effect_wins_over_the_date_of_issue():
    out = facts("Tin Điện Biên\n\nNgày 22/8/2022, Tỉnh ủy Điện Biên thôi thực hiện mô hình Trưởng Ban "
                "Tổ chức Tỉnh ủy đồng thời là Giám đốc Sở Nội vụ kể từ ngày 01/9/2022.")
    assert [(f["status"], f["when"], f["components"][1]) for f in out] == [
        ("stopped", "2022-09", "Giám đốc Sở Nội vụ")]


def test_gazetteer_units_told_apart_by_type_former_districts_and_apostrophes():
    g = Gazetteer.default()
    ht = g.province("Hà Tĩnh")
    assert g.resolve("thị xã Kỳ Anh", province=ht).label == "thị xã Kỳ Anh"
    assert g.resolve("huyện Kỳ Anh", province=ht).code == "447"
    assert g.resolve("huyện Lộc Hà", province=ht).code == "448"  # merged into Thạch Hà in 2025
    assert g.resolve("thị trấn Lộc Hà", province=ht).type == "township"
    assert all(u.code != "448" for u in g.units_of("2023"))  # not in the package's own units
    (_, _, u), = g.find_mentions("tại huyện Cư M'gar", province=g.province("Đắk Lắk"))
    assert u.label == "huyện Cư M'gar"


def test_decomposed_unicode_is_read_as_vietnamese():
    text = "Thanh Hóa dừng thí điểm mô hình hợp nhất văn phòng cấp ủy với văn phòng HĐND và UBND huyện."
    assert is_vietnamese(unicodedata.normalize("NFD", text))


def test_a_bare_mo_hinh_and_these_places_refer_back():
    out = facts("Tin Yên Bái\n\nTỉnh Yên Bái sơ kết thí điểm mô hình bí thư cấp ủy đồng thời là "
                "chủ tịch UBND cấp huyện. Mô hình được triển khai tại huyện Lục Yên và huyện Trạm Tấu. "
                "Hội nghị thống nhất tiếp tục duy trì mô hình tại 2 huyện này.")
    assert sorted(key(f) for f in out) == [
        ("concurrent_position", "continued", "district", "huyện Lục Yên"),
        ("concurrent_position", "continued", "district", "huyện Trạm Tấu"),
        ("concurrent_position", "implemented", "district", "huyện Lục Yên"),
        ("concurrent_position", "implemented", "district", "huyện Trạm Tấu"),
    ]  # no province-wide fact from the passing mention in the lead


def test_a_merger_verb_with_one_generic_part_means_the_merger_told_before():
    out = facts("Tin Hải Phòng\n\nThành phố hợp nhất Văn phòng Quận ủy với Văn phòng HĐND và UBND quận tại "
                "quận Kiến An. Năm 2022, thành phố kết thúc mô hình hợp nhất văn phòng tại quận Kiến An.")
    ended = [f for f in out if f["status"] == "ended"]
    assert [f["components"] for f in ended] == [["Văn phòng Quận ủy", "Văn phòng HĐND và UBND quận"]]


def test_a_status_in_the_next_clause_gives_a_model_without_one_its_status():
    out = facts("Tin Phú Thọ\n\nTỉnh ủy Phú Thọ cho ý kiến về mô hình Phó Bí thư Thường trực Huyện ủy "
                "đồng thời là Chủ tịch HĐND huyện; giao Ban Tổ chức Tỉnh ủy nghiên cứu trong quý III/2023.")
    assert [(f["status"], f["when"]) for f in out] == [("researching", "2023-Q3")]


def test_a_plan_heading_lists_planned_pilots_and_the_list_ends_at_a_plain_paragraph():
    out = facts("Tin Hải Phòng\n\nThành ủy Hải Phòng ban hành Kế hoạch số 12-KH/TU ngày 1/10/2018.\n\n"
                "Thành phố thực hiện thí điểm các mô hình sau:\n\n"
                "a) Bí thư cấp ủy đồng thời là Chủ tịch UBND tại huyện Cát Hải;\n\n"
                "Năm 2019, Trưởng ban Dân vận Quận ủy kiêm Chủ tịch Ủy ban MTTQ quận tại quận Ngô Quyền.")
    assert sorted((f["status"], f["place"]["name"]) for f in out) == [
        ("implemented", "quận Ngô Quyền"), ("planned", "huyện Cát Hải")]


def test_rieng_sentence_and_nhung_clause_give_the_model_just_told_new_statuses():
    # the history of a place ("đã hợp nhất từ năm 2018") gives way to its end: one fact, the final status
    out = facts("Tin Lâm Đồng\n\nTỉnh Lâm Đồng đã hợp nhất Bệnh viện đa khoa với Trung tâm Y tế ở huyện "
                "Lâm Hà. Riêng huyện Di Linh chưa hợp nhất. Huyện Đơn Dương đã hợp nhất từ năm 2018 nhưng "
                "đến tháng 6/2023 phải tách ra như trước.")
    assert sorted((f["status"], f["place"]["name"], f["when"]) for f in out) == [
        ("ended", "huyện Đơn Dương", "2023-06"),
        ("implemented", "huyện Lâm Hà", None),
        ("not_implemented", "huyện Di Linh", None),
    ]


def test_a_descriptive_cue_gives_way_to_the_decision_after_it():
    out = facts("Tin Quảng Trị\n\nMô hình Chủ nhiệm UBKT Huyện ủy kiêm Chánh Thanh tra huyện đang thực hiện "
                "tại huyện Vĩnh Linh cũng tạm dừng.")
    assert [(f["status"], f["components"][1]) for f in out] == [("paused", "Chánh Thanh tra huyện")]


def test_a_place_is_named_as_written_when_only_its_spacing_differs():
    out = facts("Tin Quảng Trị\n\nTỉnh Quảng Trị dừng mô hình Trưởng Ban Tổ chức Huyện ủy kiêm Trưởng phòng "
                "Nội vụ huyện tại huyện Đakrông.")
    assert [f["place"]["name"] for f in out] == ["huyện Đakrông"]
    assert out[0]["place"]["code"] == "467"


def test_a_title_chain_after_a_persons_name_is_not_a_model():
    out = facts("Tin Đà Nẵng\n\nĐồng chí Lê Văn Bình, Ủy viên Ban Thường vụ Thành ủy, Trưởng Ban Tổ chức "
                "Thành ủy kiêm Giám đốc Sở Nội vụ cho biết bộ máy đã ổn định.")
    assert out == []


def test_an_end_after_a_report_of_implementation_is_the_status():
    out = facts("Tin Bình Thuận\n\nMô hình Trưởng Ban Dân vận Huyện ủy đồng thời là Chủ tịch Ủy ban MTTQ "
                "huyện đã thực hiện tại huyện Tuy Phong nay đã kết thúc từ ngày 1/1/2023.")
    assert [(f["status"], f["place"]["name"], f["when"]) for f in out] == [
        ("ended", "huyện Tuy Phong", "2023-01")]


def test_a_sentence_of_places_and_a_figure_goes_on_with_the_model_before():
    out = facts("Tin Bắc Kạn\n\nToàn tỉnh Bắc Kạn có 500/600 thôn có bí thư chi bộ kiêm trưởng thôn. "
                "Các huyện Pác Nặm, Ba Bể đạt tỷ lệ 100%.")
    assert sorted((f["place"]["name"], f["count"]) for f in out) == [
        ("huyện Ba Bể", "100%"), ("huyện Pác Nặm", "100%"), ("tỉnh Bắc Kạn", "500/600")]


def test_a_planned_review_of_a_model_is_not_a_planned_model():
    out = facts("Tin Bình Phước\n\nTỉnh Bình Phước tiếp tục thực hiện mô hình bí thư chi bộ kiêm trưởng ấp. "
                "Mô hình này dự kiến sẽ được tổng kết vào quý IV/2024.")
    assert [f["status"] for f in out] == ["continued"]


def test_two_models_above_refer_to_the_last_two_models_each_at_its_place():
    out = facts("Tin Ninh Thuận\n\nTại huyện Bác Ái, Văn phòng Huyện ủy đã được hợp nhất với Văn phòng "
                "HĐND và UBND huyện. Tại huyện Thuận Bắc, Ủy ban Kiểm tra Huyện ủy và Thanh tra huyện được "
                "hợp nhất. Tỉnh thống nhất duy trì hai mô hình trên.")
    cont = sorted((f["place"]["name"], f["components"][0]) for f in out if f["status"] == "continued")
    assert cont == [("huyện Bác Ái", "Văn phòng Huyện ủy"), ("huyện Thuận Bắc", "Ủy ban Kiểm tra Huyện ủy")]


def test_a_deadline_ahead_makes_an_undated_report_a_plan_and_a_stated_level_counts():
    out = facts("Tin Hưng Yên\n\nChiều 31/01/2025, Tỉnh ủy Hưng Yên họp. Ở cấp huyện, các huyện ủy "
                "hoàn thành việc hợp nhất Ban Tuyên giáo và Ban Dân vận trước ngày 28/02/2025.")
    assert [(f["status"], f["level"], f["components"][1]) for f in out] == [
        ("planned", "district", "Ban Dân vận cấp huyện")]


def test_ending_the_activity_of_two_bodies_with_no_successor_ends_each():
    out = facts("Tin Hưng Yên\n\nTỉnh ủy Hưng Yên quyết định kết thúc hoạt động của Đảng bộ Khối các cơ "
                "quan tỉnh và Đảng bộ Khối doanh nghiệp tỉnh.")
    assert sorted((f["kind"], f["status"], f["components"][0]) for f in out) == [
        ("other", "ended", "Đảng bộ Khối các cơ quan tỉnh"),
        ("other", "ended", "Đảng bộ Khối doanh nghiệp tỉnh"),
    ]


def test_places_that_open_a_clause_take_its_status_for_the_model_before():
    out = facts("Tin Quảng Ngãi\n\nĐối với mô hình hợp nhất Văn phòng Huyện ủy và Văn phòng HĐND - UBND "
                "huyện, huyện Minh Long tiếp tục thực hiện; huyện Bình Sơn tạm dừng để đánh giá lại.")
    assert sorted((f["status"], f["place"]["name"]) for f in out) == [
        ("continued", "huyện Minh Long"), ("paused", "huyện Bình Sơn")]


def test_still_being_implemented_is_continued():
    out = facts("Tin Yên Bái\n\nMô hình bí thư huyện ủy đồng thời là chủ tịch UBND huyện vẫn đang được "
                "thực hiện tại huyện Văn Chấn.")
    assert [f["status"] for f in out] == ["continued"]


def test_a_former_province_name_resolves_and_names_the_place():
    out = facts("Thừa Thiên Huế tin tổ chức\n\nTỉnh ủy Thừa Thiên Huế dừng mô hình Trưởng Ban Tổ chức "
                "Huyện ủy kiêm Trưởng phòng Nội vụ huyện tại huyện Nam Đông. Tỉnh có 10/20 xã có bí thư "
                "đồng thời là chủ tịch UBND xã.")
    assert sorted(f["place"]["name"] for f in out) == ["huyện Nam Đông", "tỉnh Thừa Thiên Huế"]


def test_centres_every_district_has_are_merged_at_district_level_unless_a_level_is_said():
    district = facts("Tin Bến Tre\n\nUBND tỉnh Bến Tre thống nhất sáp nhập trung tâm dạy nghề và trung tâm "
                     "giáo dục thường xuyên thành một trung tâm.")
    assert [(f["level"], f["place"]["name"]) for f in district] == [("district", "tỉnh Bến Tre")]
    said = facts("Tin Bến Tre\n\nỞ cấp tỉnh, UBND tỉnh Bến Tre thống nhất sáp nhập trung tâm dạy nghề và "
                 "trung tâm giáo dục thường xuyên thành một trung tâm.")
    assert [f["level"] for f in said] == ["province"]
    own_word = facts("Tin Bến Tre\n\nUBND tỉnh Bến Tre thống nhất sáp nhập Trung tâm dạy nghề tỉnh và "
                     "Trung tâm giáo dục thường xuyên tỉnh thành một trung tâm.")
    assert [f["level"] for f in own_word] == ["province"]


def test_a_national_merger_of_such_centres_keeps_no_level():
    out = facts("Bộ Giáo dục và Đào tạo đề nghị tạm dừng việc sáp nhập trung tâm giáo dục nghề nghiệp và "
                "trung tâm giáo dục thường xuyên trên cả nước.")
    assert [(f["kind"], f["level"]) for f in out] == [("merger", None)]


def test_parts_listed_after_voi_continue_when_a_new_name_closes_the_list():
    subject = facts("Tin Ninh Bình\n\nNăm 2019, Đài Truyền thanh huyện Kim Sơn đã hợp nhất với Thư viện "
                    "huyện Kim Sơn (ảnh), Nhà văn hóa huyện Kim Sơn với tên gọi mới: Trung tâm Văn hóa huyện "
                    "Kim Sơn.")
    assert [f["components"] for f in subject] == [
        ["Đài Truyền thanh huyện Kim Sơn", "Thư viện huyện Kim Sơn", "Nhà văn hóa huyện Kim Sơn"]]
    assert subject[0]["result"] == "Trung tâm Văn hóa huyện Kim Sơn"
    verb_first = facts("Tin Ninh Bình\n\nNăm 2019, huyện Kim Sơn hợp nhất Phòng Văn hóa với Bảo tàng huyện, "
                       "Trạm Thông tin huyện thành Trung tâm Văn hóa huyện.")
    assert verb_first[0]["components"] == ["Phòng Văn hóa", "Bảo tàng huyện", "Trạm Thông tin huyện"]


def test_an_abbreviated_city_keeps_its_period_inside_a_part():
    out = facts("Tin Ninh Bình\n\nNăm 2019, Đài Truyền thanh TP. Tam Điệp đã hợp nhất với Nhà văn hóa "
                "TP. Tam Điệp, Thư viện TP. Tam Điệp với tên gọi mới: Trung tâm Văn hóa TP. Tam Điệp.")
    assert out[0]["components"][-1] == "Thư viện TP. Tam Điệp"


def test_a_merger_told_as_a_plan_then_decided_is_implemented():
    out = facts("Đài Truyền thanh huyện Gia Viễn sẽ hợp nhất với Nhà văn hóa huyện Gia Viễn\n\nUBND tỉnh "
                "Ninh Bình cho biết đã có quyết định thành lập Trung tâm Văn hóa huyện Gia Viễn trên cơ sở "
                "hợp nhất hai đơn vị nói trên.")
    assert [(f["kind"], f["status"], f["place"]["name"]) for f in out] == [
        ("merger", "implemented", "huyện Gia Viễn")]
    assert out[0]["components"] == ["Đài Truyền thanh huyện Gia Viễn", "Nhà văn hóa huyện Gia Viễn"]


def test_a_body_merged_into_another_written_before_the_verb():
    out = facts("Tin Hà Nội\n\nTừ ngày 1/1/2020, Phòng Tài nguyên và Môi trường huyện Sóc Sơn được sáp nhập "
                "vào Phòng Kinh tế huyện.")
    assert [key(f) for f in out] == [("merger", "implemented", "district", "huyện Sóc Sơn")]
    assert out[0]["components"][1] == "Phòng Kinh tế huyện" and out[0]["result"] == "Phòng Kinh tế huyện"


def test_parts_before_a_verb_with_no_object_are_read_rather_than_a_merger_told_before():
    out = facts("Tin Nghệ An\n\nSở Kế hoạch và Đầu tư và Sở Tài chính tỉnh Nghệ An sẽ hợp nhất từ ngày "
                "1/3/2025.")
    assert [key(f) for f in out] == [("merger", "planned", "province", "tỉnh Nghệ An")]
    assert out[0]["components"][0] == "Sở Kế hoạch và Đầu tư" and out[0]["when"] == "2025-03"


def test_a_place_after_the_first_post_is_the_clauses_not_part_of_the_post():
    out = facts("Tin Hà Giang\n\nĐến nay, 100% trưởng thôn ở huyện Bắc Mê kiêm bí thư chi bộ.")
    assert [key(f) for f in out] == [("concurrent_position", "implemented", "village", "huyện Bắc Mê")]
    assert out[0]["components"][0] == "trưởng thôn"


def test_counted_parts_each_with_its_head_keep_a_va_inside_a_name():
    out = facts("Tin Hải Dương\n\nHai Sở Nội vụ và Sở Lao động - Thương binh và Xã hội được hợp nhất thành "
                "Sở Nội vụ.")
    assert [f["components"] for f in out] == [["Sở Nội vụ", "Sở Lao động - Thương binh và Xã hội"]]
    assert out[0]["result"] == "Sở Nội vụ"


def test_thanh_pho_inside_a_part_is_no_result_word():
    out = facts("Tin Quảng Ninh\n\nNăm 2019, thành phố Cẩm Phả hợp nhất Trung tâm Văn hóa với Trung tâm Thể "
                "thao, Thư viện thành phố, Nhà văn hóa thành phố để thành lập Trung tâm Văn hóa - Thể thao.")
    assert len(out[0]["components"]) == 4
    assert out[0]["components"][2].startswith("Thư viện thành phố")
    assert out[0]["result"] == "Trung tâm Văn hóa - Thể thao"
