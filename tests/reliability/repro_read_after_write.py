"""Reproduce the read-after-write race (not part of the test run: it is intermittent).

    python -m tests.reliability.repro_read_after_write [ROUNDS]

After each write the query workers reopen the store with `ox.Store.read_only`, while the writing process's
RocksDB may still be flushing/compacting in the background and deleting .sst files. Observed answer:
400 query_error "RuntimeError: Corruption: IO error: No such file or directory: While open a file for
random read: .../000038.sst ... MANIFEST-000043 may be corrupted". Prints every non-200 answer.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import httpx

from tests.api.conftest import SEEDS, TOKEN, seed_store, start_server, stop_server


def main(rounds: int = 12) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bomay-raw-"))
    bad = 0
    try:
        seed_store(tmp / "store")
        srv = start_server(tmp / "store", tmp / "server.log", BOMAY_TOKEN=TOKEN, BOMAY_QUERY_TIMEOUT="120")
        texts = [p.read_text(encoding="utf-8") for p in SEEDS]
        try:
            with httpx.Client(base_url=srv.url, timeout=300) as c:
                for k in range(rounds):
                    r = c.post("/api/articles", params={"id": f"copy{k % 3}"}, content=texts[k % 2].encode(),
                               headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "text/plain"})
                    if r.status_code not in (200, 201):
                        print(k, "POST", r.status_code, r.text[:300], flush=True)
                    for path in ("/api/mergers", "/api/search?q=van+phong", "/api/places"):
                        r = c.get(path)
                        if r.status_code != 200:
                            bad += 1
                            print(k, path, r.status_code, r.text[:400], flush=True)
        finally:
            stop_server(srv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("failed reads:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 12))
