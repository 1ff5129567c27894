"""Named SPARQL queries (graph/queries/*.rq), read once: the REST layer asks every question by name."""

from __future__ import annotations

import functools
from pathlib import Path

import graph

QUERY_DIR = Path(graph.__file__).resolve().parent / "queries"


@functools.cache
def query(name: str) -> str:
    """Text of graph/queries/<name>.rq."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def competency_questions() -> list[dict[str, str]]:
    """The CQ queries (cq*.rq) with their first comment line as title, for the explorer's examples."""
    out = []
    for path in sorted(QUERY_DIR.glob("cq*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), path.stem)
        out.append({"name": path.stem, "title": title, "query": text})
    return out
