"""Peak memory: our own process from getrusage, a server's process tree by sampling psutil RSS.

A server (uvicorn with query-worker processes, Virtuoso) is a tree: the peak of what the tree holds is
what the machine has to hold, so a sampler thread polls it every 100 ms. Each process counts its
proportional set size (PSS: a page shared by k processes counts 1/k in each), since the query workers
are forked from one parent and share its loaded replica page by page; summed RSS would count those
pages once per worker. RSS where PSS cannot be read.
"""

from __future__ import annotations

import resource
import threading
from collections.abc import Callable

import psutil


def self_peak_mb() -> float:
    """Peak RSS of this process (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mb(pid: int) -> float:
    """MB held by `pid` and its descendants (PSS summed; see the module docstring)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += getattr(p.memory_full_info(), "pss", None) or p.memory_info().rss
        except psutil.AccessDenied:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        except psutil.Error:
            pass
    return total / 2**20


class TreeSampler:
    """`with TreeSampler(lambda: pid) as s: ...; s.peak_mb` — peak summed RSS of pid and its descendants."""

    def __init__(self, pid: Callable[[], int | None], every: float = 0.1) -> None:
        self.pid, self.every = pid, every
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pid = self.pid()
            if pid:
                self.peak_mb = max(self.peak_mb, tree_rss_mb(pid))
            self._stop.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
