"""Article → facts (the facts contract, ARCHITECTURE.md): models, places, statuses, dates, documents.

Pipeline: normalise → segment → recognise (units, documents, dates, counts, status cues) →
relate (loaders/relate.py) → one fact per (model, level, place), with the clause as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from ontology.text import fold

from . import levels as lv
from . import status as st
from .article import article_district, article_province
from .counts import CountMention, find_counts
from .dates import DateMention, as_when, find_dates, in_force, with_year
from .docnums import DocMention, find_documents, unique_documents
from .lexicon import load
from .normalise import ArticleMeta, Prepared, prepare
from .places import (
    NATIONAL,
    Place,
    bare_units,
    drop_enclosing,
    find_units,
    gazetteer,
    province_place,
    unit_place,
)
from .relate import bare_item, find_models, pattern_weight
from .roles import canonical_key, component_key, concept_of, model_keys
from .segment import Paragraph, segment

DECISION_STATUSES = {"paused", "stopped", "ended", "continued", "researching", "planned"}


@dataclass
class _Ctx:
    """Per-document state the rules share."""

    doc: Prepared
    low: str
    dates: list[DateMention]
    counts: list[CountMention]
    docs: list[DocMention]
    province: Place | None
    province_unit: object
    main_date: str | None
    main_doc: str | None = None
    free: list[DateMention] | None = None  # dates that are not a cited document's own, once computed
    article_date: str | None = None  # the first date of the lead (the day reported on), "YYYY-MM-DD"
    places_memo: dict[tuple[int, int], list[Place]] = field(default_factory=dict)
    dropped: list[tuple[dict, str]] = field(default_factory=list)  # candidates left out, and why
    in_force: list[DateMention] = field(default_factory=list)  # when bodies start work, decisions take force
    main_kind: str | None = None  # kind of the article's own document ("Kế hoạch")
    national: bool = False  # no province of its own, and national bodies speak: facts are "toàn quốc"
    district: Place | None = None  # the one district the article is about, if any
    default_status: str = "implemented"  # what a model with no cue states in this article (its genre)
    province_confidence: float = 0.5  # how surely the article's province was found
    guidance: bool = False  # a guidance or plan ("Hướng dẫn thí điểm ..."): its facts take its day


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _free_dates(ctx: _Ctx, a: int, b: int) -> list[DateMention]:
    """Dates in [a, b) that are not the date of a cited document."""
    if ctx.free is None:
        doc_dates = set()
        for d in ctx.docs:
            for dm in ctx.dates:
                # "Kết luận số 34-KL/TW ngày 7/8/2018": only "ngày" or a comma between number and date
                if 0 <= dm.start - d.end <= 12 and _DOC_DATE_GAP.fullmatch(ctx.low[d.end:dm.start]):
                    doc_dates.add(dm.start)
        ctx.free = [d for d in ctx.dates if d.start not in doc_dates]
    return [d for d in ctx.free if a <= d.start < b]


_DOC_DATE_GAP = re.compile(r"[\s,]*(?:ngày|ký|ban hành)?[\s,]*")


def _effective_date(ctx: _Ctx, dates: list[DateMention]) -> DateMention | None:
    """The date a decision takes effect ("kể từ ngày 01/9/2022") before any other in the clause
    (the first is often the day the document was issued)."""
    markers = load("relations")["effective_markers"]
    for d in dates:
        before = ctx.low[max(0, d.start - 16):d.start].rstrip()
        if any(before.endswith(m) for m in markers):
            return d
    return dates[0] if dates else None


def _section_when(ctx: _Ctx, paras: list[Paragraph], section: int | None) -> str | None:
    """A "Thời gian thực hiện: ..." line in the section dates its items."""
    if section is None:
        return None
    lex = load("relations")
    for p in paras:
        if p.section != section or p.kind != "para":
            continue
        line = ctx.low[p.start:p.end]
        if not any(line.startswith(k) for k in lex["section_time"]):
            continue
        dates = _free_dates(ctx, p.start, p.end)
        if dates:
            return as_when(dates[0].value)
        if any(k in line for k in lex["on_issue"]) and ctx.main_date:
            return ctx.main_date[:7]
    return None


def _counted_level(ctx: _Ctx, a: int, b: int) -> str | None:
    for c in ctx.counts:
        if a <= c.start < b and c.denominator_unit:
            level = lv.counted_level(c.denominator_unit)
            if level:
                return level
    m = _counted_units().search(ctx.low, a, b)
    return lv.counted_level(m.group(1)) if m else None


def _unit_number(ctx: _Ctx, a: int, b: int) -> str | None:
    """"cả nước có 16 quận, huyện thực hiện": the number of units doing it, as written (not when the units
    are named: "ở 3 xã: A, B và C")."""
    m = _counted_units().search(ctx.low, a, b)
    return m.group(0).split()[0] if m else None


@cache
def _counted_units() -> re.Pattern[str]:
    """"16 quận, huyện", "638 xã", "12 tỉnh": a number of units of a level."""
    nouns = [w for words in load("levels")["counted"].values() for w in words]
    alts = "|".join(re.escape(w) for w in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"(?<![\w/]\d)(?<!\w)\d[\d.]*\s+({alts})(?!\w)")


def _count(ctx: _Ctx, a: int, b: int) -> str | None:
    """The figure of text[a:b] as the gold writes it: a ratio, with its share in brackets when both are
    given ("50/88 (56,8%)"); a share alone ("20,4%")."""
    found = [c for c in ctx.counts
             if a <= c.start < b and not any(d.start <= c.start < d.end for d in ctx.docs)]
    ratio = next((c.value for c in found if not c.value.endswith("%")), None)
    share = next((c.value for c in found if c.value.endswith("%")), None)
    if ratio and share:
        return f"{ratio} ({share})"
    return ratio or share


def _is_national(ctx: _Ctx, a: int, b: int) -> bool:
    seg = ctx.low[a:b]
    return any(w in seg for w in load("relations")["national"])


def _has_figure(ctx: _Ctx, a: int, b: int) -> bool:
    """A count or a number of units ("10/12", "35 xã") in text[a:b]."""
    return _count(ctx, a, b) is not None or _counted_level(ctx, a, b) is not None


def _exception_at(low: str, a: int, b: int) -> int | None:
    """Where ", riêng ..." / ", trừ ..." opens an exception after a model, in low[a:b]."""
    m = _exception_re().search(low, a, b)
    return m.start(1) if m else None


@cache
def _exception_re() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in load("relations")["exception_markers"])
    return re.compile(rf"[,;:]\s*((?:{words})\s)")


def _places_with_figure(ctx: _Ctx, a: int, b: int) -> bool:
    """"Các huyện A, B, C đạt tỷ lệ 100%.": named places and a figure, read against the sentence before."""
    return not any(k in ctx.low[a:b] for k in load("relations")["clause_keywords"]) and \
        _count(ctx, a, b) is not None and bool(_places(ctx, a, b))


def _deadline(ctx: _Ctx, a: int, b: int) -> bool:
    """A deadline in text[a:b] ("hoàn thành trước ngày 28/02/2025") that had not passed on the day the
    article reports on (when the lead gives that day)."""
    markers = load("statuses")["deadline_markers"]
    for d in _free_dates(ctx, a, b):
        if any(ctx.low[max(a, d.start - 20):d.start].rstrip().endswith(m) for m in markers):
            return not ctx.article_date or d.value > ctx.article_date
    return False


def _reported(low: str, a: int, at: int) -> bool:
    """A verb of doing right before a mention ("thực hiện mô hình này")."""
    before = low[max(a, at - 14):at].rstrip()
    return any(before.endswith(v) for v in load("relations")["report_verbs"])


def _review_only(cues: list, low: str, a: int, b: int) -> bool:
    """"Mô hình này dự kiến sẽ được tổng kết": what is planned is a review of the model, not the model."""
    verbs = load("relations")["review_verbs"]
    return any(any(w in low[c.end:min(b, c.end + 24)] for w in verbs) for c in cues if a <= c.start < b)


def _opens_with_place(ctx: _Ctx, a: int, b: int) -> bool:
    """"...; thị xã A và huyện B tạm dừng": the clause's subject is the places themselves."""
    places = _places(ctx, a, b)
    return bool(places) and places[0].start - a <= 2


