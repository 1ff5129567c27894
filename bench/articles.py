"""Synthetic Vietnamese news articles about pilot models, with the facts each one states.

One text per article in the style of the seed articles (a plan of the provincial party committee, status
headings, "X đồng thời là Y tại huyện A, huyện B"), so the same articles serve two ends: their facts become
the generated graph (bench/generate.py) and their texts go through the real extractor in the ingest
benchmark (bench/ingest.py). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bench.units import Province, Unit, provinces

STATUS_HEADING = {
    "continued": "Mô hình tiếp tục thực hiện thí điểm",
    "researching": "Về mô hình nghiên cứu thực hiện thí điểm",
    "planned": "Mô hình phấn đấu thực hiện",
    "implemented": "Mô hình đã triển khai thực hiện",
    "not_implemented": "Mô hình chưa triển khai thực hiện",
    "paused": "Mô hình tạm dừng thí điểm",
    "stopped": "Mô hình dừng thực hiện thí điểm",
    "ended": "Mô hình kết thúc thực hiện thí điểm",
}
# What a pilot may become next: keeps each place's timeline plausible.
NEXT_STATUS = {
    None: ("planned", "researching", "implemented", "not_implemented"),
    "planned": ("implemented", "not_implemented", "researching"),
    "researching": ("planned", "implemented", "paused"),
    "not_implemented": ("planned", "implemented"),
    "implemented": ("continued", "paused", "stopped", "ended"),
    "continued": ("continued", "paused", "ended"),
    "paused": ("continued", "stopped", "ended"),
    "stopped": ("stopped", "ended"),
    "ended": ("ended",),
}
FILLER = (
    "Việc sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả là nhiệm vụ "
    "trọng tâm của cả nhiệm kỳ.",
    "Các cấp ủy, tổ chức đảng quán triệt, triển khai thực hiện nghiêm túc các văn bản của Trung ương và của "
    "Tỉnh ủy.",
    "Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Sở Nội vụ hướng dẫn, đôn đốc, kiểm tra việc thực hiện.",
    "Toàn tỉnh tiếp tục thực hiện tinh giản biên chế gắn với cơ cấu lại đội ngũ cán bộ, công chức, "
    "viên chức.",
    "Cấp ủy các cấp thường xuyên quan tâm đến công tác đào tạo, bồi dưỡng cán bộ.",
    "Quá trình thực hiện, nếu có khó khăn, vướng mắc, các địa phương kịp thời báo cáo Ban Thường vụ Tỉnh ủy "
    "xem xét, quyết định.",
    "Các huyện, thị xã, thành phố đã rà soát, sắp xếp lại các thôn, khu dân cư bảo đảm đúng quy định.",
    "Việc luân chuyển cán bộ từ tỉnh về cơ sở và ngược lại được thực hiện theo kế hoạch.",
)
LEVEL_WORD = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


@dataclass(frozen=True)
class Model:
    kind: str  # merger | concurrent_position
    level: str
    components: tuple[str, ...]
    result: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "concurrent_position":
            return f"{self.components[0]} đồng thời là {self.components[1]}"
        parts = self.components
        text = "hợp nhất " + ", ".join(parts[:-1]) + " với " + parts[-1]
        return text + (f" thành {self.result}" if self.result else "")


@dataclass
class Fact:
    model: Model
    place: Unit
    status: str
    when: str | None
    count: str | None
    start: int
    end: int
    text: str


@dataclass
class Article:
    doc_id: str
    province: Province
    title: str
    text: str = ""
    date: str = ""
    plan_number: str = ""
    facts: list[Fact] = field(default_factory=list)


@cache
def models() -> tuple[Model, ...]:
    """The model lexicon (bench/data/models.yaml) as Model objects."""
    data = yaml.safe_load((Path(__file__).parent / "data" / "models.yaml").read_text(encoding="utf-8"))
    out = []
    for level, kinds in data.items():
        for pair in kinds.get("concurrent", []):
            out.append(Model("concurrent_position", level, tuple(pair)))
        for m in kinds.get("merger", []):
            out.append(Model("merger", level, tuple(m["parts"]), m.get("result")))
    return tuple(out)


def _roman(q: int) -> str:
    return ("I", "II", "III", "IV")[q - 1]


class ArticleWriter:
    """Writes articles one after another, advancing each (model, place) pilot along its timeline."""

    def __init__(self, seed: int, province_share: float = 1.0, prefix: str = "bench") -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        ps = provinces()
        step = max(1, round(1 / province_share)) if province_share < 1 else 1
        self.commune_provinces = {p.unit.code for p in ps[::step]}
        self.provinces = ps
        self.models = models()
        self.last: dict[tuple[Model, str], str | None] = {}
        self.n = 0

    def _places(self, p: Province, level: str) -> list[Unit]:
        rng = self.rng
        if level == "province":
            return [p.unit]
        if level == "district":
            return rng.sample(p.districts, min(len(p.districts), rng.randint(1, 4)))
        pool = [c for d in rng.sample(p.districts, min(3, len(p.districts))) for c in p.communes[d.code]]
        return rng.sample(pool, min(len(pool), rng.randint(1, 3)))

    def write(self) -> Article:
        rng = self.rng
        i = self.n
        self.n += 1
        p = rng.choice(self.provinces)
        year = 2016 + min(9, i * 10 // max(1, i + 200) + rng.randint(0, 3))
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        plan = f"{rng.randint(1, 300)}-KH/TU"
        a = Article(
            doc_id=f"{self.prefix}_{i:07d}_{rng.getrandbits(32):08x}",
            province=p,
            title=f"{p.unit.name} sắp xếp một số mô hình thí điểm tổ chức bộ máy của hệ thống chính trị",
            date=f"{year}-{month:02d}-{day:02d}",
            plan_number=plan,
        )
        paras = [
            a.title,
            f"Ban Thường vụ Tỉnh ủy {p.unit.name} vừa ban hành Kế hoạch số {plan} ngày {day} tháng {month} "
            f"năm {year} về việc thực hiện một số mô hình thí điểm theo Nghị quyết số 18-NQ/TW của Ban Chấp "
            f"hành Trung ương Đảng khóa XII.",
            " ".join(rng.sample(FILLER, 2)),
        ]
        levels = ["province", "district"] + (["commune"] if p.unit.code in self.commune_provinces else [])
        groups: dict[str, list[tuple[Model, list[Unit], str | None]]] = {}
        for _ in range(rng.randint(2, 5)):
            level = rng.choice(levels)
            model = rng.choice([m for m in self.models if m.level == level])
            places = self._places(p, level)
            status = rng.choice(NEXT_STATUS[self.last.get((model, places[0].code))])
            when = rng.choice((None, f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}", f"{year + 1}"))
            groups.setdefault(status, []).append((model, places, when))
        text = "\n\n".join(paras) + "\n\n"
        for k, (status, items) in enumerate(groups.items(), 1):
            text += f"  {k}. {STATUS_HEADING[status]}:\n\n"
            for model, places, when in items:
                where = ", ".join(u.label for u in places[:-1])
                where = f"{where} và {places[-1].label}" if where else places[-1].label
                sentence = f"Mô hình {model.label} {LEVEL_WORD[model.level]} tại {where}"
                if when and "-Q" in when:
                    y, q = when.split("-Q")
                    sentence += f", hoàn thành trong quý {_roman(int(q))}/{y}"
                elif when and "-" in when:
                    y, m = when.split("-")
                    sentence += f", từ tháng {int(m)}/{y}"
                elif when:
                    sentence += f", đến năm {when}"
                sentence += "."
                start = len(text)
                text += sentence + "\n\n"
                for u in places:
                    self.last[(model, u.code)] = status
                    a.facts.append(Fact(model, u, status, when, None, start, start + len(sentence), sentence))
        text += " ".join(rng.sample(FILLER, 2)) + "\n\nPV\n"
        a.text = text
        return a

    def __iter__(self) -> Iterator[Article]:
        while True:
            yield self.write()


if __name__ == "__main__":
    w = ArticleWriter(1)
    art = w.write()
    print(art.text)
    for f in art.facts:
        print(f.model.kind, f.place.label, f.status, f.when, repr(art.text[f.start : f.end][:60]))
