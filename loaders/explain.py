"""`bomay extract FILE --explain`: per sentence, the mentions, the patterns that fired or why none did,
and the facts made or dropped, so a missed fact can be traced in one screen."""

from __future__ import annotations

import re

from . import status as st
from .dates import find_dates, with_year
from .docnums import find_documents
from .extract import extract_document
from .lexicon import load
from .normalise import prepare
from .places import find_units
from .relate import find_models, names_a_person
from .roles import agency_head, position_head
from .segment import segment


def _triggers() -> dict[str, list[str]]:
    lex = load("relations")
    return {"concurrency": lex["concurrency"]["triggers"],
            "merger": lex["merger"]["triggers"] + lex["merger"]["dissolve"],
            "other": [lex["other"]["trigger"]]}


def _words_re(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in sorted(words, key=len, reverse=True)))


def _why_not(text: str, low: str, a: int, b: int, spans: list[tuple[int, int]]) -> list[str]:
    """For each trigger in low[a:b] that no fired pattern covers, what its pattern found missing."""
    lex = load("relations")
    out = []

    def covered(at: int) -> bool:  # inside a mention, or just before one ("mô hình X đồng thời là Y")
        return any(s - 16 <= at < e for s, e in spans)

    for m in _words_re(lex["concurrency"]["triggers"]).finditer(low, a, b):
        at, end = m.start(), m.end()
        if covered(at):
            continue
        if not position_head(low, max(a, at - 80), at):
            why = "no post before it"
        elif not position_head(low, end + 1, b, anchored=True):
            why = "no post right after it"
        elif names_a_person(text, a, at):
            why = "the posts follow a person's name (a title)"
        else:
            why = "the two posts were not separable"
        out.append(f"concurrency on '{m.group(0)}': {why}")
    for m in _words_re(lex["merger"]["triggers"] + lex["merger"]["dissolve"]).finditer(low, a, b):
        if covered(m.start()):
            continue
        rest = low[m.end():b].lstrip()
        head_at = b - len(rest) + (4 if rest.startswith("các ") else 0)
        why = "fewer than two parts" if agency_head(low, head_at, b) else \
            "no agency right after it, and no merger told before for it to mean"
        out.append(f"merger on '{m.group(0)}': {why}")
    for m in _words_re([lex["other"]["trigger"]]).finditer(low, a, b):
        if not covered(m.start()):
            out.append("other on 'mô hình': neither an agency or post after it nor a model told before")
    return out


def explain(text: str, doc_id: str) -> str:
    """A plain-text account of how the facts of one article were read."""
    facts = extract_document(text, doc_id)
    doc = prepare(text)
    low = doc.match.lower()
    out = [f"# {doc_id}: province {facts['province'] or '-'} (signal: {facts['province_signal']}), "
           f"source {facts.get('source') or '-'}, {len(facts['models'])} facts"]
    for d in facts["documents"]:
        out.append(f"  document: {d['number']} {d.get('kind') or ''} {d.get('date') or ''}".rstrip())
    by_start: dict[int, list[dict]] = {}
    for f in facts["models"]:
        by_start.setdefault(f["evidence"]["start"], []).append(f)
    triggers = _triggers()
    for p in segment(doc):
        for sent in p.sentences:
            a, b = sent.start, sent.end
            words = {k: [w for w in ws if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low[a:b])]
                     for k, ws in triggers.items()}
            made = [f for s, fs in by_start.items() if a <= s < b for f in fs]
            if not any(words.values()) and not made:
                continue
            out.append(f"\n[{p.kind} {a}-{b}] {doc.text[a:b][:240]}")
            units = find_units(doc.match[a:b], a, None)
            if units:
                out.append("  units: " + "; ".join(f"{u.name} ({u.level}, {u.code})" for u in units))
            cues = st.find_cues(low[a:b], a)
            if cues:
                out.append("  cues: " + "; ".join(f"'{doc.text[c.start:c.end]}' → {c.status}" for c in cues))
            dates = with_year(find_dates(low[a:b]), facts.get("reported"))
            if dates:
                out.append("  dates: " + ", ".join(d.value for d in dates))
            docs = find_documents(doc.match[a:b], [])
            if docs:
                out.append("  documents: " + ", ".join(d.number for d in docs))
            for clause in sent.clauses:
                mentions = find_models(doc.text, low, clause.start, clause.end, [])
                for mm in mentions:
                    comps = " | ".join(" + ".join(c) for _, c in mm.variants) or "(refers back)"
                    out.append(f"  pattern {mm.rule or '?'} fired: {mm.kind}: {comps}"
                               + (f" → {mm.result}" if mm.result else ""))
                spans = [(mm.start, mm.end) for mm in mentions]
                for reason in _why_not(doc.text, low, clause.start, clause.end, spans):
                    out.append(f"  not fired: {reason}")
            for f in made:
                out.append(f"  FACT {f['kind']} {f['status']} level={f['level']} place={f['place']['name']} "
                           f"when={f['when']} count={f['count']} rule={f['rule']} "
                           f"confidence={f['confidence']}: {' + '.join(f['components'])}")
    for d in facts.get("dropped", []):
        out.append(f"\nDROPPED {d['kind']} {' + '.join(d['components'])} ({d['rule']}): {d['reason']}")
    return "\n".join(out)