def _after_contrast(ctx: _Ctx, a: int) -> bool:
    """The clause at `a` opens with, or follows, a contrast or exception word ("nhưng", "riêng")."""
    words = load("relations")["contrast_openers"]
    before = ctx.low[max(0, a - 10):a].rstrip(" ,")
    return any(ctx.low.startswith(w, a) or before.endswith(w) for w in words)


def _elliptic_target(ctx: _Ctx, cues: list, prev: list[dict], a: int, b: int) -> list[dict]:
    """A clause with a figure and no model of its own speaks of the model(s) of the clause before it in
    the sentence: "...; phấn đấu đến năm 2025 đạt 50%" (a target), "...; đến nay có 10/12 huyện thực
    hiện" (a report: a status cue, else a verb of doing gives the default status)."""
    count = _count(ctx, a, b)
    if not prev:
        return []
    own = [c for c in cues if a <= c.start < b]
    target = next((c for c in own if c.dominant), None) or (own[0] if own else None)
    if count is None:
        # "Riêng huyện A và huyện B chưa hợp nhất.", "... nhưng đến tháng 6/2023 phải tách ra": a status
        # word for the model just told, at the places named (else where it was told)
        if target is None or target.dominant or any(f.get("_default") for f in prev) or \
                not (_after_contrast(ctx, a) or _opens_with_place(ctx, a, b)):
            return []
    elif target is None:
        if not any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", ctx.low[a:b])
                   for v in load("relations")["report_verbs"]):
            return []
        target = st.Cue(a, a, ctx.default_status, False)
    places = _places(ctx, a, b)  # "...; trong đó huyện A và huyện B đạt 100%": the figure is theirs
    dates = _free_dates(ctx, a, b)
    out, seen = [], set()
    for f in prev:
        for place in places or [None]:
            key = (f["kind"], f["level"], place.name if place else f["place"]["name"], tuple(f["components"]))
            if key in seen:
                continue
            seen.add(key)
            when = as_when(dates[0].value) if dates else (f["when"] if f["status"] == target.status else None)
            g = dict(f, status=target.status, count=count, when=when,
                     evidence={"start": a, "end": b, "text": ctx.doc.text[a:b]})
            if place:
                g["place"] = place.as_json()
            g["_explicit_when"] = g["when"] is not None
            g["rule"] = "discourse.elliptic"
            g["confidence"] = round(f.get("confidence", 0.7) * 0.9, 2)
            out.append(g)
    return out


def _fact(kind: str, components: list[str], result: str | None, place: Place, level: str | None,
          status: str, when: str | None, count: str | None, ev: tuple[int, int], text: str,
          decided_by: str | None) -> dict:
    return {
        "kind": kind,
        "components": components,
        "result": result,
        "place": place.as_json(),
        "level": level,
        "status": status,
        "when": when,
        "count": count,
        "evidence": {"start": ev[0], "end": ev[1], "text": text[ev[0]:ev[1]]},
        "component_keys": [canonical_key(c) for c in components],
        "component_types": [concept_of(c) for c in components],
        "decided_by": decided_by,
    }


