"""Run queries off the event loop with a time limit that really stops them.

`WorkerPool` keeps a few worker processes (api/worker.py) that open the embedded store read-only.
A query past its limit gets its worker killed and replaced. Writes go through `writing()`, which
waits for running queries to finish and bumps a generation counter so that every worker reopens
the store (a read-only RocksDB handle does not see later writes, and reading while another process
writes is undefined behaviour).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import threading
from collections.abc import AsyncIterator
from typing import Any

from api import worker


class QueryTimeout(Exception):
    """The query ran past the configured time limit and was stopped."""


class QuerySyntaxError(Exception):
    """The engine's parser rejected the query; the message is the parser's."""


class ResultLimit(Exception):
    """The query produced more rows or triples than allowed."""


class EngineError(Exception):
    """Anything else the engine reported."""


class _RWLock:
    """Many readers or one writer; a waiting writer stops new readers from starting."""

    def __init__(self) -> None:
        self._cond = asyncio.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[None]:
        async with self._cond:
            await self._cond.wait_for(lambda: not self._writer and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            async with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        async with self._cond:
            self._writers_waiting += 1
            await self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            async with self._cond:
                self._writer = False
                self._cond.notify_all()


class _Worker:
    def __init__(self, ctx: Any, store_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker.main, args=(child, store_path), daemon=True, name="bomay-query-worker"
        )
        self.proc.start()
        child.close()

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(Exception):
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """A fixed number of query processes over one embedded store directory."""

    def __init__(self, store_path: str, size: int, timeout: float, limit: int) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.limit = limit
        self.generation = 0
        self.restarts = 0
        self._ctx = mp.get_context("spawn")
        self._size = size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []
        self._lock: _RWLock | None = None
        self._guard = threading.Lock()

    async def start(self) -> None:
        """Spawn the workers (call from the running event loop)."""
        self._idle = asyncio.Queue()
        self._lock = _RWLock()
        workers = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self._size)))
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, self.store_path)
        with self._guard:
            self._all.append(w)
        return w

    def _retire(self, w: _Worker) -> None:
        with self._guard:
            if w in self._all:
                self._all.remove(w)
        w.stop(kill=True)

    def _exchange(self, w: _Worker, job: dict) -> tuple[_Worker, tuple[str, Any] | None]:
        """Blocking round trip in a thread; on timeout the worker is killed and a new one returned."""
        try:
            w.conn.send(job)
            if w.conn.poll(self.timeout):
                return w, w.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(w)
            self.restarts += 1
            return self._spawn(), ("error", "tiến trình truy vấn đã dừng bất thường / query worker died")
        self._retire(w)
        self.restarts += 1
        return self._spawn(), None

    async def run(self, job: dict) -> Any:
        """Run one job on an idle worker under the read lock; map worker answers to exceptions."""
        assert self._idle is not None and self._lock is not None, "pool not started"
        job = {"limit": self.limit, **job}
        async with self._lock.read():
            job["generation"] = self.generation
            w = await self._idle.get()
            try:
                w, answer = await asyncio.to_thread(self._exchange, w, job)
            finally:
                self._idle.put_nowait(w)
        if answer is None:
            raise QueryTimeout(self.timeout)
        status, payload = answer
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "limit":
            raise ResultLimit(payload)
        raise EngineError(payload)

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Exclusive section for a write; workers reopen the store afterwards."""
        assert self._lock is not None, "pool not started"
        async with self._lock.write():
            try:
                yield
            finally:
                self.generation += 1

    def close(self) -> None:
        """Stop every worker."""
        with self._guard:
            workers, self._all = list(self._all), []
        for w in workers:
            w.stop()
