"""Extraction, RDF and SHACL of POSTed articles in a small pool of processes, off the server's own core.

`build_payload` is the CPU work of one article, the article pipeline's `validated` (api/pipeline.py):
facts (extraction), its named graph (RDF) and the SHACL report; the graph crosses the process boundary as
N-Triples bytes, ready for the store's write. Only that write and the replicas' sync stay in the server
process, serialised by the write lock (api.engine).

`IngestPool` runs `build_payload` in `size` processes of a `concurrent.futures.ProcessPoolExecutor`. On
Unix they are forked from a fork server that imported and exercised everything once (lexicons,
gazetteer, parsed shapes: `api.ingest_preload`), so every worker, and every replacement, starts warm;
elsewhere they are spawned and warm themselves up before taking work. When a worker dies (killed, out of
memory), the executor fails every article it held: those answer 503 (nothing was written, the write
only starts once validation is back), and a fresh pool takes the next article. When no pool can be
started, `IngestPool.run` raises `PoolUnavailable` and the caller does the work in a thread instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
import threading
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from api.pipeline import Meta, ValidatedArticle, validated

log = logging.getLogger("bomay.ingest")

# Starting a pool waits this long for its workers' first answers (spawned workers load the lexicons,
# the gazetteer and the shapes first).
READY_TIMEOUT = 300.0

# A short article that goes through every stage (units, agencies, posts, a merger, a concurrent post).
WARMUP_TEXT = (
    "Hải Dương dừng thí điểm một số mô hình sắp xếp tổ chức bộ máy của hệ thống chính trị\n\n"
    "Trong tháng 10/2022, tỉnh Hải Dương sẽ dừng thí điểm một số mô hình, cụ thể là dừng việc hợp nhất "
    "Văn phòng Huyện ủy với Văn phòng HĐND và UBND huyện Kim Thành và Bình Giang.\n\n"
    "Tỉnh dừng thực hiện thí điểm mô hình Trưởng Ban Tổ chức Huyện ủy kiêm Trưởng Phòng Nội vụ tại "
    "huyện Nam Sách. Với mô hình người đứng đầu UBND cấp huyện đồng thời là Chủ tịch Ủy ban MTTQ cấp "
    "huyện, Hải Dương đã triển khai cho 10/12 địa phương.\n"
)


class PoolUnavailable(Exception):
    """No worker process can take the article: do the work in this process."""


class WorkerDied(Exception):
    """A worker process died while it held the article; nothing was written."""


def build_payload(text: str, doc_id: str, meta: Meta) -> ValidatedArticle:
    """Facts, SHACL report and (when the graph conforms) N-Triples of one checked article."""
    return validated(text, doc_id, meta)


_warm = False


def warm() -> None:
    """Load and exercise everything `build_payload` needs, once per process (idempotent)."""
    global _warm
    if _warm:
        return
    build_payload(WARMUP_TEXT, "bomay_warmup", Meta(title="warm-up"))
    _warm = True


def _initialize() -> None:
    """Worker start: leave Ctrl-C to the server (which stops the pool), exit with the server however it
    ends, and be warm before any work."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_server()
    warm()


def _exit_with_server() -> None:
    """Exit as soon as the server process is gone, even SIGKILLed: a worker waiting on (or writing to) the
    pool's queues would otherwise wait forever, and keep its fork server alive with it."""
    from multiprocessing.connection import wait

    server = mp.parent_process()  # the process that asked for this worker, also under a fork server
    if server is None:
        return

    def watch() -> None:
        wait([server.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="bomay-ingest-watchdog", daemon=True).start()


def _pid() -> int:
    return os.getpid()


def _context() -> Any:
    """A fork server that preloads (and so warms) the pipeline when the platform has one, else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["api.ingest_preload"])
        return ctx
    return mp.get_context("spawn")


class IngestPool:
    """`size` warm worker processes for `build_payload`, replaced as a whole when one dies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.restarts = 0
        self._executor: cf.ProcessPoolExecutor | None = None
        self._guard = threading.Lock()

    def _new(self) -> cf.ProcessPoolExecutor:
        """A started pool whose every worker has answered once (blocking)."""
        ex = cf.ProcessPoolExecutor(self.size, mp_context=_context(), initializer=_initialize)
        try:
            # Workers are started on demand, one per submission finding none idle: these start them all.
            for f in [ex.submit(_pid) for _ in range(self.size)]:
                f.result(timeout=READY_TIMEOUT)
        except BaseException:
            ex.shutdown(wait=False, cancel_futures=True)
            raise
        return ex

    def start(self) -> bool:
        """Start the workers (blocking; call in a thread). False when they could not be started."""
        try:
            ex = self._new()
        except Exception as e:  # noqa: BLE001 — any failure means: validate in threads instead
            log.warning("ingest pool not started, validating in threads: %s: %s", type(e).__name__, e)
            return False
        with self._guard:
            self._executor = ex
        return True

    @property
    def running(self) -> bool:
        return self._executor is not None

    def _renew(self, broken: cf.ProcessPoolExecutor) -> None:
        """Replace `broken` by a fresh pool, once however many articles saw it break (blocking)."""
        with self._guard:
            if self._executor is not broken:
                return
            self._executor = None
            broken.shutdown(wait=False, cancel_futures=True)
            self.restarts += 1
            try:
                self._executor = self._new()
            except Exception as e:  # noqa: BLE001
                log.warning("ingest pool not restarted, validating in threads: %s: %s", type(e).__name__, e)

    async def run(self, text: str, doc_id: str, meta: Meta) -> ValidatedArticle:
        """`build_payload` in a worker. Raises PoolUnavailable (no pool: do it here) or WorkerDied (the
        pool broke while it held the article; a fresh pool is in place when this is raised)."""
        loop = asyncio.get_running_loop()
        for _ in range(3):
            ex = self._executor
            if ex is None:
                break
            try:
                future = loop.run_in_executor(ex, build_payload, text, doc_id, meta)
            except BrokenProcessPool:  # broke before this article came: renew, then hand it over
                log.warning("ingest pool found broken; starting a fresh one")
                await asyncio.to_thread(self._renew, ex)
                continue
            except RuntimeError:  # shut down meanwhile by another article's renewal: take the fresh one
                if self._executor is ex:
                    raise
                continue
            try:
                return await future
            except BrokenProcessPool:
                log.warning("ingest worker died; starting a fresh pool")
                await asyncio.to_thread(self._renew, ex)
                raise WorkerDied from None
        raise PoolUnavailable

    def close(self) -> None:
        """Stop the workers (pending articles are cancelled)."""
        with self._guard:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)
