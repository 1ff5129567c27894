"""Run queries off the event loop with a time limit that really stops them.

`WorkerPool` keeps a few query worker processes (api/worker.py), all forked from one zygote process that
loads an in-memory replica of the embedded store from an N-Quads snapshot (whose default graph is
already the stored union, graph/embedded.py). A fork shares the zygote's loaded replica page by page,
so N workers hold about one replica of memory and a worker killed at the time limit is replaced in
milliseconds, not by reloading. Writes go through `writing(graph, ...)`, which waits for running
queries to finish, lets the write happen on the one on-disk store, then sends the changed named graphs
to the zygote and every worker before queries resume, so that every answer reflects every acknowledged
write. `write(graphs, fn, ...)` does the same but hands the write's result back as soon as the store
holds it, the replicas being brought up to date afterwards, still before queries resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import pickle
import signal
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from api import sparql_check, worker

log = logging.getLogger("bomay.engine")
T = TypeVar("T")


class QueryTimeout(Exception):
    """The query ran past the configured time limit and was stopped."""


class QuerySyntaxError(Exception):
    """The engine's parser rejected the query; the message is the parser's."""


class ResultLimit(Exception):
    """The query produced more rows or triples than allowed."""


class EngineError(Exception):
    """Anything else the engine reported."""


class AnswerTooLarge(Exception):
    """The answer would be longer, in bytes, than the operator allows."""


class JobRefused(Exception):
    """The worker could not make an export: args are (reason, message), see api.worker.Refused."""


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

    def share(self) -> Callable[[], Awaitable[None]]:
        """Join the readers at once, without waiting, for work that outlives the caller's own read hold
        (the caller holds one now, so no writer is active); returns the release to await when done."""
        assert self._readers > 0, "share() needs a read hold"
        self._readers += 1

        async def release() -> None:
            async with self._cond:
                self._readers -= 1
                self._cond.notify_all()

        return release

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


LOW_NICE = 15  # the CPU priority of a job from a client the pool does not trust yet (see WorkerPool.run)


def _nice(w: Any, value: int) -> bool:
    """Set worker `w`'s CPU priority; False when the system refuses (raising it back needs CAP_SYS_NICE)."""
    pid = getattr(w, "pid", None) or getattr(getattr(w, "proc", None), "pid", None)
    if pid is None:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, value)
    except (PermissionError, ProcessLookupError):
        return False
    return True


def _settle(fut: asyncio.Future[bool], value: bool) -> None:
    """Resolve `fut` once: the first of "answer readable" and "time limit passed" wins."""
    if not fut.done():
        fut.set_result(value)


# Loading a replica is not a query: it gets its own, generous limit.
READY_TIMEOUT = 900.0
# How long a client whose query hit the time limit or crashed its worker keeps to the shared workers, and
# how long one whose job was answered in time may use the kept one (see WorkerPool.trusted).
SUSPECT_SECONDS = 60.0
TRUST_SECONDS = 300.0


class _Worker:
    """A process the pool started itself: the zygote (api.worker.zygote_main) every query worker is
    forked from."""

    def __init__(self, ctx: Any, snapshot: str, deny_network: bool = True) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker.zygote_main, args=(child, snapshot, deny_network), daemon=True,
            name="bomay-query-zygote",
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


