"""Relation rules: pilot models named in a clause (concurrent posts, mergers, other models).

Each rule reads the lower-cased matching text `low` between clause offsets and returns
`ModelMention`s whose components are cut from the document text `text` at the same offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from . import levels as lv
from .lexicon import load
from .roles import agency_head, bridges, category_of, position_head


@dataclass
class ModelMention:
    """One model named in a clause; `variants` holds (level or None, components) per level."""

    kind: str  # merger | concurrent_position | other
    start: int
    end: int
    variants: list[tuple[str | None, list[str]]]
    result: str | None = None
    anaphoric: bool = False
    exclude_cues: list[tuple[int, int]] = field(default_factory=list)
    hint: str | None = None  # an anaphoric merger's own words ("hợp nhất văn phòng"): which model it means
    refers: int = 1  # how many models told before it means ("hai mô hình trên": 2)
    rule: str = ""  # the pattern that read it (loaders/lexicons/patterns.yaml)
    local_place: bool = False  # only a unit written right at the mention is its place (a title, not a clause)


@cache
def _rx_cached(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


def _rx(words: list[str]) -> re.Pattern[str]:
    return _rx_cached(tuple(words))


@cache
def _lex() -> dict:
    return load("relations")


def _mask(low: str, a: int, b: int) -> str:
    """low[a:b] with the separators inside fixed expressions hidden (same length): a list's commas, an
    abbreviation's period, the space of "thành phố" (no " thành " result word)."""
    seg = low[a:b].replace("thành phố", "thành\x01phố")
    spans = [(m.start(), m.end()) for m in lv.enumeration_regex().finditer(seg)]
    for br in bridges():
        i = seg.find(br)
        while i >= 0:
            spans.append((i, i + len(br)))
            i = seg.find(br, i + 1)
    if not spans:
        return seg
    chars = list(seg)
    for s, e in spans:
        for k in range(s, e):
            if chars[k] in ",;.":
                chars[k] = "\x01"
        inner = "".join(chars[s:e]).replace(" và ", "\x01và\x01").replace(" hoặc ", "\x01hoặc\x01")
        chars[s:e] = list(inner)
    return "".join(chars)


def _first_stop(masked: str, stops: list[str]) -> int:
    best = len(masked)
    for s in stops:
        i = masked.find(s)
        if 0 <= i < best:
            best = i
    return best


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " ,.;:–-\u00a0\"“”'(":
        a += 1
    while b > a and text[b - 1] in " ,.;:–-\u00a0\"“”'…":
        b -= 1
    return a, b


def _cut_at_places(a: int, b: int, places: list[tuple[int, int, str]]) -> int:
    """End of a phrase before the first named unit inside it (its type word kept)."""
    for s, _, type_word in places:
        if a < s < b:
            return s + len(type_word) if type_word else s
    return b


def _with_levels(text: str, comps: list[tuple[int, int]], levels: list[str] | None,
                 enum_at: int | None) -> list[tuple[str | None, list[str]]]:
    """Variants per level of a "..., cấp tỉnh, cấp huyện" phrase, the generic parts suffixed."""
    names = [text[a:b].strip() for a, b in comps]
    if not levels:
        return [(None, names)]
    out = []
    for level in levels:
        suffixed = []
        for i, (a, b) in enumerate(comps):
            if enum_at is not None and a <= enum_at <= b:
                base = text[a:enum_at].strip(" ,")
                suffixed.append(f"{base} {lv.suffix(level)}")
            elif lv.component_level(names[i]) is None:
                suffixed.append(f"{names[i]} {lv.suffix(level)}")
            else:
                suffixed.append(names[i])
        out.append((level, suffixed))
    return out


Spans = list[tuple[int, int, str]]


@cache
def _person_re() -> re.Pattern[str]:
    markers = "|".join(re.escape(w) for w in load("roles")["person_markers"])
    # "đồng chí Lê Văn A, Ủy viên Ban Thường vụ Thành ủy, Trưởng Ban ...": titles may come between
    return re.compile(rf"(?i:{markers})\s+[A-ZĐÀ-Ỹ]\w*(?:\s+[A-ZĐÀ-Ỹ]\w*)*"
                      r"((?:\s*,\s*[^,;.:()“”\"]{2,70})*)\s*[,–-]?\s*$")


def names_a_person(text: str, a: int, head: int) -> bool:
    """True when the post follows a person's name and titles ("đồng chí A, Ủy viên Ban Thường vụ, ..."): a
    job title, not a model. Parts between that are not titles ("ông Hà, trong bối cảnh hiện nay, ...")
    end the person."""
    m = _person_re().search(text[max(a, head - 160):head])
    if not m:
        return False
    parts = [p.strip() for p in m.group(1).split(",") if p.strip()]
    return all(position_head(p.lower(), 0, anchored=True) or agency_head(p.lower()) or p[:1].isupper()
               for p in parts)


