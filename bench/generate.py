"""National-scale graph under our ontology: `python -m bench.generate --size S [--seed 1] [-o DIR]`.

Writes DIR/data.nq (N-Quads: graph/gazetteer with all units, graph/agencies with the agencies and posts
of each unit, one graph/article/<id> per synthetic article) and DIR/params.json (IRIs the query mix binds:
busy models, places, provinces, legal documents, articles). The same seed gives the same bytes.

Why sizes differ in shape, not only in count: the gazetteer alone is ~75k triples, so S keeps every
province and district but communes of a quarter of the provinces and agencies at province level only;
M and L hold every unit and every agency; articles fill the remainder up to the target.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.articles import Article, ArticleWriter, Model
from bench.nquads import XSD, QuadWriter, iri, lit
from bench.units import UNIT_CLASSES, Unit, provinces
from ontology.namespaces import BOMAY, GRAPH, ID, OA, ORG, PROV, VOCAB
from ontology.text import fold, slug

RDF_TYPE = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = iri("http://www.w3.org/2000/01/rdf-schema#label")
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ERA = "2023"


@dataclass(frozen=True)
class Profile:
    target: int  # triples, approximately
    commune_share: float  # share of provinces whose communes are included
    agency_levels: tuple[str, ...]


PROFILES = {
    "XS": Profile(30_000, 0.1, ()),
    "S": Profile(100_000, 0.25, ("province",)),
    "M": Profile(1_000_000, 1.0, ("province", "district", "commune")),
    "L": Profile(10_000_000, 1.0, ("province", "district", "commune")),
}

# Agencies every unit has, per level: (agency-type slug, label pattern, head post label pattern).
AGENCIES = {
    "province": [
        ("tinh-uy", "Tỉnh ủy {n}", "Bí thư Tỉnh ủy {n}"),
        ("hdnd", "Hội đồng nhân dân {l}", "Chủ tịch HĐND {l}"),
        ("ubnd", "Ủy ban nhân dân {l}", "Chủ tịch UBND {l}"),
        ("ubmttq", "Ủy ban MTTQ Việt Nam {l}", "Chủ tịch Ủy ban MTTQ {l}"),
        ("ban-to-chuc", "Ban Tổ chức Tỉnh ủy {n}", "Trưởng Ban Tổ chức Tỉnh ủy {n}"),
        ("ban-tuyen-giao", "Ban Tuyên giáo Tỉnh ủy {n}", "Trưởng Ban Tuyên giáo Tỉnh ủy {n}"),
        ("ban-dan-van", "Ban Dân vận Tỉnh ủy {n}", "Trưởng Ban Dân vận Tỉnh ủy {n}"),
        ("ubkt", "Ủy ban Kiểm tra Tỉnh ủy {n}", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy {n}"),
        ("van-phong-cap-uy", "Văn phòng Tỉnh ủy {n}", "Chánh Văn phòng Tỉnh ủy {n}"),
        ("so-noi-vu", "Sở Nội vụ {l}", "Giám đốc Sở Nội vụ {l}"),
        ("thanh-tra", "Thanh tra {l}", "Chánh Thanh tra {l}"),
        ("van-phong-ubnd", "Văn phòng UBND {l}", "Chánh Văn phòng UBND {l}"),
    ],
    "district": [
        ("huyen-uy", "Huyện ủy {n}", "Bí thư Huyện ủy {n}"),
        ("hdnd", "Hội đồng nhân dân {l}", "Chủ tịch HĐND {l}"),
        ("ubnd", "Ủy ban nhân dân {l}", "Chủ tịch UBND {l}"),
        ("ubmttq", "Ủy ban MTTQ Việt Nam {l}", "Chủ tịch Ủy ban MTTQ {l}"),
        ("ban-to-chuc", "Ban Tổ chức Huyện ủy {n}", "Trưởng Ban Tổ chức Huyện ủy {n}"),
        ("ubkt", "Ủy ban Kiểm tra Huyện ủy {n}", "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy {n}"),
        ("phong-noi-vu", "Phòng Nội vụ {l}", "Trưởng Phòng Nội vụ {l}"),
        ("thanh-tra", "Thanh tra {l}", "Chánh Thanh tra {l}"),
    ],
    "commune": [
        ("dang-uy-xa", "Đảng ủy {l}", "Bí thư Đảng ủy {l}"),
        ("hdnd", "Hội đồng nhân dân {l}", "Chủ tịch HĐND {l}"),
        ("ubnd", "Ủy ban nhân dân {l}", "Chủ tịch UBND {l}"),
        ("ubmttq", "Ủy ban MTTQ Việt Nam {l}", "Chủ tịch Ủy ban MTTQ {l}"),
    ],
}
STATUS_LABELS = {
    "continued": ("tiếp tục", "continued"),
    "researching": ("nghiên cứu", "researching"),
    "planned": ("kế hoạch", "planned"),
    "implemented": ("đã triển khai", "implemented"),
    "not_implemented": ("chưa triển khai", "not implemented"),
    "paused": ("tạm dừng", "paused"),
    "stopped": ("dừng", "stopped"),
    "ended": ("kết thúc", "ended"),
}


def b(local: str) -> str:
    return iri(str(BOMAY[local]))


def rid(local: str) -> str:
    return str(ID[local])


def vocab(scheme: str, concept: str) -> str:
    return iri(str(VOCAB[f"{scheme}/{concept}"]))


def unit_iri(u: Unit) -> str:
    """`unit/<era>/<code>`, era 2023 = the units before the 1 July 2025 reform (ARCHITECTURE.md)."""
    return rid(f"unit/{ERA}/{u.code}")


def model_local(m: Model) -> str:
    return f"{m.kind}/{m.level}/" + "--".join(sorted(slug(c) for c in m.components))


def period_start(when: str) -> str:
    if "-Q" in when:
        y, q = when.split("-Q")
        return f"{y}-{(int(q) - 1) * 3 + 1:02d}-01"
    parts = when.split("-") + ["01", "01"]
    return f"{parts[0]}-{parts[1]}-{parts[2]}" if len(when) > 4 else f"{when}-01-01"


class Generator:
    """Streams one national graph into a QuadWriter and remembers what the query mix should ask about."""

    def __init__(self, w: QuadWriter, profile: Profile, seed: int) -> None:
        self.w = w
        self.p = profile
        self.seed = seed
        self.app_events: Counter[str] = Counter()
        self.model_apps: Counter[str] = Counter()
        self.place_apps: Counter[str] = Counter()
        self.province_apps: Counter[str] = Counter()
        self.legal: list[str] = []
        self.articles: list[str] = []
        self.unit_counts: Counter[str] = Counter()

    # -- reference graphs ------------------------------------------------------------------------------
    def vocabularies(self) -> None:
        """The ontology graph the service holds (classes, SKOS schemes), else the status labels alone."""
        w = self.w
        w.use(str(GRAPH["ontology"]))
        try:
            import ontology

            nt = ontology.load().serialize(format="nt", encoding="utf-8").decode("utf-8")
        except (ImportError, AttributeError, FileNotFoundError):
            nt = ""
        for line in nt.splitlines():
            if line.strip():
                w.out.write(line.rstrip().removesuffix(".").rstrip() + w.graph)
                w.count += 1
        if nt:
            return
        for s, (vi, en) in STATUS_LABELS.items():
            c = vocab("status", s)
            w.add(c, RDF_TYPE, iri(SKOS + "Concept"))
            w.add(c, iri(SKOS + "prefLabel"), lit(vi, "vi"))
            w.add(c, iri(SKOS + "prefLabel"), lit(en, "en"))

    def unit(self, u: Unit, province: Unit) -> None:
        w, s = self.w, iri(unit_iri(u))
        cls, ut = UNIT_CLASSES.get((u.level, u.type_word), ("AdministrativeUnit", u.level))
        w.add(s, RDF_TYPE, b(cls))
        w.add(s, RDFS_LABEL, lit(u.label, "vi"))
        w.add(s, b("name"), lit(u.name, "vi"))
        w.add(s, b("unitType"), vocab("unit-type", ut))
        w.add(s, b("unitCode"), lit(u.code))
        w.add(s, b("searchKey"), lit(u.search_key))
        if u.parent:
            w.add(s, b("partOf"), iri(rid(f"unit/{ERA}/{u.parent}")))
        w.add(s, b("province"), iri(unit_iri(province)))  # as loaders/gazetteer_rdf.py states it
        self.unit_counts[u.level] += 1

    def agencies(self, u: Unit) -> None:
        w = self.w
        for kind, label_pat, head_pat in AGENCIES[u.level]:
            label = label_pat.format(n=u.name, l=u.label)
            a = iri(rid(f"agency/{u.code}/{kind}"))
            w.add(a, RDF_TYPE, b("Agency"))
            w.add(a, RDFS_LABEL, lit(label, "vi"))
            w.add(a, iri(str(ORG["classification"])), vocab("agency-type", kind))
            w.add(a, iri(DCT + "spatial"), iri(unit_iri(u)))
            w.add(a, b("searchKey"), lit(fold(label)))
            head = head_pat.format(n=u.name, l=u.label)
            post = iri(rid(f"position/{u.code}/{kind}-head"))
            w.add(post, RDF_TYPE, b("Position"))
            w.add(post, RDFS_LABEL, lit(head, "vi"))
            w.add(post, iri(str(ORG["postIn"])), a)
            w.add(post, b("searchKey"), lit(fold(head)))

    def reference(self) -> list:
        ps = provinces()
        step = max(1, round(1 / self.p.commune_share))
        with_communes = {p.unit.code for p in ps[::step]}
        self.vocabularies()
        self.w.use(str(GRAPH["gazetteer"]))
        for p in ps:
            self.unit(p.unit, p.unit)
            for d in p.districts:
                self.unit(d, p.unit)
                if p.unit.code in with_communes:
                    for c in p.communes[d.code]:
                        self.unit(c, p.unit)
        if self.p.agency_levels:
            self.w.use(str(GRAPH["agencies"]))
            for p in ps:
                units = [p.unit] + p.districts + [c for d in p.districts for c in p.communes[d.code]]
                for u in units:
                    if u.level in self.p.agency_levels and (
                        u.level != "commune" or p.unit.code in with_communes
                    ):
                        self.agencies(u)
        return ps

    # -- one article graph -----------------------------------------------------------------------------
    def model(self, m: Model) -> str:
        w = self.w
        s = iri(rid(f"model/{model_local(m)}"))
        cls = {"merger": "MergerModel", "concurrent_position": "ConcurrentPositionModel"}[m.kind]
        w.add(s, RDF_TYPE, b(cls))
        w.add(s, b("modelKind"), vocab("model-kind", slug(m.kind)))
        w.add(s, b("level"), vocab("level", m.level))
        w.add(s, RDFS_LABEL, lit(m.label, "vi"))
        w.add(s, b("searchKey"), lit(fold(m.label)))
        kind = "position" if m.kind == "concurrent_position" else "agency"
        for c in m.components:
            cs = iri(rid(f"{kind}/{slug(c)}"))
            w.add(s, b("component"), cs)
            w.add(cs, RDF_TYPE, b("Position" if kind == "position" else "Agency"))
            w.add(cs, RDFS_LABEL, lit(c, "vi"))
        if m.result:
            r = iri(rid(f"agency/{slug(m.result)}"))
            w.add(s, b("result"), r)
            w.add(r, RDF_TYPE, b("Agency"))
            w.add(r, RDFS_LABEL, lit(m.result, "vi"))
        return s

    def article(self, a: Article) -> None:
        w = self.w
        w.use(str(GRAPH[f"article/{a.doc_id}"]))
        src = iri(rid(f"article/{a.doc_id}"))
        prov = a.province.unit
        year = a.date[:4]
        issuer = iri(rid(f"agency/{slug('Tỉnh ủy ' + prov.name)}"))
        legal_local = f"legal/{slug('Tỉnh ủy ' + prov.name)}/{slug(a.plan_number)}/{year}"
        legal = iri(rid(legal_local))
        nq18 = iri(rid("legal/ban-chap-hanh-trung-uong/18-nq-tw/2017"))
        w.add(src, RDF_TYPE, b("SourceDocument"))
        w.add(src, iri(DCT + "identifier"), lit(a.doc_id))
        w.add(src, iri(DCT + "title"), lit(a.title, "vi"))
        w.add(src, b("text"), lit(a.text))
        w.add(src, iri(DCT + "spatial"), iri(unit_iri(prov)))
        w.add(src, iri(DCT + "references"), legal)
        w.add(src, iri(DCT + "references"), nq18)
        w.add(legal, RDF_TYPE, b("Plan"))
        w.add(legal, b("documentNumber"), lit(a.plan_number))
        w.add(legal, b("documentKind"), vocab("document-kind", "ke-hoach"))
        w.add(legal, iri(DCT + "date"), lit(a.date, datatype=XSD + "date"))
        w.add(legal, b("issuer"), issuer)
        w.add(legal, RDFS_LABEL, lit(f"Kế hoạch {a.plan_number}", "vi"))
        w.add(issuer, RDF_TYPE, b("Agency"))
        w.add(issuer, RDFS_LABEL, lit(f"Tỉnh ủy {prov.name}", "vi"))
        w.add(nq18, RDF_TYPE, b("Resolution"))
        w.add(nq18, b("documentNumber"), lit("18-NQ/TW"))
        w.add(nq18, RDFS_LABEL, lit("Nghị quyết 18-NQ/TW", "vi"))
        seen_models: dict[Model, str] = {}
        seen_spans: set[int] = set()
        for n, f in enumerate(a.facts, 1):
            ms = seen_models.get(f.model) or seen_models.setdefault(f.model, self.model(f.model))
            place = iri(unit_iri(f.place))
            w.add(place, RDF_TYPE, b(UNIT_CLASSES.get((f.place.level, f.place.type_word), ("Commune",))[0]))
            w.add(place, RDFS_LABEL, lit(f.place.label, "vi"))
            app_local = f"application/{model_local(f.model)}/{ERA}/{f.place.code}"
            app = iri(rid(app_local))
            ev = iri(rid(f"event/{a.doc_id}/{n}"))
            span = iri(rid(f"evidence/{a.doc_id}/{f.start}-{f.end}"))
            w.add(app, RDF_TYPE, b("PilotApplication"))
            w.add(app, b("model"), ms)
            w.add(app, b("place"), place)
            w.add(app, b("statusEvent"), ev)
            w.add(ev, RDF_TYPE, b("StatusEvent"))
            w.add(ev, b("status"), vocab("status", f.status))
            if f.when:
                w.add(ev, b("when"), lit(f.when))
                w.add(ev, b("periodStart"), lit(period_start(f.when), datatype=XSD + "date"))
            if f.count:
                w.add(ev, b("count"), lit(f.count))
            w.add(ev, b("decidedBy"), legal)
            w.add(ev, b("evidence"), span)
            w.add(ev, iri(str(PROV["wasDerivedFrom"])), src)
            if f.start not in seen_spans:
                seen_spans.add(f.start)
                pos, quote = f"_:p{a.doc_id}x{f.start}", f"_:q{a.doc_id}x{f.start}"
                w.add(span, RDF_TYPE, b("EvidenceSpan"))
                w.add(span, iri(str(OA["hasSource"])), src)
                w.add(span, iri(str(OA["hasSelector"])), pos)
                w.add(span, iri(str(OA["hasSelector"])), quote)
                w.add(pos, RDF_TYPE, iri(str(OA["TextPositionSelector"])))
                w.add(pos, iri(str(OA["start"])), lit(str(f.start), datatype=XSD + "nonNegativeInteger"))
                w.add(pos, iri(str(OA["end"])), lit(str(f.end), datatype=XSD + "nonNegativeInteger"))
                w.add(quote, RDF_TYPE, iri(str(OA["TextQuoteSelector"])))
                w.add(quote, iri(str(OA["exact"])), lit(f.text))
                w.add(quote, iri(str(OA["prefix"])), lit(a.text[max(0, f.start - 32) : f.start]))
                w.add(quote, iri(str(OA["suffix"])), lit(a.text[f.end : f.end + 32]))
            self.app_events[rid(app_local)] += 1
            self.model_apps[rid(f"model/{model_local(f.model)}")] += 1
            self.place_apps[unit_iri(f.place)] += 1
            self.province_apps[unit_iri(prov)] += 1
        self.legal.append(rid(legal_local))
        self.articles.append(a.doc_id)

    def run(self) -> None:
        self.reference()
        writer = ArticleWriter(self.seed, self.p.commune_share)
        while self.w.count < self.p.target:
            self.article(writer.write())

    def params(self) -> dict:
        """Parameter values for the query mix: the busiest resources and a spread of ordinary ones."""

        def top(c: Counter, k: int = 8) -> list[str]:
            busiest = [x for x, _ in c.most_common(k // 2)]
            rest = sorted(c)[:: max(1, len(c) // (k - len(busiest)))]
            return list(dict.fromkeys(busiest + rest))[:k]

        districts = Counter({k: v for k, v in self.place_apps.items() if len(k.rsplit("/", 1)[1]) == 3})
        return {
            "model": top(self.model_apps),
            "place": top(districts),
            "province": top(self.province_apps),
            "legal": top(Counter(self.legal)),
            "application": top(self.app_events),
            "article": [
                str(ID[f"article/{x}"]) for x in self.articles[:: max(1, len(self.articles) // 8)][:8]
            ],
            "search": [
                "thuan thanh",
                "kinh mon",
                "ban to chuc",
                "van phong huyen uy",
                "chanh thanh tra",
                "bi thu",
                "nam sach",
                "mttq",
            ],
            "status": [str(VOCAB[f"status/{s}"]) for s in ("paused", "stopped")],
            "counts": {
                "triples": self.w.count,
                "articles": len(self.articles),
                "applications": len(self.app_events),
                "units": dict(self.unit_counts),
            },
        }


def generate(size: str, seed: int, out_dir: Path) -> dict:
    """Write data.nq and params.json into out_dir (reused when already there) and return the params."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data, params_file = out_dir / "data.nq", out_dir / "params.json"
    if data.exists() and params_file.exists():
        return json.loads(params_file.read_text())
    t0 = time.perf_counter()
    tmp = data.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        g = Generator(QuadWriter(fh), PROFILES[size], seed)
        g.run()
    tmp.replace(data)
    params = g.params() | {"size": size, "seed": seed, "seconds": round(time.perf_counter() - t0, 2)}
    params_file.write_text(json.dumps(params, ensure_ascii=False, indent=1))
    return params


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="S", choices=sorted(PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--out", type=Path, default=None)
    a = ap.parse_args(argv)
    out = a.out or Path("/tmp/bomay-bench") / f"{a.size}-{a.seed}"
    params = generate(a.size, a.seed, out)
    json.dump(params["counts"] | {"dir": str(out), "seconds": params["seconds"]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