class _Forked:
    """A query worker forked by the zygote: our end of its socket, and its pid (the zygote's child,
    reaped by the kernel). `proc` is itself, so a forked worker is stopped like a spawned one."""

    def __init__(self, conn: Any, pid: int) -> None:
        self.conn, self.pid = conn, pid
        self.proc = self

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def is_alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def join(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(Exception):
            if kill:
                self.kill()
            else:
                self.conn.send(None)
        self.join(timeout=5)
        if self.is_alive():
            self.kill()
        self.conn.close()


class WorkerPool:
    """A fixed number of query processes forked from one zygote holding an in-memory replica of one
    embedded store."""

    def __init__(self, store: Any, size: int, timeout: float, limit: int, deny_network: bool = True,
                 max_bytes: int | None = None) -> None:
        """`deny_network`: the workers refuse themselves network sockets (api/netguard.py); off only
        when the operator allows SERVICE endpoints. `max_bytes` bounds every answer's size."""
        self.store = store
        self.timeout = timeout
        self.limit = limit
        self.max_bytes = max_bytes
        self.generation = 0
        self.restarts = 0
        self.refreshes = 0  # fresh zygotes loaded to give back what writes left in the replicas
        self._ctx = mp.get_context("spawn")
        self._size = size
        self.deny_network = deny_network
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Forked] = []
        self._zygote: _Worker | None = None
        self._replaced = 0  # triples replaced or dropped in the replicas since the zygote loaded
        self._pending: set[str] | None = None  # graphs written while a fresh zygote loads
        self._refreshing: asyncio.Future[None] | None = None
        self._fork_lock = threading.Lock()  # the zygote's pipe: one fork or sync at a time
        self._lock: _RWLock | None = None
        self._guard = threading.Lock()
        # Triple count per non-empty named graph: counted once at start, then kept current by _sync with
        # the graphs each write touched (replaced as a whole, never mutated, so readers need no lock).
        self._counts: dict[str, int] = {}
        self._default_count = 0
        self._counts_sorted: tuple[dict[str, int], dict[str, int]] | None = None
        self._background: set[asyncio.Future[None]] = set()  # replica syncs and respawns under way
        # Fair share: one worker is kept for the clients known to behave: a job of theirs answered within
        # the time limit in the last TRUST_SECONDS. Everyone else (new clients, and suspects: a job that
        # ran into the time limit or killed its worker in the last SUSPECT_SECONDS) shares size - 1.
        self._suspects: dict[str, float] = {}
        self._trusted: dict[str, float] = {}
        self._shared_slots: asyncio.Semaphore | None = None

    async def start(self) -> None:
        """Spawn the workers and count the store's graphs (call from the running event loop)."""
        self._idle = asyncio.Queue()
        self._lock = _RWLock()
        self._shared_slots = asyncio.Semaphore(max(1, self._size - 1))
        workers, (self._counts, self._default_count) = await asyncio.gather(
            asyncio.to_thread(self._spawn_many, self._size), asyncio.to_thread(self._count_graphs)
        )
        for w in workers:
            self._idle.put_nowait(w)

    def _count_graphs(self) -> tuple[dict[str, int], int]:
        """Triple count of every non-empty named graph of the store, and of its default graph: the one
        full count, at start."""
        rows = self.store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        default = self.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return {str(r["g"]): int(r["n"]) for r in rows}, int(default[0]["n"]) if default else 0

    def default_count(self) -> int:
        """Triples in the default graph, each once, as of the last completed write (the replicas report
        it after each sync: no scan)."""
        return self._default_count

    def graph_counts(self) -> dict[str, int]:
        """Triple count per non-empty named graph, ordered by IRI, as of the last completed write (no scan:
        see _sync)."""
        counts, cached = self._counts, self._counts_sorted
        if cached is None or cached[0] is not counts:
            cached = self._counts_sorted = (counts, dict(sorted(counts.items())))
        return dict(cached[1])

    def _spawn_many(self, n: int) -> list[_Forked]:
        """Fork `n` workers from the zygote, first starting it from a fresh snapshot of the store when
        there is none (callers hold off writes, so the snapshot and the syncs never cross)."""
        with self._fork_lock:
            zygote = self._zygote
            if zygote is None or not zygote.proc.is_alive():
                zygote = self._zygote = self._start_zygote()
            workers = [self._fork(zygote) for _ in range(n)]
        with self._guard:
            self._all.extend(workers)
        return workers

    def _start_zygote(self) -> _Worker:
        if self._zygote is not None:
            self._zygote.stop(kill=True)
            self._zygote = None
        snapshot = self._snapshot()
        try:
            return self._load_zygote(snapshot)
        finally:
            Path(snapshot).unlink(missing_ok=True)

    def _fork(self, zygote: _Worker) -> _Forked:
        """One worker, forked now (milliseconds: it shares the zygote's loaded replica)."""
        ours, theirs = socket.socketpair()
        try:
            zygote.conn.send({"kind": "fork"})
            reduction.send_handle(zygote.conn, theirs.fileno(), zygote.proc.pid)
            if not zygote.conn.poll(READY_TIMEOUT):
                raise EngineError("tiến trình truy vấn không khởi động được / query worker did not start")
            status, pid = zygote.conn.recv()
        finally:
            theirs.close()
        if status != "forked":
            ours.close()
            raise EngineError(str(pid))
        return _Forked(Connection(ours.detach()), pid)

    def _spawn(self) -> _Worker:
        return self._spawn_many(1)[0]

    def _retire(self, w: _Worker) -> None:
        with self._guard:
            if w in self._all:
                self._all.remove(w)
        w.stop(kill=True)

    async def _exchange(self, w: _Worker, job: bytes) -> tuple[tuple[str, Any] | None, bool]:
        """One round trip on the event loop: send the pickled job, wait until the pipe is readable
        (or the time limit passes), read the answer. No thread hop for the common small answer; a
        large one (announced as ("big", size)) is read in a thread. On timeout (answer None) or a dead
        worker, the worker is killed at once and reported not alive: the caller answers without waiting
        for a fresh replica to load (seconds to minutes on a large store). Returns (answer, alive)."""
        loop = asyncio.get_running_loop()
        conn = w.conn
        try:
            conn.send_bytes(job)
            ready: asyncio.Future[bool] = loop.create_future()
            fd = conn.fileno()
            loop.add_reader(fd, _settle, ready, True)
            timer = loop.call_later(self.timeout, _settle, ready, False)
            try:
                in_time = await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop (libuv) makes a watched fd non-blocking
            if not in_time:
                self._kill(w)
                return None, False
            answer = pickle.loads(conn.recv_bytes())
            if answer[0] == "big":
                answer = pickle.loads(await asyncio.to_thread(conn.recv_bytes))
            return answer, True
        except (EOFError, OSError, pickle.UnpicklingError):
            self._kill(w)
            return ("error", "tiến trình truy vấn đã dừng bất thường / query worker died"), False

    def _kill(self, w: _Worker) -> None:
        """Stop a worker that ran past the limit or died, now (a signal: no waiting), and count it."""
        with contextlib.suppress(Exception):
            w.proc.kill()
        self.restarts += 1

    def _respawn_in_background(self, dead: _Worker) -> None:
        """Load a fresh replica in place of a killed one, then hand it to the idle queue. Called while
        the caller holds the read lock, which the respawn shares until its replica is loaded, so no
        write can slip between the snapshot and the new replica joining the sync list."""
        assert self._lock is not None, "pool not started"
        release = self._lock.share()

        async def respawn() -> None:
            fresh: _Worker | None = None
            try:
                await asyncio.to_thread(self._retire, dead)
                fresh = await asyncio.to_thread(self._spawn)
            except Exception as e:  # noqa: BLE001 — the next job on the dead worker tries again
                log.error("query worker not replaced: %s: %s", type(e).__name__, e)
            finally:
                await release()
                assert self._idle is not None
                self._idle.put_nowait(fresh or dead)

        task = asyncio.ensure_future(respawn())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def suspect(self, client: str | None) -> bool:
        """Whether `client`'s recent queries ran into the time limit or crashed their worker."""
        return client is not None and self._suspects.get(client, 0.0) > time.monotonic()

    def trusted(self, client: str | None) -> bool:
        """Whether `client` may use the kept worker: answered in time lately, and not a suspect."""
        fresh = client is not None and self._trusted.get(client, 0.0) > time.monotonic()
        return fresh and not self.suspect(client)

    def _note(self, client: str | None, behaved: bool) -> None:
        if client is None:
            return
        now = time.monotonic()
        for book in (self._suspects, self._trusted):
            if len(book) > 10_000:  # many clients: forget those whose entry ran out
                for c in [c for c, t in book.items() if t <= now]:
                    del book[c]
        if behaved:
            self._trusted[client] = now + TRUST_SECONDS
        else:
            self._trusted.pop(client, None)
            self._suspects[client] = now + SUSPECT_SECONDS

    async def run(self, job: dict) -> Any:
        """Run one job on an idle worker under the read lock; map worker answers to exceptions. `client`
        (the job's key, e.g. the remote address) decides its share: see `trusted`."""
        assert self._idle is not None and self._lock is not None, "pool not started"
        assert self._shared_slots is not None
        client = job.get("client")
        if client is not None and not self.trusted(client):
            async with self._shared_slots:
                return await self._run(job, client, low=True)
        return await self._run(job, client)

    async def _run(self, job: dict, client: str | None, low: bool = False) -> Any:
        """`low`: the job runs at a lower CPU priority (LOW_NICE), so that a suspect's runaway query leaves
        the cores to everyone else's; the worker gets its priority back after, or is replaced by a fresh
        fork where raising it back needs a privilege this process lacks."""
        job = {k: v for k, v in job.items() if k != "client"}
        if job.get("query") and "named" not in job:  # the server's own queries: routed as /sparql's are
            job = {**job, "named": sparql_check.needs_named_graphs(job["query"])}
        data = pickle.dumps({"limit": self.limit, "max_bytes": self.max_bytes, **job},
                            protocol=pickle.HIGHEST_PROTOCOL)
        async with self._lock.read():
            w = await self._idle.get()
            if low:
                _nice(w, LOW_NICE)
            exchange = asyncio.ensure_future(self._exchange(w, data))
            alive = True
            try:
                answer, alive = await asyncio.shield(exchange)
            except asyncio.CancelledError:
                # The caller gave up mid-query: the worker goes back to the pool (and the read lock is
                # released) only once its answer is in or it has been killed, never while still busy.
                await asyncio.wait([exchange])
                if not exchange.cancelled() and exchange.exception() is None:
                    alive = exchange.result()[1]
                raise
            finally:
                if alive and (not low or _nice(w, 0)):
                    self._idle.put_nowait(w)
                else:
                    self._respawn_in_background(w)
        self._note(client, behaved=answer is not None and alive)
        if answer is None:
            raise QueryTimeout(self.timeout)
        status, payload = answer
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "limit":
            raise ResultLimit(payload)
        if status == "refused":
            raise JobRefused(*payload)
        if status == "bytes":
            raise AnswerTooLarge(payload)
        raise EngineError(payload)

    def _take(self, graphs: tuple[str, ...]) -> list[tuple[str, bytes]]:
        """The store's content of `graphs` as N-Triples, noting their new triple counts (only theirs)."""
        updates = [(iri, self.store.graph_ntriples(iri)) for iri in graphs]
        if self._pending is not None:  # a fresh zygote is loading: it gets these graphs before the swap
            self._pending.update(graphs)
        if updates:
            counts = dict(self._counts)
            for iri, data in updates:  # N-Triples: one line per triple (newlines in literals are escaped)
                self._replaced += counts.get(iri, 0)
                if n := data.count(b"\n"):
                    counts[iri] = n
                else:
                    counts.pop(iri, None)
            self._counts = counts
        return updates

    def _sync(self, graphs: tuple[str, ...], updates: list[tuple[str, bytes]] | None = None) -> None:
        """Bring every replica's copy of `graphs` to the store's content (`updates` when already taken
        by _take); replace any replica that fails.

        Every replica gets the updates first and is waited for afterwards, so they apply them at the same
        time (one core each) rather than one after another while the write lock holds queries back.
        """
        if updates is None:
            updates = self._take(graphs)
        if not updates:
            return
        with self._guard:
            workers: list[Any] = list(self._all)
        with self._fork_lock:  # the zygote too: workers forked later must hold this write
            zygote = self._zygote
            if zygote is not None:
                workers.append(zygote)
            sent, failed = [], []
            for w in workers:
                try:
                    for iri, data in updates:
                        w.conn.send({"kind": "sync", "graph": iri, "data": data})
                    sent.append(w)
                except (EOFError, OSError):
                    failed.append(w)
            for w in sent:
                try:
                    for _ in updates:  # one reply per update, in order: ("ok", default graph size)
                        if not w.conn.poll(READY_TIMEOUT):
                            raise EngineError("sync failed")
                        status, size = w.conn.recv()
                        if status != "ok":
                            raise EngineError("sync failed")
                        self._default_count = size
                except (EngineError, EOFError, OSError):
                    failed.append(w)
            if zygote is not None and zygote in failed:  # the next fork starts one from the store
                failed.remove(zygote)
                zygote.stop(kill=True)
                self._zygote = None
        for w in failed:
            self._replace(w)

    def _replace(self, w: _Forked) -> None:
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
        self._maybe_refresh()

    async def write(self, graphs: tuple[str, ...], fn: Callable[..., T], *args: Any) -> T:
        """Run the blocking write `fn(*args)` to `graphs` in a thread under the exclusive lock, and return
        its result as soon as the store holds it and the graph counts are updated.

        The replicas receive `graphs` after that, still under the lock: reads (and other writes) resume
        only once every replica has them, so every answer still reflects every acknowledged write, but the
        writer's client does not wait for the replicas (its next article is validated meanwhile).
        """
        assert self._lock is not None, "pool not started"
        lock = self._lock
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def step() -> tuple[bool, Any, list[tuple[str, bytes]]]:
            try:
                ok, value = True, fn(*args)
            except Exception as e:  # noqa: BLE001 — handed to the caller
                ok, value = False, e
            return ok, value, self._take(graphs)

        async def run() -> None:
            updates = None
            async with lock.write():
                try:
                    ok, value, updates = await asyncio.to_thread(step)
                    if done.done():
                        pass  # the caller was cancelled
                    elif ok:
                        done.set_result(value)
                    else:
                        done.set_exception(value)
                except BaseException as e:
                    if done.done():
                        pass
                    elif isinstance(e, asyncio.CancelledError):
                        done.cancel()
                    else:
                        done.set_exception(e)
                    raise
                finally:
                    try:
                        await asyncio.to_thread(self._sync, graphs, updates)
                    except Exception:  # the write was acknowledged: log, keep the lock's release
                        log.exception("replica sync after a write failed")
                    self.generation += 1

        task = asyncio.ensure_future(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(lambda _: self._maybe_refresh())
        return await asyncio.shield(done)

    # Oxigraph's in-memory store keeps what a write removes (each replace-POST grows every replica a
    # little, for good): past this many replaced triples (at least REFRESH_MIN, else this share of the
    # default graph) a fresh zygote is loaded from the store in the background and the workers are
    # forked anew from it, so the replicas' memory follows the data, not the number of writes.
    REFRESH_MIN = 20_000
    REFRESH_SHARE = 0.1

    def _maybe_refresh(self) -> None:
        budget = max(self.REFRESH_MIN, self.REFRESH_SHARE * self._default_count)
        if self._replaced <= budget or self._refreshing is not None or self._lock is None:
            return
        task = asyncio.ensure_future(self._refresh())
        self._refreshing = task
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self) -> None:
        """Load a fresh zygote beside the running one and swap every worker to it.

        The snapshot is taken under a read hold (writes wait for the dump, queries go on); the load runs
        with no hold, the graphs written meanwhile being noted; the swap, under the write lock (no query
        running), gives the new zygote those graphs and forks the workers from it."""
        assert self._lock is not None
        snapshot = ""
        try:
            async with self._lock.read():
                snapshot = await asyncio.to_thread(self._snapshot)
                self._pending, self._replaced = set(), 0
            fresh = await asyncio.to_thread(self._load_zygote, snapshot)
            async with self._lock.write():
                pending, self._pending = self._pending or set(), None
                await asyncio.to_thread(self._swap, fresh, tuple(sorted(pending)))
            self.refreshes += 1
        except Exception as e:  # noqa: BLE001 — the running replicas stay; the next write tries again
            log.error("replica refresh failed: %s: %s", type(e).__name__, e)
            self._pending = None
        finally:
            if snapshot:
                Path(snapshot).unlink(missing_ok=True)
            self._refreshing = None

    def _snapshot(self) -> str:
        fd, snapshot = tempfile.mkstemp(prefix="bomay-replica-", suffix=".nq")
        os.close(fd)
        self.store.dump_dataset(snapshot)
        return snapshot

    def _load_zygote(self, snapshot: str) -> _Worker:
        zygote = _Worker(self._ctx, snapshot, self.deny_network)
        try:
            zygote.wait_ready()
        except BaseException:
            zygote.stop(kill=True)
            raise
        return zygote

    def _swap(self, fresh: _Worker, pending: tuple[str, ...]) -> None:
        """Under the write lock: bring `fresh` up to date, then replace the zygote and every idle worker."""
        for iri in pending:
            fresh.conn.send({"kind": "sync", "graph": iri, "data": self.store.graph_ntriples(iri)})
            if not fresh.conn.poll(READY_TIMEOUT) or fresh.conn.recv()[0] != "ok":
                fresh.stop(kill=True)
                raise EngineError("sync failed")
        assert self._idle is not None
        with self._fork_lock:
            old_zygote, self._zygote = self._zygote, fresh
            workers = [self._fork(fresh) for _ in range(self._size)]
        with self._guard:
            old, self._all = self._all, workers
        while not self._idle.empty():
            self._idle.get_nowait()
        for w in workers:
            self._idle.put_nowait(w)
        for w in old:
            w.stop(kill=True)
        if old_zygote is not None:
            old_zygote.stop(kill=True)

    def close(self) -> None:
        """Stop every worker, and the zygote."""
        with self._guard:
            workers, self._all = list(self._all), []
        for w in workers:
            w.stop()
        with self._fork_lock:
            if self._zygote is not None:
                self._zygote.stop()
                self._zygote = None