def _places(ctx: _Ctx, a: int, b: int) -> list[Place]:
    """Districts and communes named in text[a:b] (memoised: clauses and sentences often coincide)."""
    hit = ctx.places_memo.get((a, b))
    if hit is None:
        units = find_units(ctx.doc.match[a:b], a, ctx.province_unit)
        if ctx.province_unit is not None:
            units += [u for u in bare_units(ctx.doc.match[a:b], a, ctx.province_unit)
                      if not any(t.start < u.end and u.start < t.end for t in units)]
        hit = drop_enclosing(sorted((u for u in units if u.level in ("district", "commune")),
                                    key=lambda u: u.start))
        ctx.places_memo[(a, b)] = hit
    return hit


_SUBJECT = re.compile(r"(?<!\w)về(?: việc)?\s*[“\"«]([^”\"»]{4,400})[”\"»]")


def _document_subjects(low: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spans of quoted document subjects in low[a:b] ("... của Ban Tổ chức Trung ương về “...”")."""
    return [(m.start(1), m.end(1)) for m in _SUBJECT.finditer(low, a, b)]


def _names_a_model(ctx: _Ctx, at: int) -> bool:
    """The sentence around `at` has a model trigger of its own ("chấm dứt hoạt động của Đảng bộ Khối ... kể
    từ ngày 1/1/2020"): its in-force date is that model's, not an earlier one's."""
    a = max(ctx.low.rfind(". ", 0, at), ctx.low.rfind("\n", 0, at)) + 1
    ends = [i for i in (ctx.low.find(". ", at), ctx.low.find("\n", at)) if i >= 0]
    sentence = ctx.low[a:min(ends) if ends else len(ctx.low)]
    lex = load("relations")
    words = lex["concurrency"]["triggers"] + lex["merger"]["triggers"] + lex["merger"]["dissolve"]
    return any(w in sentence for w in words)


@cache
def _basis_re() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in load("relations")["basis_markers"])
    return re.compile(rf"(?<!\w)(?:{words})\s+(?:[^\s,.;]+\s+){{0,3}}$")


def _acted_on(ctx: _Ctx, d: DocMention, floor: int) -> bool:
    """"Thực hiện Nghị quyết số 19 ...", "Căn cứ Kết luận 34": the document is the basis of what follows,
    and its date is not the date of the act."""
    return bool(_basis_re().search(ctx.low[max(floor, d.start - 40):d.start]))


def _implemented_when(ctx: _Ctx, f: dict, p: Paragraph) -> None:
    """A done merger or post is dated when it took effect ("hoạt động từ ngày 1/1/2019", in its paragraph
    or after it), else by its own clause, else by a date of its paragraph, else by the day reported on."""
    start, end = f["evidence"]["start"], f["evidence"]["end"]
    later = [d for d in ctx.in_force if d.start >= p.start and
             (start <= d.start < end or not _names_a_model(ctx, d.start))]
    if later and (f["kind"] == "merger" or later[0].start < p.end):
        f["when"], f["_effective"] = as_when(later[0].value), True
        return
    if f["when"] is not None:
        return
    before = load("relations")["before_document"]
    cited = [d for d in ctx.docs if p.start <= d.start < end]
    if any(m in ctx.low[max(p.start, d.start - 32):d.start] for d in cited for m in before):
        return  # "Trước khi có Nghị quyết 18, ...": older than the document, date unknown
    # "Nghị quyết số 250/NQ-HĐND ngày 15/6/2025 về việc ..." decides; "Thực hiện Nghị quyết 19" is acted on
    decided = [d for d in cited if d.date and not _acted_on(ctx, d, p.start)]
    opening = [d for d in _free_dates(ctx, p.start, min(p.end, p.start + 16))]  # "Ngày 28/2/2018, ..."
    if decided:
        f["when"] = as_when(decided[-1].date)
    elif opening:
        f["when"] = as_when(opening[0].value)
    elif ctx.article_date and f["place"]["name"] != NATIONAL.name:
        f["when"] = ctx.article_date[:7]  # the day reported on; a national "nhiều tỉnh đã ..." has none


def _place_source(ctx: _Ctx, place: Place, named: list[Place], result: str | None) -> str:
    """How a fact's place was found, for its confidence."""
    if named:
        return "result" if result and place in _result_place(ctx, result) else "clause"
    if place is NATIONAL:
        return "national"
    if ctx.district is not None and place == ctx.district:
        return "district"
    return "province" if place.name else "none"


def _grounding(ctx: _Ctx, f: dict, rule: str, place_source: str, defaulted: bool) -> None:
    """The fact's `rule` and `confidence` (0-1): the pattern's own weight (patterns.yaml) times how its
    place and status were found (named in the clause > from the article; a cue > the default)."""
    weights = load("patterns")["confidence"]
    base = pattern_weight(rule)
    place = weights["place"][place_source]
    if place_source == "province":
        place *= ctx.province_confidence
    status = weights["status"]["default" if defaulted else "cue"]
    known = [c for c in f["component_types"] if c]
    components = weights["components"]["grounded" if len(known) == len(f["components"]) else "partly"]
    f["rule"] = rule
    f["confidence"] = round(base * place * status * components, 2)


def _default_place(ctx: _Ctx, level: str | None, a: int, b: int, whole: bool) -> Place:
    """Where a fact whose clause names no unit happened: the whole country when it says so (or the
    article has no province and national bodies speak), the article's district for a fact below the
    province ("Chánh Thanh tra thị xã"), else the article's province."""
    if _is_national(ctx, a, b) or (ctx.province is None and ctx.national):
        return NATIONAL
    generic = lv.explicit_levels(ctx.low[a:b])  # "cấp huyện" speaks of every district of the province
    if ctx.district and level in ("district", "commune", "village") and not whole and not generic:
        return ctx.district
    return ctx.province or Place(None, None, "province", None)


def _nationwide(ctx: _Ctx, places: list[Place], a: int, b: int) -> bool:
    """The clause speaks of the whole country: no place of its own, and national words or an article of
    national bodies."""
    return not places and (_is_national(ctx, a, b) or (ctx.province is None and ctx.national))


def _result_place(ctx: _Ctx, result: str | None) -> list[Place]:
    """The unit a merged body is named after ("Đảng bộ tỉnh Cà Mau", "Trung tâm ... huyện Bình Sơn") is
    where the merger happened."""
    if not result:
        return []
    return drop_enclosing(find_units(result, -1, ctx.province_unit))[:1]


def _model_level(variant_level: str | None, components: list[str], places: list[Place],
                 ctx: _Ctx, a: int, b: int, result: str | None = None) -> str:
    if variant_level:
        return variant_level
    if result and lv.component_level(result):
        return lv.component_level(result)  # parts of several levels folded into one body work at its level
    comp = lv.lowest([lv.component_level(c) for c in components])
    if comp:
        return comp
    stated = {lvl for _, _, lvl in lv.explicit_levels(ctx.low[a:b])}  # "Ở cấp huyện, ..."
    usual = lv.usual_level(components)
    if usual and not stated and not _nationwide(ctx, places, a, b):  # the country's decision: no level
        return usual
    place_levels = {p.level for p in places}
    if len(place_levels) == 1:
        return next(iter(place_levels))
    if len(stated) == 1:
        return next(iter(stated))
    return _counted_level(ctx, a, b) or _plural_level(ctx, a, b) or "province"


@cache
def _plural_units() -> re.Pattern[str]:
    nouns = [w for words in load("levels")["counted"].values() for w in words]
    alts = "|".join(re.escape(w) for w in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:các|tất cả các|những|nhiều)\s+({alts})(?!\w)")


def _plural_level(ctx: _Ctx, a: int, b: int) -> str | None:
    """"các huyện, thị xã, thành phố đã hoàn thành việc sáp nhập ...": the units of a level, in general."""
    m = _plural_units().search(ctx.low, a, b)
    return lv.counted_level(m.group(1)) if m else None


@cache
def _places_doing_re() -> re.Pattern[str]:
    lex = load("relations")
    subjects = "|".join(re.escape(w) for w in lex["place_subjects"])
    verbs = "|".join(re.escape(w) for w in lex["report_verbs"])
    return re.compile(rf"(?<!\w)(?:{subjects})\s+(?:(?:đã|đang|cũng|vẫn)\s+)*(?:{verbs})(?:\s+thí điểm)?\s*$")


def _places_doing(ctx: _Ctx, a: int, at: int) -> bool:
    """"Đối với địa phương thực hiện thí điểm X", "các tỉnh đã triển khai X": places are doing it."""
    return bool(_places_doing_re().search(ctx.low[max(a, at - 60):at]))


def _subject_provinces(ctx: _Ctx, a: int, at: int) -> list[Place]:
    """"Các tỉnh Thái Bình và Hưng Yên sẽ thí điểm X": provinces named before the model are where it is,
    each one (not when the one named is the article's own: that is the default anyway)."""
    provs = [u for u in find_units(ctx.doc.match[a:at], a, None) if u.level == "province"]
    own = ctx.province.code if ctx.province else None
    if not provs or (len(provs) == 1 and provs[0].code == own):
        return []
    return list({p.code: p for p in provs}.values())


def _clause_level(ctx: _Ctx, a: int, b: int) -> str | None:
    """The one level a clause states in words ("Ở cấp xã, ..."). Counted units are not enough: "18/27 huyện
    chưa thực hiện mô hình này" counts the districts where a commune model is missing."""
    stated = {lvl for _, _, lvl in lv.explicit_levels(ctx.low[a:b])}
    return next(iter(stated)) if len(stated) == 1 else None


def _level_named(variant_level: str | None, components: list[str], ctx: _Ctx, a: int, b: int) -> bool:
    """The text itself says at which level a model works (a level word, a counted unit, a component's
    own level): a national fact that names none has level null."""
    return bool(variant_level or lv.lowest([lv.component_level(c) for c in components])
                or lv.explicit_levels(ctx.low[a:b]) or _counted_level(ctx, a, b))


def _suffix_generic(components: list[str], level: str) -> list[str]:
    if level == "province":
        return components
    return [c if lv.component_level(c) or lv.names_city(c) else f"{c} {lv.suffix(level)}" for c in components]


def _decided_by(ctx: _Ctx, a: int, b: int) -> str | None:
    """The article's own document (cited in its title or lead), else one cited in the clause."""
    if ctx.main_doc:
        return ctx.main_doc
    for d in ctx.docs:
        if a <= d.start < b:
            return d.number
    return None


def extract_document(text: str, doc_id: str, meta: ArticleMeta | None = None) -> dict:
    """The facts object of one article (ARCHITECTURE.md "Facts JSON"), with a few extra keys for RDF.

    `meta` fills what the text's own header lines (`# source:`, `# date:`, `# title:`) leave open."""
    doc = prepare(text)
    low = _lower(doc.match)
    paras = segment(doc)
    dates = find_dates(low)
    # "Sáng 5/3", "ngày 1/8": a day, not a figure
    counts = [c for c in find_counts(doc.match) if not any(d.start <= c.start < d.end for d in dates)]
    docs = find_documents(doc.match, dates)
    for d in docs:
        d.number = d.number.replace("ð", "Đ")
    titled = bool(paras) and paras[0].kind == "title"
    title = doc.match[paras[0].start:paras[0].end] if titled else ""
    lead = next((doc.match[p.start:p.end] for p in paras if p.kind == "para"), "")
    meta = doc.meta.merged(meta)
    signal = article_province(meta.title or title, lead, doc.match[: doc.body_end], meta)
    punit = signal.unit
    province = province_place(punit, f"{title}\n{lead}") if punit else None
    main = next((d for d in docs if d.date), None)
    ctx = _Ctx(doc, low, dates, counts, docs, province, punit, main.date if main else None,
               national=signal.national)
    lead_end = next((p.end for p in paras if p.kind == "para"), 0)
    lead_dates = [d for d in _free_dates(ctx, 0, lead_end) if d.grain == "day"]
    ctx.default_status = st.genre_status(meta.title or title,
                                         national=signal.unit is None and signal.national)
    ctx.guidance = st.genre_status(meta.title or title) != st.default_status()
    ctx.province_confidence = signal.confidence
    focus = article_district(meta.title or title, lead, meta, punit)
    ctx.district = unit_place(focus) if focus else None
    ctx.article_date = meta.date or (lead_dates[0].value if lead_dates else None)
    ctx.dates = with_year(ctx.dates, ctx.article_date)
    ctx.free = None
    ctx.in_force = in_force(low, _free_dates(ctx, 0, len(low)))
    # the article's own document: dated, in its title or lead, not one it acts on ("thực hiện Kết luận 34")
    main_lead = next((d for d in docs if d.start < lead_end and d.date and not _acted_on(ctx, d, 0)),
                     None)
    ctx.main_doc = main_lead.number if main_lead else None
    ctx.main_kind = main_lead.kind if main_lead else None
    facts = _relate_all(ctx, paras)
    if not facts and paras and paras[0].kind == "title":
        # a title (or a caption standing first) may be the only place that names the model; the body may
        # then still tell what became of it ("... trên cơ sở hợp nhất 3 đơn vị nói trên")
        facts = _relate_all(ctx, [replace(paras[0], kind="para"), *paras[1:]])
    return {
        "id": doc_id,
        "province": punit.name if punit else None,
        "province_iri": province.iri if province else None,
        "documents": [d.as_json() for d in unique_documents(docs)],
        "models": facts,
        "title": meta.title or (doc.text[paras[0].start:paras[0].end] if titled else ""),
        "source": meta.source,
        "date": meta.date,
        "reported": ctx.article_date,  # the day reported on: the metadata's, else the lead's first day
        "province_signal": signal.signal,
        "dropped": [{"kind": f["kind"], "components": f["components"], "rule": f.get("rule"), "reason": why}
                    for f, why in ctx.dropped],
    }


def _relate_all(ctx: _Ctx, paras: list[Paragraph]) -> list[dict]:
    text, low = ctx.doc.text, ctx.low
    rel_lex = load("relations")
    facts: list[dict] = []
    seen: dict[tuple, dict] = {}
    last_model: tuple[str, str | None, list[str]] | None = None
    last_places: list[Place] = []  # places of the last model named ("cả 3 huyện đã chấm dứt mô hình này")
    history: list[tuple[str, str | None, list[str]]] = []  # models named so far ("hợp nhất văn phòng")
    history_places: list[list[Place]] = []  # where each of them was named
    carry: tuple[str, str] | None = None  # (status, when) of the last dated decision
    list_section, list_items, list_over = None, False, False
    for p in paras:
        if p.kind != "para":
            if p.kind == "heading":
                carry = None
            continue
        # a numbered or bulleted list under a heading ends at the first plain paragraph after its items
        if p.section != list_section:
            list_section, list_items, list_over = p.section, False, False
        if p.item:
            list_items = True
        elif list_items:
            list_over = True
        heading = paras[p.section] if p.section is not None and not list_over else None
        h_text = low[heading.start:heading.end] if heading else ""
        h_status = st.heading_status(h_text) if heading else None
        if heading and not h_status:
            h_status = st.plan_heading_status(h_text, ctx.main_kind)
        # items of a list under "Các mô hình tiếp tục thực hiện:" may be bare names
        h_lists = bool(h_status) and any(w in h_text for w in rel_lex["other"]["heading_words"])
        para_facts: list[dict] = []
        fact_sentences: set[int] = set()
        last_clause_facts: list[dict] = []
        for si, sent in enumerate(p.sentences):
            cues = st.find_cues(low[sent.start:sent.end], sent.start)
            # facts of the previous clause of this sentence ("Trong đó, ..." continues the sentence before)
            continues = any(low.startswith(w, sent.start) for w in rel_lex["continuation_markers"]) or \
                _places_with_figure(ctx, sent.start, sent.end)
            prev_facts: list[dict] = last_clause_facts if continues else []
            # clauses of this sentence that gave facts, and where their first model starts ("Cuối năm 2007, cả
            # nước có 16 huyện thực hiện X; có 638 xã thực hiện Y": a date before the first model is the
            # sentence's)
            fact_spans: list[tuple[int, int, int]] = []
            for clause in sent.clauses:
                a, b = clause.start, clause.end
                bare = None
                mentions = find_models(text, low, a, b, []) \
                    if any(k in low[a:b] for k in rel_lex["clause_keywords"]) else []
                if not mentions:
                    if h_lists and len(p.sentences) == 1 and len(sent.clauses) == 1:
                        bare = bare_item(text, low, a, b)
                    if not bare:
                        _status_from_next_clause(ctx, cues, prev_facts, a, b)
                        prev_facts = _elliptic_target(ctx, cues, prev_facts, a, b) or prev_facts
                        para_facts.extend(f for f in prev_facts if f["evidence"]["start"] == a)
                        continue
                clause_facts: list[dict] = []
                units = _places(ctx, a, b)
                place_spans = [(u.start, u.end, _type_word(text, u)) for u in units]
                # a figure ("35 xã ... thực hiện") reports the state of things, not the heading's decision
                inherited = None if _has_figure(ctx, a, b) else h_status
                if any(mm.start < ps < mm.end for mm in mentions for ps, _, _ in place_spans):
                    mentions = find_models(text, low, a, b, place_spans)  # a named unit ends a component
                quoted = _document_subjects(low, a, b)
                if _has_figure(ctx, a, b) or any(not c.policy and a <= c.start < b for c in cues):
                    # "tiếp tục thực hiện chủ trương X": the aspect says more than the word for a policy
                    cues = [c for c in cues if not (c.policy and a <= c.start < b)]
                clause_units = units
                for mm in [bare] if bare else mentions:
                    units = clause_units
                    if any(qa <= mm.start < qb for qa, qb in quoted):
                        continue  # "Hướng dẫn số 25 về “Thực hiện thí điểm mô hình X”": a title, not a report
                    status = st.resolve(cues, mm.start, mm.end, (a, b), (sent.start, sent.end),
                                        mm.exclude_cues) or inherited
                    defaulted = status is None
                    if mm.anaphoric:
                        told = _referent(history, mm.hint, mm.kind) if mm.hint is not None else last_model
                        if not status and _reported(low, a, mm.start) and \
                                (units or _has_figure(ctx, a, b) or _free_dates(ctx, a, b)):
                            # "địa phương thực hiện mô hình này từ năm 2019" (not "qua thực hiện mô hình
                            # này đã đạt được ...": a verdict on the model, no new place, time or figure)
                            status = ctx.default_status
                        if not told or not status or _review_only(cues, low, mm.end, b):
                            continue
                        if (mm.refers > 1 or mm.refers < 0) and not units:
                            # "duy trì hai mô hình trên" (the last two), "các mô hình trên" (every one told):
                            # each where it was told
                            told_n = _told(history, history_places, mm.refers)
                            for (k2, l2, c2), p2 in told_n:
                                for place in p2 or [ctx.province or Place(None, None, "province", None)]:
                                    f = _fact(k2, c2, None, place, l2, status, None, None, (a, b), text,
                                              _decided_by(ctx, a, b))
                                    f["_explicit_when"], f["_default"] = False, False
                                    _grounding(ctx, f, mm.rule, "clause" if p2 else "province", defaulted)
                                    clause_facts.append(f)
                            continue
                        kind, level0, comps = told
                        here = _clause_level(ctx, a, b)
                        if here and level0 and here != level0:
                            # "Ở cấp xã, 310/460 xã thực hiện mô hình này": the model told, at this level
                            level0, comps = here, [lv.relevel(c, here) for c in comps]
                        variants = [(level0, comps)]
                        mm_kind = kind
                    else:
                        variants = mm.variants
                        mm_kind = mm.kind
                        # a figure of places doing it, or places as the subject of doing it ("địa phương thực
                        # hiện thí điểm X"), reports what is done, whatever the article's genre
                        status = status or (st.default_status() if _has_figure(ctx, a, b) or
                                            _places_doing(ctx, a, mm.start) else ctx.default_status)
                    # the clause's own date, else one that opens the sentence ("Trong tháng 10/2022, ...");
                    # not one of a target set after the model ("..., phấn đấu đến năm 2025 đạt ...")
                    target_at = next((c.start for c in cues if c.dominant and mm.end <= c.start < b), b)
                    own_dates = _free_dates(ctx, a, target_at) or \
                        [d for d in _free_dates(ctx, sent.start, a) if not any(
                            fa <= d.start < fb and d.start > fm for fa, fb, fm in fact_spans)]
                    eff = _effective_date(ctx, own_dates)
                    when = as_when(eff.value) if eff else None
                    effective = eff is not None and eff in ctx.in_force
                    count = _count(ctx, a, target_at)
                    number = None if units else _unit_number(ctx, a, target_at)
                    if number and (count is None or count.endswith("%")):
                        count = f"{number} ({count})" if count else number  # "638 xã ..., chiếm 5,7%"
                    whole = any(w in low[a:b] for w in rel_lex["whole_province"])
                    if mm.local_place:
                        units = [u for u in units if mm.start <= u.start <= mm.end + 2]
                    places = _result_place(ctx, mm.result) or units or _subject_provinces(ctx, a, mm.start) \
                        or (last_places if mm.anaphoric and not whole else [])
                    groups = [(places, status, when)]
                    exc = _exception_at(low, mm.end, b)
                    if exc is not None and any(u.start >= exc for u in units):
                        # "A đã sáp nhập ở tất cả các huyện, riêng huyện X chưa thực hiện"
                        own = st.resolve(cues, mm.start, mm.end, (a, exc), (sent.start, sent.end),
                                         mm.exclude_cues) or inherited or ctx.default_status
                        other = st.resolve(cues, exc, exc, (exc, b), (exc, b)) or status
                        eff_own = _effective_date(ctx, [d for d in own_dates if d.start < exc])
                        eff_exc = _effective_date(ctx, _free_dates(ctx, exc, b))
                        groups = [([u for u in units if u.start < exc], own,
                                   as_when(eff_own.value) if eff_own else None),
                                  ([u for u in units if u.start >= exc], other,
                                   as_when(eff_exc.value) if eff_exc else None)]
                    for v_level, comps in variants:
                        level = _model_level(v_level, comps, places, ctx, a, b, mm.result)
                        comps = _suffix_generic(comps, level)
                        if not mm.anaphoric:
                            nationwide = _nationwide(ctx, places, a, b)
                            told_level = None if nationwide and not _level_named(v_level, comps, ctx, a, b) \
                                else level
                            last_model = (mm_kind, told_level, comps)
                            history.append(last_model)
                            history_places.append(units)
                        if units or not mm.anaphoric:
                            last_places = units
                        for g_places, g_status, g_when in groups:
                            targets = g_places or [_default_place(ctx, level, a, b, whole)]
                            for place in targets:
                                if place is NATIONAL and not _level_named(v_level, comps, ctx, a, b):
                                    level = None  # a national decision names no level of its own
                                f = _fact(mm_kind, comps, mm.result, place, level, g_status, g_when, count,
                                          (a, b), text, _decided_by(ctx, a, b))
                                f["_explicit_when"] = g_when is not None
                                f["_effective"] = effective and g_when == when
                                f["_default"] = defaulted and g_status == status and not count
                                f["_genre"] = ctx.guidance and g_status == ctx.default_status
                                _grounding(ctx, f, mm.rule, _place_source(ctx, place, g_places, mm.result),
                                           defaulted and not inherited)
                                clause_facts.append(f)
                                fact_sentences.add(si)
                deadline = _deadline(ctx, a, b)
                for f in clause_facts:  # "hoàn thành việc hợp nhất ... trước ngày 28/02/2025": not yet done
                    if f["_default"] and deadline:
                        f["status"], f["_default"] = load("statuses")["future_default"], False
                # "..., phấn đấu đến năm 2025 đạt 50%": a target after the model in the same clause
                ends = max((f["evidence"]["end"] for f in clause_facts), default=a)
                for c in cues:
                    if c.dominant and a < c.start < b and low[a:c.start].rstrip().endswith(",") and \
                            not find_models(text, low, c.start, b, []):
                        clause_facts += _elliptic_target(ctx, cues, clause_facts, c.start, min(b, ends))
                        break
                para_facts.extend(clause_facts)
                if clause_facts:
                    fact_spans.append((a, b, min((mm.start for mm in mentions), default=a)))
                prev_facts = clause_facts or prev_facts
            last_clause_facts = prev_facts
        # when: the sentence's own date, else a date in a sentence of the paragraph without facts,
        # else the section's "Thời gian thực hiện", else a dated decision just before.
        para_dates = [d for si, s in enumerate(p.sentences) if si not in fact_sentences
                      for d in _free_dates(ctx, s.start, s.end)]
        sect_when = _section_when(ctx, paras, p.section)
        # a paragraph that goes on with the decision or event of the lead takes its day
        same_event = any(low.startswith(w, p.start) for w in rel_lex["same_event_openers"])
        for f in para_facts:
            if f["status"] == "implemented" and not f.get("_effective"):
                _implemented_when(ctx, f, p)
            elif f["when"] is None and f.get("_genre") and ctx.article_date:
                f["when"] = ctx.article_date[:7]  # a guidance or plan is dated by the day it is reported
            if f["when"] is None and f["status"] != "implemented":
                if para_dates:
                    f["when"] = as_when(para_dates[0].value)
                elif sect_when:
                    f["when"] = sect_when
                elif carry and carry[0] == f["status"] and f["status"] in DECISION_STATUSES:
                    f["when"] = carry[1]
            if f["when"] is None and same_event and (ctx.article_date or ctx.main_date):
                f["when"] = (ctx.article_date or ctx.main_date)[:7]  # "Theo đó, ...", "Cùng ngày, ..."
            if f.pop("_explicit_when") and f["status"] in DECISION_STATUSES:
                carry = (f["status"], f["when"])
            key = (f["kind"], f["level"], fold(f["place"]["name"] or ""), f["status"],
                   tuple(model_keys(f["components"])))
            if key in seen:
                kept = seen[key]
                if f.get("_effective") and not kept.get("_effective"):
                    kept["when"], kept["_effective"] = f["when"], True  # when it took effect wins
                elif kept["when"] and f["when"] and ctx.article_date and kept["when"] > ctx.article_date >= \
                        f["when"]:
                    kept["when"] = f["when"]  # what is reported as done cannot be dated after the report
                elif kept["status"] == "implemented" and not kept.get("_effective") and f["when"] and \
                        kept["when"] and f["when"] < kept["when"]:
                    kept["when"] = f["when"]  # decided before it was announced: the decision dates it
                kept["when"] = kept["when"] or f["when"]
                kept["count"] = kept["count"] or f["count"]
                kept["_default"] = kept.get("_default", False) and f.get("_default", False)
                continue
            seen[key] = f
            facts.append(f)
    kept = _drop_vaguer(_supersede(_drop_generic(facts)))
    for f in kept:
        if not f["place"].get("name"):
            ctx.dropped.append((f, "no place: the article names no province and no national body"))
    for f in kept:
        f.pop("_effective", None)
        f.pop("_genre", None)
    return [f for f in kept if f["place"].get("name")]


def _model_key(f: dict) -> tuple:
    return f["kind"], f["level"], f["status"], tuple(model_keys(f["components"]))


def _drop_generic(facts: list[dict]) -> list[dict]:
    """A model mentioned in passing for the whole province ("sơ kết thí điểm mô hình X"), with no status
    word and no figure, adds nothing when the article gives the places where X has that status."""
    placed = {_model_key(f) for f in facts if f["place"].get("code") and not _is_province(f)}
    out = []
    for f in facts:
        generic = f.pop("_default", False) and _is_province(f)
        if generic and _model_key(f) in placed:
            continue
        out.append(f)
    return out


def _words(component: str) -> set[str]:
    return set(component_key(component).split())


def _covers(general: dict, specific: dict) -> bool:
    """Every component of `general` is said, in as many or more words, by its own component of
    `specific`: "bí thư kiêm chủ tịch" and "Bí thư cấp ủy kiêm Chủ tịch UBND" are one model."""
    if general["kind"] != specific["kind"] or len(general["components"]) != len(specific["components"]):
        return False
    left = [_words(c) for c in specific["components"]]
    for comp in general["components"]:
        words = _words(comp)
        hit = next((i for i, w in enumerate(left) if words <= w), None)
        if hit is None:
            return False
        left.pop(hit)
    return True


def _place_key(f: dict) -> str:
    return fold(f["place"].get("name") or "")


def _drop_vaguer(facts: list[dict]) -> list[dict]:
    """A model told vaguely and then in full at the same place, level (or none said) and status is one
    fact: the full one (its count and date filled from the vague one when it has none)."""
    groups: dict[tuple, list[dict]] = {}
    for f in facts:
        groups.setdefault((_place_key(f), f["status"], f["kind"]), []).append(f)
    out = []
    for f in facts:
        same = groups[(_place_key(f), f["status"], f["kind"])]
        # a mention with no level ("bí thư kiêm chủ tịch") is the model told in full at its level
        fuller = next((g for g in same if g is not f and f["level"] in (g["level"], None)
                       and _covers(f, g) and not _covers(g, f)), None)
        if fuller is not None:
            fuller["count"] = fuller["count"] or f["count"]
            fuller["when"] = fuller["when"] or f["when"]
            continue
        out.append(f)
    return out


def _within(place: dict, region: dict) -> bool:
    """`place` is `region` or lies inside it (a district of the province that ended a model)."""
    if fold(place.get("name") or "") == fold(region.get("name") or ""):
        return True
    code, rcode = place.get("code") or "", region.get("code") or ""
    return len(rcode) == 2 and bool(code) and _province_code_of(place) == rcode


def _province_code_of(place: dict) -> str | None:
    iri = place.get("iri") or ""
    era, _, code = iri.rpartition("/unit/")[2].partition("/")
    unit = gazetteer().get(code, era) if code else None
    return unit.province if unit else None


def _supersede(facts: list[dict]) -> list[dict]:
    """The history of a model and then its end ("có 18/111 xã thực hiện mô hình ... Tuy nhiên đến năm
    2024, Tỉnh ủy đã thống nhất kết thúc thí điểm mô hình trên phạm vi toàn tỉnh"), or a plan then carried
    out (statuses.yaml `supersedes`): the earlier facts take the later status and date, keeping their
    figures; the place that ended it whole keeps one."""
    supersedes = load("statuses")["supersedes"]
    for t in facts:
        replaced = supersedes.get(t["status"], ())
        for f in facts:
            if f is t or f["status"] not in replaced or f["evidence"]["start"] >= t["evidence"]["start"]:
                continue
            if f["level"] != t["level"] or not (_covers(f, t) or _covers(t, f)):
                continue
            if not _within(f["place"], t["place"]):
                continue
            f["status"], f["when"] = t["status"], t["when"] or f["when"]
            f["_superseded"] = True
    out, seen = [], {}
    for f in facts:
        key = (f["kind"], f["level"], _place_key(f), f["status"],
               tuple(model_keys(f["components"])))
        if key in seen:
            kept = seen[key]
            if kept.get("_superseded") and not f.get("_superseded"):
                # the end is the news: its sentence and rule, with the figure of the history
                f["count"] = f["count"] or kept["count"]
                out[out.index(kept)] = f
                seen[key] = f
            elif kept.get("_superseded") and f.get("_superseded"):
                kept["count"] = f["count"] or kept["count"]  # of two histories, the later figure
            else:
                kept["count"] = kept["count"] or f["count"]
            continue
        seen[key] = f
        out.append(f)
    for f in out:
        f.pop("_superseded", None)
    return out


def _is_province(f: dict) -> bool:
    iri = f["place"].get("iri") or ""
    code = f["place"].get("code") or ""
    return not iri or (len(code) <= 2)


def _told(history: list[tuple], places: list[list[Place]], n: int) -> list[tuple[tuple, list[Place]]]:
    """The last `n` models told with their places, or every distinct one when `n` is negative."""
    told = list(zip(history, places, strict=True))
    if n > 0:
        return told[-n:]
    distinct = {(kind, level, tuple(model_keys(comps))): ((kind, level, comps), where)
                for (kind, level, comps), where in told}
    return list(distinct.values())


def _referent(history: list[tuple[str, str | None, list[str]]], hint: str, kind: str) -> tuple | None:
    """The latest model of that kind told whose components hold every word of `hint` ("văn phòng")."""
    words = set(component_key(hint).split())
    for told in reversed(history):
        if told[0] == kind and words <= set(component_key(" ".join(told[2])).split()):
            return told
    return None


def _status_from_next_clause(ctx: _Ctx, cues: list, prev: list[dict], a: int, b: int) -> None:
    """"... mô hình X; giao Ban Tổ chức nghiên cứu, tham mưu trong quý III/2023": a model with no status
    word of its own takes the status (and date) of the clause after it, when that clause names none."""
    own = [c for c in cues if a <= c.start < b and not c.dominant]
    if not own or _count(ctx, a, b) is not None:
        return
    dates = _free_dates(ctx, a, b)
    for f in prev:
        if f.get("_default"):
            f["status"] = own[0].status
            f["_default"] = False
            if f["when"] is None and dates:
                f["when"] = as_when(dates[0].value)
                f["_explicit_when"] = True


def _type_word(text: str, place: Place) -> str:
    """The written type word that opens a unit mention ("huyện" in "huyện Nam Sách"), or ""."""
    written = text[place.start:place.end]
    m = re.match(r"((?:[a-zđà-ỹ]+\s+)+)", written)
    return m.group(1) if m else ""
