"""Run queries off the event loop with a time limit that really stops them.

`WorkerPool` keeps a few worker processes (api/worker.py), each holding an in-memory replica of the
embedded store seeded from an N-Quads snapshot. A query past its limit gets its worker killed and
replaced by a fresh replica. Writes go through `writing(graph, ...)`, which waits for running queries
to finish, lets the write happen on the one on-disk store, then sends the changed named graphs to every
replica before queries resume, so that every answer reflects every acknowledged write.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
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


# Loading a replica is not a query: it gets its own, generous limit.
READY_TIMEOUT = 900.0


class _Worker:
    def __init__(self, ctx: Any, snapshot: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker.main, args=(child, snapshot), daemon=True, name="bomay-query-worker"
        )
        self.proc.start()
        child.close()

    def wait_ready(self) -> None:
        """Block until the replica is loaded; raise EngineError if it could not be."""
        if not self.conn.poll(READY_TIMEOUT):
            raise EngineError("tiến trình truy vấn không khởi động được / query worker did not start")
        status, payload = self.conn.recv()
        if status != "ready":
            raise EngineError(payload)

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
    """A fixed number of query processes, each an in-memory replica of one embedded store."""

    def __init__(self, store: Any, size: int, timeout: float, limit: int) -> None:
        self.store = store
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
        for w in await asyncio.to_thread(self._spawn_many, self._size):
            self._idle.put_nowait(w)

    def _spawn_many(self, n: int) -> list[_Worker]:
        """Start `n` replicas from one fresh snapshot of the store (callers hold off writes)."""
        fd, snapshot = tempfile.mkstemp(prefix="bomay-replica-", suffix=".nq")
        os.close(fd)
        try:
            self.store.dump_dataset(snapshot)
            workers = [_Worker(self._ctx, snapshot) for _ in range(n)]
            for w in workers:
                w.wait_ready()
        finally:
            Path(snapshot).unlink(missing_ok=True)
        with self._guard:
            self._all.extend(workers)
        return workers

    def _spawn(self) -> _Worker:
        return self._spawn_many(1)[0]

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

    def _sync(self, graphs: tuple[str, ...]) -> None:
        """Bring every replica's copy of `graphs` to the store's content; replace any that fails."""
        updates = [(iri, self.store.graph_ntriples(iri)) for iri in graphs]
        with self._guard:
            workers = list(self._all)
        for w in workers:
            try:
                for iri, data in updates:
                    w.conn.send({"kind": "sync", "graph": iri, "data": data})
                    if not w.conn.poll(READY_TIMEOUT) or w.conn.recv()[0] != "ok":
                        raise EngineError("sync failed")
            except (EngineError, EOFError, OSError):
                self._replace(w)

    def _replace(self, w: _Worker) -> None:
        """Swap a broken idle replica for a fresh one, in place in the idle queue."""
        assert self._idle is not None
        fresh = self._spawn()
        self._retire(w)
        self.restarts += 1
        kept = []
        while not self._idle.empty():
            x = self._idle.get_nowait()
            kept.append(fresh if x is w else x)
        for x in kept:
            self._idle.put_nowait(x)

    @contextlib.asynccontextmanager
    async def writing(self, *graphs: str) -> AsyncIterator[None]:
        """Exclusive section for a write to `graphs`; every replica receives them before reads resume."""
        assert self._lock is not None, "pool not started"
        async with self._lock.write():
            try:
                yield
            finally:
                await asyncio.to_thread(self._sync, graphs)
                self.generation += 1

    def close(self) -> None:
        """Stop every worker."""
        with self._guard:
            workers, self._all = list(self._all), []
        for w in workers:
            w.stop()
