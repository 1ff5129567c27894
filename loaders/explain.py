"""`bomay extract FILE --explain`: per sentence, the mentions, the patterns that fired or why none did,
and the facts made or dropped, so a missed fact can be traced in one screen."""

from __future__ import annotations

import re

from . import status as st
from .dates import find_dates
from .docnums import find_documents
from .extract import extract_document
from .lexicon import load
from .normalise import prepare
from .places import find_units
from .relate import find_models
from .segment import segment


def _triggers() -> dict[str, list[str]]:
    lex = load("relations")
    return {"concurrency": lex["concurrency"]["triggers"],
            "merger": lex["merger"]["triggers"] + lex["merger"]["dissolve"],
            "other": [lex["other"]["trigger"]]}


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
            dates = find_dates(low[a:b])
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
                if not mentions:
                    found = [w for ws in words.values() for w in ws
                             if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low[clause.start:clause.end])]
                    if found:
                        out.append(f"  no pattern fired on '{', '.join(found)}': no agency or post head "
                                   "where the pattern needs one")
            for f in made:
                out.append(f"  FACT {f['kind']} {f['status']} level={f['level']} place={f['place']['name']} "
                           f"when={f['when']} count={f['count']} rule={f['rule']} "
                           f"confidence={f['confidence']}: {' + '.join(f['components'])}")
    for d in facts.get("dropped", []):
        out.append(f"\nDROPPED {d['kind']} {' + '.join(d['components'])} ({d['rule']}): {d['reason']}")
    return "\n".join(out)
