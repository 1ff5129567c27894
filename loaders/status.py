"""Status cues: which of the eight statuses a verb phrase or a section heading states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .lexicon import load


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    status: str
    dominant: bool
    descriptive: bool = False
    policy: bool = False  # names a policy ("chủ trương"): a figure of places doing it is a report instead


@cache
def _cue_regex() -> tuple[re.Pattern[str], dict[str, tuple[str, bool, bool, bool]]]:
    cues = load("statuses")["cues"]
    table = {c["phrase"]: (c["status"], bool(c.get("dominant")), bool(c.get("descriptive")),
                           bool(c.get("policy"))) for c in cues}
    alts = "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)"), table


_TERMINAL = {"paused", "stopped", "ended"}


def find_cues(text: str, offset: int = 0) -> list[Cue]:
    """Status cue phrases in `text` (matched lower-case, longest first)."""
    rx, table = _cue_regex()
    out = []
    for m in rx.finditer(text.lower()):
        status, dominant, descriptive, policy = table[m.group(0)]
        out.append(Cue(m.start() + offset, m.end() + offset, status, dominant, descriptive, policy))
    return out


def heading_status(heading: str) -> str | None:
    """The status a list heading gives its items ("Mô hình tạm dừng thí điểm:" → paused)."""
    cues = find_cues(heading)
    return cues[0].status if cues else None


def plan_heading_status(heading: str, document_kind: str | None) -> str | None:
    """"Thành phố thực hiện thí điểm các mô hình sau:" in a plan (Kế hoạch, Đề án) lists what it will do."""
    lex = load("statuses")["plan_heading"]
    low = heading.lower()
    if document_kind not in lex["document_kinds"] or not any(p in low for p in lex["phrases"]):
        return None
    return lex["status"]


def default_status() -> str:
    """What a plain report of a model states when no cue says otherwise."""
    return load("statuses")["default"]


def resolve(cues: list[Cue], model_start: int, model_end: int, clause: tuple[int, int],
            sentence: tuple[int, int], exclude: list[tuple[int, int]] = ()) -> str | None:
    """The status of a model mention from the cues around it, or None when none applies.

    A dominant cue (a target: "phấn đấu") earlier in the sentence governs; otherwise the nearest
    cue before the model in its clause, else the first one after it in the clause.
    """
    def usable(c: Cue) -> bool:
        return not any(c.start < b and a < c.end for a, b in exclude)

    for c in cues:
        if c.dominant and sentence[0] <= c.start < model_start and usable(c):
            return c.status
    # a cue may run into the model's trigger ("đã sáp nhập A với B": the cue ends inside the mention)
    before = [c for c in cues if clause[0] <= c.start < model_start and usable(c)]
    if before:
        return before[-1].status
    within = [c for c in cues if model_start <= c.start < model_end and usable(c)]  # "A và B đã sáp nhập"
    if within:
        return within[0].status
    after = [c for c in cues if model_end <= c.start and c.end <= clause[1] and usable(c)]
    if len(after) > 1 and after[0].descriptive:
        after = after[1:]  # "X đang thực hiện tại A cũng tạm dừng": the later cue is the news
    ends = [c for c in after[1:] if c.status in _TERMINAL]
    if after and after[0].status == "implemented" and ends:
        after = ends  # "X đã thực hiện tại A nay đã kết thúc": the end is the news
    if after:
        return after[0].status
    return None


def genre_status(title: str, national: bool = False) -> str:
    """What a model with no status word states in this article: a guidance or plan for a pilot
    ("Hướng dẫn thí điểm ...") lays out what is to be done, and so does a national article about a rule or
    a policy (what national bodies do is decide; places carry out); a local report states what is done."""
    lex = load("statuses")["genre"]
    low = title.lower().strip()
    if any(low.startswith(p) for p in lex["plan_titles"]):
        return lex["plan_status"]
    if national:
        return lex["national_status"]
    return default_status()
