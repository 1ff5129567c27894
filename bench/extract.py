"""Extraction throughput: the seed articles repeated to N documents, on one core.

    python -m bench.extract [--docs 1000]

Prints articles per second, by the wall clock and by the process's CPU time (the one-core figure
when the machine is shared), after a warm-up that loads the gazetteer and vocabularies (timed
apart), and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from loaders.extract import extract_document

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    args = parser.parse_args()
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    t0 = time.perf_counter()
    extract_document(seeds[0], "warmup")
    warm = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    facts = 0
    for i in range(args.docs):
        facts += len(extract_document(seeds[i % len(seeds)], f"doc{i}")["models"])
    took = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"warm-up (gazetteer, vocabularies): {warm:.2f} s")
    print(f"{args.docs} articles in {took:.2f} s wall: {args.docs / took:.0f} articles/s, {facts} facts")
    print(f"CPU time {cpu:.2f} s: {args.docs / cpu:.0f} articles/s per core (unaffected by other load)")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
