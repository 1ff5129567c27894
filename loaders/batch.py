"""`bomay extract --format table`: one document's facts as a plain-text table for a terminal.

Reading article files (decoding, the Vietnamese-text rule, ids) is the article pipeline's (api/pipeline.py),
shared with the API.
"""

from __future__ import annotations


def facts_table(facts: dict) -> str:
    """A plain-text table of one document's facts, for reading at a terminal."""
    rows = [("kind", "status", "level", "place", "when", "count", "components")]
    for f in facts["models"]:
        rows.append((f["kind"], f["status"], f["level"] or "-", f["place"].get("name") or "-",
                     f["when"] or "-", f["count"] or "-", " + ".join(f["components"])))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = [f"# {facts['id']} ({facts.get('province') or '?'}): {len(facts['models'])} facts, "
             f"{len(facts['documents'])} documents"]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=True)) + "  " + r[6])
    for d in facts["documents"]:
        lines.append("  doc: " + ", ".join(f"{k}={v}" for k, v in d.items()))
    return "\n".join(lines)