def concurrency(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """"X đồng thời là Y", "X kiêm Y", "X kiêm nhiệm Y": both X and Y must open with a post."""
    lex = _lex()["concurrency"]
    out: list[ModelMention] = []
    for m in _rx(lex["triggers"]).finditer(low, a, b):
        left = low[a:m.start()]
        if "," in left:  # "trưởng ban dân vận quận ủy, huyện ủy": the comma is kept inside
            left = _mask(low, a, m.start())
        cut = 0
        for c in lex["left_cuts"]:
            i = left.rfind(c)
            if i >= 0:
                cut = max(cut, i + len(c))
        head = position_head(low, a + cut, m.start())
        if not head:
            continue
        if names_a_person(text, a, head.start()):
            continue
        x_end = head.start() + _first_stop(low[head.start():m.start()], lex["left_ends"])
        x = _trim(text, head.start(), x_end)
        r0 = m.end()
        while r0 < b and low[r0] == " ":
            r0 += 1
        if not position_head(low, r0, b, anchored=True):
            continue
        masked = _mask(low, r0, b)
        y_end = r0 + _first_stop(masked, lex["right_stops"])
        y_end = _cut_at_places(r0, y_end, places)
        y = _trim(text, r0, y_end)
        if y[1] <= y[0] or x[1] <= x[0]:
            continue
        enum = lv.level_enumeration(low[y[0]:y[1]])
        levels, enum_at = (enum[1], y[0] + enum[0]) if enum else (None, None)
        variants = _with_levels(text, [x, y], levels, enum_at)
        out.append(ModelMention("concurrent_position", x[0], y[1], variants, rule="concurrency.trigger"))
    return out


def joined_titles(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """"Bí thư Huyện ủy - Chủ tịch UBND huyện": two posts of different families (party and state or
    front) written as one title with a hyphen: one person holds both."""
    lex = _lex()["concurrency"]
    out: list[ModelMention] = []
    for m in re.finditer(r"\s?[-–]\s?", low[a:b]):
        h0 = a + m.start()
        r0 = a + m.end()
        right = position_head(low, r0, b, anchored=True)
        if not right:
            continue
        left = None
        for hm in _heads_before(low, max(a, h0 - 60), h0):
            if not re.search(r"[,;:.()]", low[hm:h0]):
                left = hm
                break
        if left is None:
            continue
        mention = _held_together(text, low, _trim(text, left, h0), r0, b, places,
                                 lex["right_stops"] + [" - ", " – "], "concurrency.joined-titles")
        if mention:
            out.append(mention)
    return out


def unified_titles(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """"nhất thể hóa chức danh bí thư chi bộ và trưởng thôn": two posts made one."""
    lex = _lex()["concurrency"]
    out: list[ModelMention] = []
    for m in _rx(lex["unify_triggers"]).finditer(low, a, b):
        x0 = _head_after(low, m.end(), b)
        if x0 is None:
            continue
        joins = [low.find(j, x0, b) for j in lex["unify_joiners"]]
        joins = [(i, j) for i, j in zip(joins, lex["unify_joiners"], strict=True) if i > x0]
        for i, joiner in sorted(joins):
            r0 = i + len(joiner)
            if not position_head(low, r0, b, anchored=True):
                continue
            x = _trim(text, x0, _cut_at_places(x0, i, places))
            y = _post_from(text, low, r0, b, places, lex["right_stops"])
            if x[1] > x[0] and y[1] > y[0]:
                out.append(ModelMention("concurrent_position", m.start(), y[1],
                                        [(None, [text[x[0]:x[1]], text[y[0]:y[1]]])],
                                        rule="concurrency.unified-titles"))
            break
    return out


def appointment(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """"Ông A, Bí thư Huyện ủy X, được bầu giữ chức Chủ tịch UBND huyện": a party post's holder given a state
    or front post (or the reverse) holds both; one post of the same family is a promotion, not a model."""
    lex = _lex()["concurrency"]
    out: list[ModelMention] = []
    for m in _rx(lex["appointment_verbs"]).finditer(low, a, b):
        r0 = _head_after(low, m.end(), b)
        if r0 is None:
            continue
        left = next(iter(_heads_before(low, max(a, m.start() - 120), m.start())), None)
        if left is None:
            continue
        x1 = left + _first_stop(_mask(low, left, m.start()), [",", ";", "(", " được ", " giữ "])
        x = _trim(text, left, _cut_at_places(left, min(x1, m.start()), places))
        mention = _held_together(text, low, x, r0, b, places, lex["right_stops"], "concurrency.appointment")
        if mention:
            out.append(mention)
    return out


def _head_after(low: str, at: int, b: int) -> int | None:
    """Where a post's title starts after `at` (spaces skipped), or None when no title starts there."""
    while at < b and low[at] == " ":
        at += 1
    return at if position_head(low, at, b, anchored=True) else None


def _post_from(text: str, low: str, r0: int, b: int, places: Spans, stops: list[str]) -> tuple[int, int]:
    """The post title starting at `r0`, up to its first stop, the places after it cut off."""
    return _trim(text, r0, _cut_at_places(r0, r0 + _first_stop(_mask(low, r0, b), stops), places))


def _held_together(text: str, low: str, x: tuple[int, int], r0: int, b: int, places: Spans,
                   stops: list[str], rule: str) -> ModelMention | None:
    """The post `x` and the post from `r0` to its first stop (places cut off) held by one person: a model
    when one is a party post and the other a state or front post."""
    y = _post_from(text, low, r0, b, places, stops)
    if x[1] <= x[0] or y[1] <= y[0]:
        return None
    posts = [text[x[0]:x[1]], text[y[0]:y[1]]]
    if not _party_and_state(posts):
        return None
    return ModelMention("concurrent_position", x[0], y[1], [(None, posts)], rule=rule, local_place=True)


def _party_and_state(posts: list[str]) -> bool:
    """One party post and one state or front post: one person across the two systems, a pilot model
    (two party posts, or a promotion within the state, are not)."""
    families = {category_of(p) for p in posts}
    return "party" in families and bool(families & {"state", "front"})


def _heads_before(low: str, a: int, b: int) -> list[int]:
    """Starts of position heads in low[a:b], nearest to b first."""
    starts = []
    i = a
    while i < b:
        hm = position_head(low, i, b)
        if not hm:
            break
        starts.append(hm.start())
        i = hm.end()
    return list(reversed(starts))


def _split_components(low: str, a: int, b: int) -> tuple[list[tuple[int, int]], str | None]:
    """Components of a merger object and how they were joined ("với", "vào", or a list)."""
    masked = _mask(low, a, b)
    for joiner in (" với ", " vào "):
        i = masked.find(joiner)
        if i > 0:
            r0 = i + len(joiner)
            comma = masked.find(",", r0)  # "A với B, Ban Thường vụ quyết định ...": B ends at the comma
            return [(a, a + i), (a + r0, a + comma if comma > 0 else b)], joiner.strip()
    parts: list[tuple[int, int, str]] = []  # (start, end, the separator before it)
    s, sep = 0, ""
    for m in re.finditer(r",\s*|\s+và\s+|\s+cùng\s+", masked):
        parts.append((a + s, a + m.start(), sep))
        s, sep = m.end(), m.group(0).strip()
    parts.append((a + s, b, sep))
    kept: list[tuple[int, int]] = []
    for pa, pb, sep in parts:
        pa2 = pa + (4 if low.startswith("các ", pa) else 0)
        if kept and not agency_head(low, pa2, pb):
            if sep == ",":
                break
            kept[-1] = (kept[-1][0], pb)  # "Trung tâm Văn hóa - Thông tin và Thể thao": "và" inside a name
            continue
        kept.append((pa, pb))
    return kept, None


@cache
def _lead_in_re() -> re.Pattern[str]:
    lex = _lex()["merger"]
    openers = "|".join(lex["lead_in_openers"])
    return re.compile(rf"(?:{openers})\s+([^:;.]{{1,{lex['lead_in_max_chars']}}}?)\s*:\s*")


def _lead_in(text: str, low: str, o0: int, b: int) -> tuple[int, str | None, int | None]:
    """Where the parts start after a lead-in ("các đơn vị: ", "2 đảng bộ tỉnh: ", "hai sở "), the head
    the lead-in gives bare names (or None), and how many parts it counts (or None)."""
    m = _lead_in_re().match(low, o0, b)
    if m:
        head = re.sub(r"\s+(?:gồm|bao gồm|là)$", "", m.group(1).strip())
        head = head if agency_head(head) and not re.search(r"\d", head) else None
        return m.end(), head, None
    counted = _lex()["merger"]["counted_heads"]
    word = re.match(r"(\S+)\s+", low[o0:b])
    if word and str(word.group(1)) in {str(k) for k in counted}:
        h = _generic_head().match(low, o0 + word.end(), b)  # "sở", not the vocabulary's "sở công thương"
        if h and h.end() < b and low[h.end()] == " " and not agency_head(low, h.end() + 1, b) and \
                text[h.end() + 1:h.end() + 2].isupper():
            n = next(v for k, v in counted.items() if str(k) == word.group(1))
            return h.end() + 1, low[h.start():h.end()], n
    return o0, None, None


@cache
def _generic_head() -> re.Pattern[str]:
    return _rx(load("roles")["agency_heads"])


def _join_unheaded(pieces: list[str]) -> list[str]:
    """Pieces split at "và", each one not opening with a head joined back to the one before it."""
    out: list[str] = []
    for piece in pieces:
        if out and not agency_head(piece.lower()):
            out[-1] = f"{out[-1]} và {piece}"
        else:
            out.append(piece)
    return out


def _distribute(text: str, low: str, a: int, b: int, head: str, count: int | None) -> list[str]:
    """"An Giang và Kiên Giang" under "đảng bộ tỉnh": each name with the head written before it."""
    seg = text[a:b]
    parts = [p for p in re.split(r"\s*,\s*", seg) if p.strip()]
    if count is None or len(parts) < count:
        last = re.split(r"\s+(?:và|cùng)\s+", parts[-1]) if parts else []
        if count is not None and len(parts) - 1 + len(last) > count:
            # "Sở Nội vụ và Sở Lao động - Thương binh và Xã hội": only a "và" before a head joins two parts
            last = _join_unheaded(last)
        parts = parts[:-1] + last
    out = []
    for part in parts:
        part = part.strip(" .;:")
        if not part:
            continue
        if agency_head(part.lower()):
            out.append(part)
        else:
            out.append(f"{head[:1].upper()}{head[1:]} {part}")
    return out


@cache
def _result_before_re() -> re.Pattern[str]:
    lex = _lex()["merger"]
    verbs = "|".join(re.escape(v) for v in lex["result_before"])
    links = "|".join(re.escape(v) for v in sorted(lex["result_before_link"], key=len, reverse=True))
    return re.compile(rf"(?<!\w)({verbs})\s+(.{{4,160}}?)\s*,?\s+(?:{links})\s*$")


@cache
def _passive_re() -> re.Pattern[str]:
    lex = _lex()["merger"]
    verbs = "|".join(re.escape(v) for v in lex["result_before"])
    links = "|".join(re.escape(v) for v in sorted(lex["result_before_link"], key=len, reverse=True))
    return re.compile(rf"\s+(?:(?:đã|sẽ|vừa|chính thức)\s+)?được\s+({verbs})\s+(?:{links})\s*$")


def _result_before_passive(text: str, low: str, a: int, at: int) -> tuple[str, int, bool] | None:
    """"D được thành lập trên cơ sở hợp nhất A và B": D is the clause's subject before "được"."""
    m = _passive_re().search(low, a, at)
    if not m:
        return None
    starts = [a] + [a + i + 1 for i, ch in enumerate(low[a:m.start()]) if ch in ",:"]
    for s0 in starts:
        while s0 < m.start() and low[s0] == " ":
            s0 += 1
        if agency_head(low, s0, m.start()):
            ra, rb = _trim(text, s0, m.start())
            return text[ra:rb], ra, m.group(1) in _lex()["merger"]["result_before_keeps"]
    return None


def _result_before(text: str, low: str, a: int, at: int) -> tuple[str, int, bool] | None:
    """"thành lập D (trực thuộc E) trên cơ sở <verb>": D, where it starts, and whether D is also a part
    ("tổ chức lại D trên cơ sở ...")."""
    m = _result_before_re().search(low, a, at)
    if not m or not agency_head(low, m.start(2), at):
        return _result_before_passive(text, low, a, at)
    r1 = m.start(2) + _first_stop(low[m.start(2):m.end(2)], _lex()["merger"]["result_stops"])
    ra, rb = _trim(text, m.start(2), r1)
    if rb <= ra:
        return None
    return text[ra:rb], ra, m.group(1) in _lex()["merger"]["result_before_keeps"]


@cache
def _refer_back_re() -> re.Pattern[str]:
    """"3 cơ quan nói trên", "hai đơn vị này": counted parts that point back at the merger just told."""
    lex = _lex()["merger"]
    counts, back = _rx(lex["refer_counts"]).pattern, _rx(lex["refer_back"]).pattern
    return re.compile(rf"(?:\d+|{counts})\s+(?:[^\W\d]+\s+){{1,{lex['refer_max_words']}}}?{back}")


def merger(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """"hợp nhất A với B", "sáp nhập A, B và C (để) thành lập D", "sáp nhập A vào B",
    "thành lập D trên cơ sở hợp nhất các đơn vị: A, B và C"."""
    lex = _lex()["merger"]
    out: list[ModelMention] = []
    with_only = set(lex["with_triggers"])
    for m in _rx(lex["triggers"] + lex["with_triggers"]).finditer(low, a, b):
        o0 = m.end()
        while o0 < b and low[o0] == " ":
            o0 += 1
        co = re.match(r",\s*(?:" + "|".join(re.escape(v) for v in lex["co_verbs"]) + r")\s+", low[m.end():b])
        if co:  # "sáp nhập, đổi tên các A và B thành C"
            o0 = m.end() + co.end()
        led = o0
        o0, dist_head, dist_count = _lead_in(text, low, o0, b)
        led = o0 != led
        before = _result_before(text, low, a, m.start())
        if dist_head and m.group(0) not in with_only:
            o1 = o0 + _first_stop(_mask(low, o0, b), lex["stops"])
            comps_text = _distribute(text, low, o0, o1, dist_head, dist_count)
            end = o1
            result = before[0] if before else None
            found = _result_after(text, low, o1, b)
            if found:
                result, end = found
            if before and before[2]:
                comps_text = [before[0]] + comps_text
            if len(comps_text) >= 2:
                out.append(ModelMention("merger", before[1] if before else m.start(), end,
                                        [(None, comps_text)], result=result, rule="merger.lead-in-list"))
            continue
        head_at = o0 + (4 if low.startswith("các ", o0) else 0)
        if m.group(0) not in with_only and _refer_back_re().match(low, o0, b):
            out.append(ModelMention("merger", m.start(), m.end(), [], anaphoric=True, hint="",
                                    rule="merger.anaphoric-parts"))
            continue
        if not agency_head(low, head_at, b):
            verb = low[max(a, m.start() - 6):m.start()].split()
            if m.group(0) not in with_only and verb and verb[-1] in lex["bare_before"] and \
                    (o0 >= b or _rx(lex["bare_next"]).match(low, o0, b)):
                out.append(ModelMention("merger", m.start(), m.end(), [], anaphoric=True, hint="",
                                        rule="merger.anaphoric-verb"))
            continue
        masked = _mask(low, o0, b)
        o1 = o0 + _first_stop(masked, [s for s in lex["stops"] if s.strip() != "vào"] + [" vào "])
        into = low.startswith(" vào ", o1)
        if into:
            o1 = o0 + _first_stop(_mask(low, o0, b), [s for s in lex["stops"] if s != " vào "])
        o1 = _cut_at_places(o0, o1, places)
        comps, joiner = _split_components(low, o0, o1)
        comps = [_trim(text, ca, cb) for ca, cb in comps]
        comps = [c for c in comps if c[1] > c[0]]
        if not comps or (m.group(0) in with_only and joiner != "với"):
            continue  # "sắp xếp" names a merger only as "sắp xếp A với B"
        if joiner == "với":
            comps = [_drop_aside(text, ca, cb) for ca, cb in comps]
            comps += _more_partners(text, low, comps[-1][1], b)
        end = comps[-1][1]
        result = None
        if joiner == "vào" and len(comps) == 2:
            result = text[comps[1][0]:comps[1][1]]
        if before:
            result = before[0]
        found = _result_after(text, low, end, b)
        if found:
            result, end = found
        variants = _merger_variants(text, low, comps)
        if before and before[2]:
            variants = [(lvl, [before[0]] + cs) for lvl, cs in variants]
        if variants:
            out.append(ModelMention("merger", before[1] if before else m.start(), end, variants,
                                    result=result,
                                    rule="merger.lead-in-list" if led else
                                    "merger.result-before" if before else "merger.object"))
        elif len(comps) == 1 and m.group(0) not in with_only:
            # "kết thúc mô hình hợp nhất văn phòng tại quận A": one generic part names a merger told before
            out.append(ModelMention("merger", m.start(), end, [], anaphoric=True,
                                    hint=text[comps[0][0]:comps[0][1]], rule="merger.anaphoric-office"))
    return out


@cache
def _aside() -> str:
    """A short aside in brackets ("(ảnh)")."""
    return r"\s*\([^()]{1,%d}\)" % _lex()["merger"]["aside_max_chars"]  # noqa: UP031 — regex braces


def _drop_aside(text: str, a: int, b: int) -> tuple[int, int]:
    """A part without the short aside in brackets that closes it ("Bảo tàng tỉnh (ảnh)")."""
    seg = text[a:b].rstrip()
    m = re.search(_aside() + "$", seg)
    return _trim(text, a, a + m.start()) if m and m.start() > 0 else (a, b)


def _more_partners(text: str, low: str, end: int, b: int) -> list[tuple[int, int]]:
    """", C, D với tên gọi mới: E" after "A với B": the further parts, when a resulting agency closes
    their list (none otherwise)."""
    lex = _lex()["merger"]
    aside = f"(?:{_aside()})?"
    parts: list[tuple[int, int]] = []
    pos = end
    while m := re.match(aside + r"\s*,\s*", low[pos:b]):
        p0 = pos + m.end()
        if not agency_head(low, p0, b):
            break
        p1 = p0 + _first_stop(_mask(low, p0, b), lex["stops"] + [","])
        pa, pb = _drop_aside(text, *_trim(text, p0, p1))
        if pb <= pa:
            break
        parts.append((pa, pb))
        pos = pb
    closed = re.match(aside, low[pos:b])
    if not parts or not _result_after(text, low, pos + (closed.end() if closed else 0), b):
        return []
    return parts


def _result_after(text: str, low: str, end: int, b: int) -> tuple[str, int] | None:
    """"... (để) thành lập D", "... thành D", "... với tên gọi mới: D": the resulting agency D and where
    it ends."""
    lex = _lex()["merger"]
    starts = "|".join(re.escape(s) for s in lex["result_starts"])
    rm = re.match(f"(?:{_aside()})?" + r"[\s,]*(?:" + starts + r")(?:\s*:)?\s+", low[end:b])
    if not rm:
        return None
    r0 = end + rm.end()
    office = _shared_office_re().match(low, r0, b)
    if office:  # "thành Văn phòng Đoàn ĐBQH, HĐND và UBND cấp tỉnh": the name's commas are its own
        ra, rb = _trim(text, r0, office.end())
        return text[ra:rb], rb
    r1 = r0 + _first_stop(_mask(low, r0, b), lex["result_stops"])
    ra, rb = _trim(text, r0, r1)
    if rb > ra and agency_head(low, ra, rb):
        return text[ra:rb], rb
    return None


def _merger_variants(text: str, low: str, comps: list[tuple[int, int]]) -> list[tuple[str | None, list[str]]]:
    """Per-level component lists of a merger ("A cấp tỉnh, cấp huyện" alone is two mergers' worth)."""
    enum = lv.level_enumeration(low[comps[-1][0]:comps[-1][1]])
    if len(comps) == 1:
        if not enum:
            return []  # a merger needs two parts
        base = text[comps[0][0]:comps[0][0] + enum[0]].strip(" ,")
        return [(enum[1][0], [f"{base} {lv.suffix(level)}" for level in enum[1]])]
    levels, enum_at = (enum[1], comps[-1][0] + enum[0]) if enum else (None, None)
    return _with_levels(text, comps, levels, enum_at)


def _counted_subject(text: str, low: str, a: int, s1: int) -> tuple[int, list[str]] | None:
    """"hai sở Kế hoạch và Đầu tư, Tài chính" right before the verb: where it starts and its parts."""
    counted = _lex()["merger"]["counted_heads"]
    words = "|".join(re.escape(str(k)) for k in counted)
    for m in re.finditer(rf"(?<!\w)(?:{words})\s", low[a:s1]):
        at = a + m.start()
        o0, head, n = _lead_in(text, low, at, s1)
        if head and n:
            names = _distribute(text, low, o0, s1, head, n)
            if len(names) == n:
                return at, names
    return None


def merger_after(text: str, low: str, a: int, b: int) -> list[ModelMention]:
    """"A và B (đã) (được) hợp nhất thành C": the parts written before the verb."""
    lex = _lex()["merger"]
    aux = _rx(lex["subject_aux"])
    out: list[ModelMention] = []
    for m in _rx(lex["triggers"]).finditer(low, a, b):
        after = low[m.end():b].lstrip(" ")
        partner, into = None, None
        joiner = next((j for j in ("với ", *(s.lstrip() for s in lex["into"])) if after.startswith(j)), None)
        if joiner and agency_head(low, b - len(after) + len(joiner), b):
            # "Sở Kế hoạch và Đầu tư hợp nhất với Sở Tài chính thành Sở Tài chính"; "Phòng A được sáp
            # nhập vào Phòng B": B is what remains
            p0 = b - len(after) + len(joiner)
            p1 = p0 + _first_stop(_mask(low, p0, b), lex["stops"] + [","])
            partner = _drop_aside(text, *_trim(text, p0, p1))
            into = joiner != "với "
        elif after and not re.match(lex["after_subject_verb"], after):
            continue  # the object follows the verb: the forward rule reads it
        s1 = m.start()
        while True:  # "đã được hợp nhất": step back over the auxiliaries
            prev = low[a:s1].rstrip(" ")
            am = None
            for w in aux.finditer(prev):
                if w.end() == len(prev):
                    am = w
            if not am:
                break
            s1 = a + am.start()
        counted = _counted_subject(text, low, a, s1)
        if counted:  # "hai sở Xây dựng, Giao thông Vận tải hợp nhất thành ..."
            c0, names = counted
            result, end = None, m.end()
            found = _result_after(text, low, end, b)
            if found:
                result, end = found
            out.append(ModelMention("merger", c0, end, [(None, names)], result=result,
                                    rule="merger.counted-subject"))
            continue
        masked = _mask(low, a, s1)
        bounds = [a] + [a + i + 1 for i, ch in enumerate(masked) if ch in ",:"]
        s0 = None
        for start in reversed(bounds):  # the longest tail of comma parts that all open with an agency
            while start < s1 and low[start] == " ":
                start += 1
            head_at = start + (4 if low.startswith("các ", start) else 0)
            if not agency_head(low, head_at, s1):
                break
            s0 = start
        if s0 is None:
            continue
        comps, _ = _split_components(low, s0, s1)
        comps = [c for c in (_trim(text, ca, cb) for ca, cb in comps) if c[1] > c[0]]
        end = m.end()
        if partner and partner[1] > partner[0]:
            more = [] if into else _more_partners(text, low, partner[1], b)
            comps += [partner, *more]
            end = comps[-1][1]
        if len(comps) < 2:
            continue
        result = text[partner[0]:partner[1]] if into and partner else None
        found = _result_after(text, low, end, b)
        if found:
            result, end = found
        variants = _merger_variants(text, low, comps)
        if variants:
            out.append(ModelMention("merger", comps[0][0], end, variants, result=result,
                                    rule="merger.subject-before-verb"))
    return out


def dissolution(text: str, low: str, a: int, b: int) -> list[ModelMention]:
    """"chấm dứt hoạt động của A ..., chuyển ... trực thuộc B": A merged into B."""
    lex = _lex()["merger"]
    out: list[ModelMention] = []
    for m in _rx(lex["dissolve"]).finditer(low, a, b):
        a0 = m.end()
        while a0 < b and low[a0] == " ":
            a0 += 1
        if not agency_head(low, a0, b):
            continue
        ends = [",", ";", ".", " kể từ", " từ ngày", " từ ", " và chuyển", " chuyển "]
        a1 = a0 + _first_stop(low[a0:b], ends)
        comp_a = _trim(text, a0, a1)
        tail = low[a1:b]
        cm = re.search(r"\bchuyển\b", tail)
        before = _result_before(text, low, a, m.start())
        if before:
            # "tổ chức lại D trên cơ sở kết thúc hoạt động của A, B": A and B are folded into D
            end_at = a0 + _first_stop(_mask(low, a0, b), lex["dissolve_stops"])
            parts = [_trim(text, pa, pb) for pa, pb in _split_components(low, a0, end_at)[0]]
            comps = [text[pa:pb] for pa, pb in parts if pb > pa]
            if before[2]:
                comps = [before[0]] + comps
            if len(comps) >= 2:
                out.append(ModelMention("merger", before[1], parts[-1][1], [(None, comps)], result=before[0],
                                        exclude_cues=[(m.start(), m.end())], rule="merger.reorganise-ending"))
            continue
        if not cm:
            # "kết thúc hoạt động của Đảng bộ Khối A và Đảng bộ Khối B": each ends (no successor named)
            end_at = a0 + _first_stop(_mask(low, a0, b), lex["dissolve_stops"])
            parts, _ = _split_components(low, a0, end_at)
            for pa, pb in parts:
                ca, cb = _trim(text, pa, pb)
                if cb > ca and agency_head(low, ca + (4 if low.startswith("các ", ca) else 0), cb):
                    out.append(ModelMention("other", ca, cb, [(None, [text[ca:cb]])],
                                            rule="other.ended-bodies"))
            continue
        targets = [t.start() for t in _rx(lex["transfer"]).finditer(tail, cm.end())]
        target = None
        for t in reversed(targets):
            word = _rx(lex["transfer"]).match(tail, t)
            t0 = a1 + word.end()
            while t0 < b and low[t0] == " ":
                t0 += 1
            if agency_head(low, t0, b):
                t1 = t0 + _first_stop(low[t0:b], [",", ";", ".", " để ", " nơi ", " theo "])
                target = _trim(text, t0, t1)
                break
        if not target:
            continue
        comps = [text[comp_a[0]:comp_a[1]], text[target[0]:target[1]]]
        out.append(ModelMention("merger", m.start(), target[1], [(None, comps)], result=comps[1],
                                exclude_cues=[(m.start(), m.end())], rule="merger.dissolve-transfer"))
    return out


@cache
def _shared_office_re() -> re.Pattern[str]:
    lex = _lex()["merger"]
    parts = "|".join(re.escape(p) for p in sorted(lex["shared_office_parts"], key=len, reverse=True))
    sep = r"(?:\s*[–-]\s*|\s*,\s*|\s+và\s+)"
    return re.compile(rf"{re.escape(lex['shared_office_head'])}\s+((?:{parts})(?:{sep}(?:{parts})(?!\w))+)"
                      r"(?:\s+(tỉnh|huyện|xã|thị xã|quận|thành phố)(?!\w))?")


def shared_office(text: str, low: str, a: int, b: int) -> list[ModelMention]:
    """"Văn phòng Huyện ủy – HĐND – UBND": one office for several bodies, a merger of their offices."""
    plain = {p.lower() for p in _lex()["merger"]["shared_office_ordinary"]}
    out = []
    for m in _shared_office_re().finditer(low, a, b):
        names = re.split(r"\s*[–-]\s*|\s*,\s*|\s+và\s+", text[m.start(1):m.end(1)])
        if all(n.lower() in plain for n in names):
            continue  # "Văn phòng HĐND - UBND" is the ordinary office of both councils, not a pilot
        unit_word = m.group(2)
        level = lv.lowest([lv.component_level(n) for n in names])
        if not unit_word and level:
            unit_word = {"province": "tỉnh", "district": "huyện", "commune": "xã"}.get(level)
        comps = []
        for n in names:
            comp = f"Văn phòng {n}"
            if unit_word and lv.component_level(n) is None:
                comp += f" {unit_word}"
            comps.append(comp)
        # a name: what follows it tells what the office does ("... sẽ thực hiện đầy đủ nhiệm vụ"), not
        # the merger's status
        out.append(ModelMention("merger", m.start(), m.end(), [(None, comps)], rule="merger.shared-office",
                                exclude_cues=[(m.end(), b)]))
    return out


def other_models(text: str, low: str, a: int, b: int, taken: list[tuple[int, int]]) -> list[ModelMention]:
    """"mô hình X" that no rule above read: X opens with an agency or a post; "mô hình này" refers back."""
    lex = _lex()["other"]
    out = []
    for m in _rx([lex["trigger"]]).finditer(low, a, b):
        before = low[max(a, m.start() - 12):m.start()].strip()
        n = next((k for w, k in lex["numbered_before"].items() if before.endswith(str(w))), 0)
        if not n and any(before.endswith(w) for w in lex["all_before"]):
            n = -1 if _rx(lex["anaphora"]).match(low, m.end() + 1, b) else 0
        if n and _rx(lex["anaphora"]).match(low, m.end() + 1, b):
            # "duy trì hai mô hình trên": the last two models told; "các mô hình trên": all of them
            out.append(ModelMention("other", m.start(), m.end(), [], anaphoric=True, refers=n,
                                    rule="other.numbered-anaphora" if n > 0 else "other.all-anaphora"))
            continue
        if any(before.endswith(p) for p in lex["plural_before"] + lex["return_before"]):
            continue
        x0 = m.end()
        while x0 < b and low[x0] == " ":
            x0 += 1
        for s in lex["skip_after"]:
            if low.startswith(s + " ", x0):
                x0 += len(s) + 1
        ana = _rx(lex["anaphora"]).match(low, x0, b)
        if ana:
            out.append(ModelMention("other", m.start(), ana.end(), [], anaphoric=True, rule="other.anaphora"))
            continue
        if x0 >= b or _rx(lex["bare_next"]).match(low, x0, b):
            # "mô hình được triển khai tại ...", "duy trì mô hình tại 3 huyện này": the model just named
            if not any(ta <= m.start() < tb for ta, tb in taken):
                out.append(ModelMention("other", m.start(), m.end(), [], anaphoric=True,
                                        rule="other.bare-model-word"))
            continue
        if any(ta <= x0 < tb for ta, tb in taken):
            continue
        if not (agency_head(low, x0, b) or position_head(low, x0, b, anchored=True)):
            continue
        x1 = x0 + _first_stop(_mask(low, x0, b), lex["stops"])
        xa, xb = _trim(text, x0, x1)
        if xb - xa < 4 or any(xa < tb and ta < xb for ta, tb in taken):
            continue
        out.append(ModelMention("other", m.start(), xb, [(None, [text[xa:xb]])], rule="other.model-named"))
    return out


def bare_item(text: str, low: str, a: int, b: int) -> ModelMention | None:
    """A list item under a heading of models that is only a name ("3. Đảng ủy Khối các cơ quan tỉnh."):
    an agency or a post, without a verb of instruction; the heading gives its status."""
    lex = _lex()["other"]
    a0, b0 = _trim(text, a, b)
    if b0 - a0 < 6 or b0 - a0 > lex["bare_item_max_chars"]:
        return None
    if not (agency_head(low, a0, b0) or position_head(low, a0, b0, anchored=True)):
        return None
    if _rx(lex["bare_item_verbs"]).search(low, a0, b0):
        return None
    return ModelMention("other", a0, b0, [(None, [text[a0:b0]])], rule="other.list-item")


@cache
def _pattern_table() -> dict[str, dict]:
    return {p["id"]: p for p in load("patterns")["patterns"]}


def pattern_weight(rule: str) -> float:
    """How often the pattern is right when it fires (patterns.yaml `confidence`)."""
    entry = _pattern_table().get(rule)
    return float(entry["confidence"]) if entry else load("patterns")["confidence"]["unknown_pattern"]


def find_models(text: str, low: str, a: int, b: int, places: Spans) -> list[ModelMention]:
    """Every model named in the clause text[a:b], in text order."""
    found = concurrency(text, low, a, b, places)
    extras = joined_titles(text, low, a, b, places) + appointment(text, low, a, b, places) + \
        unified_titles(text, low, a, b, places)
    for extra in extras:
        if not any(extra.start < f.end and f.start < extra.end for f in found):
            found.append(extra)
    mergers: list[ModelMention] = []
    told = merger(text, low, a, b, places) + merger_after(text, low, a, b) + dissolution(text, low, a, b)
    # a verb pointing back ("... sẽ hợp nhất từ ngày ...") yields to parts read around the same verb
    for mm in sorted(told, key=lambda mm: mm.anaphoric):
        if not any(mm.start < f.end and f.start < mm.end for f in found + mergers):
            mergers.append(mm)
    # a shared office named as the parts of a merger is read by the merger ("Văn phòng Thị ủy và Văn
    # phòng HĐND - UBND đã hợp nhất"); one named on its own is a merger of its own
    for so in shared_office(text, low, a, b):
        if not any(so.start < f.end and f.start < so.end for f in found + mergers):
            found.append(so)
    found += mergers
    taken = [(f.start, f.end) for f in found]
    found += other_models(text, low, a, b, taken)
    found.sort(key=lambda f: f.start)
    return found
