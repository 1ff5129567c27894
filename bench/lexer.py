"""The SPARQL lexer on adversarial texts: time per size, against the smallest size in the same run.

`python -m bench.lexer` lexes each text (repeated quotes and backslashes, unclosed IRIs, one-character
tokens, deep parentheses) at 8, 16, 32 and 64 KB, both readings of `<`, best of three. Linear time
shows as a ratio close to the size ratio (8× at 64 KB); a quadratic lexer shows 64×. Markdown and JSON
to bench/results/<date>-lexer.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from graph.lexer import lex

UNITS = {  # name: the unit repeated up to each size
    "quote-backslash": "'\\",
    "dquote-backslash": "\"\\",
    "long-quote-backslash": "'''\\",
    "unclosed-iri": "<a",
    "pname-dot": "a:b.",
    "less-than": "1<",
    "comments": "#\n",
    "parentheses": "(",
}
SIZES_KB = (8, 16, 32, 64)


def _best(text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        lex(text)
        lex(text, less_than="operator")
        best = min(best, time.perf_counter() - start)
    return best


def measure() -> dict[str, dict[int, float]]:
    """Seconds per unit and size (KB)."""
    return {name: {kb: _best(unit * (kb * 1024 // len(unit))) for kb in SIZES_KB}
            for name, unit in UNITS.items()}


def render(rows: dict[str, dict[int, float]], today: str) -> str:
    head = " | ".join(f"{kb} KB (ms)" for kb in SIZES_KB)
    lines = [
        "# SPARQL lexer on adversarial texts", "",
        f"{today}, `python -m bench.lexer`. Best of three, both readings of `<`; ratio against 8 KB in the "
        "same run (linear: 8× at 64 KB, quadratic: 64×).", "",
        f"| text | {head} |", "| --- |" + " ---: |" * len(SIZES_KB),
    ]
    for name, by_kb in rows.items():
        base = by_kb[SIZES_KB[0]]
        cells = " | ".join(f"{by_kb[kb] * 1000:.1f} ({by_kb[kb] / base:.1f}×)" for kb in SIZES_KB)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    today = dt.date.today().isoformat()
    rows = measure()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{today}-lexer.json").write_text(json.dumps(rows, indent=1))
    md = args.out / f"{today}-lexer.md"
    md.write_text(render(rows, today))
    print(md.read_text())


if __name__ == "__main__":
    main()
