"""Run queries off the event loop with a time limit that really stops them.

`WorkerPool` keeps a few query worker processes (api/worker.py), all forked from one zygote process that
holds an in-memory replica of the embedded store's default graph (the stored union, graph/embedded.py),
read from a checkpoint of the store. A fork shares the zygote's loaded replica page by page, so N workers
hold about one replica of memory and a worker killed at the time limit is replaced in milliseconds, not
by reloading. Jobs that name graphs (dumps, exports, GRAPH and FROM queries) read an on-disk checkpoint
that holds every acknowledged write, made when such a job comes after a write (RocksDB hard-links its
files: instant). Writes (`write(graphs, fn, ...)`, `writing(graph, ...)`) go one at a time to the one
on-disk store and never wait for queries: each is numbered and logged with what it changed in the
default graph, the zygote receives it before it is acknowledged, idle workers right after, and a busy
worker before its next job, so every answer reflects every write acknowledged before its query started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import pickle
import shutil
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from api import sparql_check, worker
from api.jobs import Job

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

    def __init__(self, ctx: Any, checkpoint: str, deny_network: bool = True) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker.zygote_main, args=(child, checkpoint, deny_network), daemon=True,
            name="bomay-query-zygote",
        )
        self.proc.start()
        child.close()
        self.version = 0  # the last write (WorkerPool._version) this replica holds

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

    def __init__(self, conn: Any, pid: int, version: int, epoch: int) -> None:
        self.conn, self.pid = conn, pid
        self.proc = self
        self.version = version  # the last write its replica holds (the zygote's when forked)
        self.epoch = epoch  # the zygote it was forked from (WorkerPool._epoch)
        self.checkpoint: str | None = None  # the last one it was sent (it may hold it open)

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
    embedded store's default graph, and the store checkpoints they read named graphs from.

    Writes are numbered. Each one is kept in a log (what it changed in the default graph) until every
    replica holds it; a replica records the last write it applied. A write never waits for queries:
    it changes the on-disk store, brings the zygote up to date, and is acknowledged; idle workers are
    brought up to date right after, and a busy one (a runaway query included) before its next job. So a
    runaway read holds neither writers nor other readers, and every answer still reflects every write
    acknowledged before its query started."""

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
        self.releases = 0  # quiet spells after writes in which the store gave back its write buffers
        self._ctx = mp.get_context("spawn")
        self._size = size
        self.deny_network = deny_network
        self._idle: asyncio.Queue[_Forked] | None = None
        self._all: list[_Forked] = []
        self._zygote: _Worker | None = None
        self._epoch = 0  # bumped when a fresh zygote replaces the old one: older forks are retired
        self._version = 0  # the last acknowledged write
        # Writes some replica lacks: (version, (triples now in the default graph, triples now out of it)).
        self._log: list[tuple[int, tuple[bytes, bytes]]] = []
        self._floors: list[int] = []  # fresh zygotes loading from checkpoints of these versions
        # Checkpoints of the store (api/worker.py reads named graphs there), oldest first, each with the
        # last write it holds at least; kept while the newest or a worker may be reading them.
        self._checkpoints: list[tuple[int, str]] = []
        self._checkpoint_dir = Path(f"{store.path}.readers") if hasattr(store, "path") else None
        self._checkpoint_lock = threading.Lock()  # one checkpoint made at a time
        self._made = 0  # checkpoints made: the next one's directory name
        self._replaced = 0  # triples replaced or dropped in the replicas since the zygote loaded
        self._refreshing: asyncio.Future[None] | None = None
        self._release_due = 0.0  # monotonic time from which writes count as quiet (see _release_when_quiet)
        self._releasing: asyncio.Future[None] | None = None
        self._unreleased = 0  # writes since the store last gave back its write buffers
        self._release_now = asyncio.Event()  # set once RELEASE_EVERY writes have come
        self._fork_lock = threading.Lock()  # the zygote's pipe: one fork or sync at a time
        self._writer: asyncio.Lock | None = None  # one write at a time (queries never take it)
        self._guard = threading.Lock()  # _all and _log
        # Triple count per non-empty named graph: counted once at start, then kept current by _take with
        # the graphs each write touched (replaced as a whole, never mutated, so readers need no lock).
        self._counts: dict[str, int] = {}
        self._default_count = 0
        self._counts_sorted: tuple[dict[str, int], dict[str, int]] | None = None
        self._background: set[asyncio.Future[Any]] = set()  # replica syncs, respawns, writes under way
        # Fair share: one worker is kept for the clients known to behave: a job of theirs answered within
        # the time limit in the last TRUST_SECONDS. Everyone else (new clients, and suspects: a job that
        # ran into the time limit or killed its worker in the last SUSPECT_SECONDS) shares size - 1.
        self._suspects: dict[str, float] = {}
        self._trusted: dict[str, float] = {}
        self._shared_slots: asyncio.Semaphore | None = None

    async def start(self) -> None:
        """Spawn the workers and count the store's graphs (call from the running event loop)."""
        if self._checkpoint_dir is not None:  # what a server that was killed left
            shutil.rmtree(self._checkpoint_dir, ignore_errors=True)
        self._idle = asyncio.Queue()
        self._writer = asyncio.Lock()
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
        """Triples in the default graph, each once, as of the last acknowledged write (the zygote reports
        it after each sync, before the write is acknowledged: no scan)."""
        return self._default_count

    def graph_counts(self) -> dict[str, int]:
        """Triple count per non-empty named graph, ordered by IRI, as of the last completed write (no scan:
        see _take)."""
        counts, cached = self._counts, self._counts_sorted
        if cached is None or cached[0] is not counts:
            cached = self._counts_sorted = (counts, dict(sorted(counts.items())))
        return dict(cached[1])

    # -- processes -------------------------------------------------------------------------------------
    def _spawn_many(self, n: int) -> list[_Forked]:
        """Fork `n` workers from the zygote, first starting it from a fresh checkpoint of the store when
        there is none."""
        with self._fork_lock:
            zygote = self._zygote
            if zygote is None or not zygote.proc.is_alive():
                zygote = self._zygote = self._start_zygote()
            workers = [self._fork(zygote) for _ in range(n)]
        with self._guard:
            self._all.extend(workers)
        return workers

    def _start_zygote(self) -> _Worker:
        """A zygote loaded from a checkpoint of the store, brought up to the last write (caller holds
        _fork_lock)."""
        if self._zygote is not None:
            self._zygote.stop(kill=True)
            self._zygote = None
        version, checkpoint = self._checkpoint(floor=True)
        try:
            zygote = self._load_zygote(checkpoint)
            # The checkpoint holds at least every write up to `version` (the store may hold later ones
            # too: the log's entries say what is in and out of the default graph after each write, so
            # replaying them in order ends in the store's state).
            zygote.version = version
            failed = self._catch_up([zygote])
        finally:
            with self._guard:
                self._floors.remove(version)
        if failed:
            zygote.stop(kill=True)
            raise EngineError("sync failed")
        return zygote

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
        return _Forked(Connection(ours.detach()), pid, zygote.version, self._epoch)

    def _spawn(self) -> _Forked:
        return self._spawn_many(1)[0]

    def _retire(self, w: _Forked) -> None:
        with self._guard:
            if w in self._all:
                self._all.remove(w)
        w.stop(kill=True)

    # -- the write log ---------------------------------------------------------------------------------
    def _after(self, version: int) -> tuple[int, list[tuple[bytes, bytes]]]:
        """The last write, and what each write after `version` changed in the default graph, in order."""
        with self._guard:
            return self._version, [change for v, change in self._log if v > version]

    def _trim(self) -> None:
        """Forget the writes every replica holds (and a loading zygote's checkpoint has)."""
        with self._guard:
            held = [w.version for w in self._all]
            if self._zygote is not None:
                held.append(self._zygote.version)
            held.extend(self._floors)
            low = min(held, default=self._version)
            self._log = [e for e in self._log if e[0] > low]

    # -- checkpoints -----------------------------------------------------------------------------------
    def _checkpoint(self, floor: bool = False, reader: _Forked | None = None) -> tuple[int, str]:
        """A checkpoint holding every acknowledged write: the newest one if no write came since, else a new
        one. `floor`: for a zygote about to load from it, the log keeps what came after and the checkpoint
        stays (the caller removes the floor); `reader`: the worker it is for, which keeps it too.
        Blocking: run in a thread."""
        assert self._checkpoint_dir is not None, "the pool needs an on-disk store"
        with self._checkpoint_lock:
            with self._guard:
                version = self._version  # read before the copy: it holds at least this
                newest = self._checkpoints[-1] if self._checkpoints else None
                if floor:
                    self._floors.append(version)
                if newest is not None and newest[0] >= version:
                    if reader is not None:
                        reader.checkpoint = newest[1]
                    return newest
            self._made += 1
            path = str(self._checkpoint_dir / f"{self._made:06d}")
            self._checkpoint_dir.mkdir(parents=True, exist_ok=True)
            try:
                self.store.checkpoint(path)
            except BaseException:
                if floor:
                    with self._guard:
                        self._floors.remove(version)
                raise
            with self._guard:
                self._checkpoints.append((version, path))
                if reader is not None:
                    reader.checkpoint = path
            self._prune()
            return version, path

    def _prune(self) -> None:
        """Delete the checkpoints no one reads: neither the newest, nor one a worker was last sent, nor one
        a zygote is loading from."""
        with self._guard:
            read = {w.checkpoint for w in self._all} | {self._checkpoints[-1][1]}
            old = [c for c in self._checkpoints if c[1] not in read and c[0] not in self._floors]
            self._checkpoints = [c for c in self._checkpoints if c not in old]
        for _, path in old:
            shutil.rmtree(path, ignore_errors=True)

    async def _reading(self, job: dict[str, Any], w: _Forked) -> dict[str, Any]:
        """`job` with the checkpoint it reads named graphs from, when it names graphs (`w` runs it)."""
        if not worker.names_graphs(job):
            return job
        with self._guard:
            newest = self._checkpoints[-1] if self._checkpoints else None
            if newest is not None and newest[0] >= self._version:
                w.checkpoint = newest[1]
                return {**job, "checkpoint": newest[1]}
        _, path = await asyncio.to_thread(self._checkpoint, False, w)
        return {**job, "checkpoint": path}

    def _catch_up(self, replicas: list[Any]) -> list[Any]:
        """Bring each replica (none of them answering a query) to the last write, all at the same time
        (one core each); return those that failed. Blocking: run in a thread."""
        sent, failed = [], []
        for w in replicas:
            target, updates = self._after(w.version)
            try:
                for present, absent in updates:
                    w.conn.send({"kind": "sync", "present": present, "absent": absent})
                sent.append((w, target, len(updates)))
            except (EOFError, OSError):
                failed.append(w)
        for w, target, n in sent:
            try:
                size = None
                for _ in range(n):  # one reply per update, in order: ("ok", default graph size)
                    if not w.conn.poll(READY_TIMEOUT):
                        raise EngineError("sync failed")
                    status, size = w.conn.recv()
                    if status != "ok":
                        raise EngineError("sync failed")
                w.version = max(w.version, target)
                if size is not None and w is self._zygote:
                    self._default_count = size
            except (EngineError, EOFError, OSError):
                failed.append(w)
        return failed

    def _before(self, graphs: tuple[str, ...]) -> dict[str, bytes]:
        """The store's content of `graphs` as N-Triples, read before a write to them."""
        return {iri: self.store.graph_ntriples(iri) for iri in graphs}

    def _take(self, before: dict[str, bytes]) -> tuple[bytes, bytes] | None:
        """What the write that followed `before` changed in the default graph (None: nothing), noting the
        written graphs' new triple counts (only theirs)."""
        after = self._before(tuple(before))
        if after == before:
            return None
        counts = dict(self._counts)
        for iri, data in after.items():  # N-Triples: one line per triple (newlines in literals are escaped)
            self._replaced += counts.get(iri, 0)
            if n := data.count(b"\n"):
                counts[iri] = n
            else:
                counts.pop(iri, None)
        self._counts = counts
        return self.store.default_changes(before, after)

    def _record(self, change: tuple[bytes, bytes] | None) -> None:
        """Number a write and log what it changed in the default graph: from here on every new job sees
        it (a write to named graphs alone, with no change there, still needs a newer checkpoint)."""
        if change is None:
            return
        with self._guard:
            self._version += 1
            self._log.append((self._version, change))

    def _sync_zygote(self) -> None:
        """Bring the zygote (what every later fork starts from) to the last write; a zygote that fails is
        dropped, and the next fork starts one from the store."""
        with self._fork_lock:
            zygote = self._zygote
            if zygote is not None and self._catch_up([zygote]):
                zygote.stop(kill=True)
                self._zygote = None

    async def _sync_idle(self) -> None:
        """Bring the idle workers up to date now, so the next queries do not wait for it; a worker that
        fails is replaced."""
        assert self._idle is not None
        idle = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        stale = [w for w in idle if w.version < self._version]
        failed: list[Any] = []
        try:
            if stale:  # shielded: the workers go back only once the thread is done with them
                failed = await asyncio.shield(asyncio.to_thread(self._catch_up, stale))
        finally:
            for w in idle:
                if w in failed:
                    self._respawn_in_background(w)
                else:
                    self._idle.put_nowait(w)
        self._trim()

    def _in_background(self, work: Any) -> asyncio.Future[Any]:
        """`work` as a task the pool holds on to until it is done (the event loop keeps only a weak
        reference to a task)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task
    def _after_write(self) -> None:
        """What follows every write, in the background: idle workers synced, the log trimmed, and a
        refresh when the replicas hold too much that writes removed."""
        self.generation += 1
        self._in_background(self._sync_idle())
        self._maybe_refresh()
        self._release_due = time.monotonic() + self.RELEASE_AFTER
        self._unreleased += 1
        if self._unreleased >= self.RELEASE_EVERY:
            self._release_now.set()
        if self._releasing is None:
            self._releasing = self._in_background(self._release_when_quiet())

    # The on-disk store keeps what writes wrote in this process's memory until its buffers fill
    # (Store.release_memory): it is given back once no write has come for RELEASE_AFTER seconds, or
    # between two writes once RELEASE_EVERY have come with no quiet spell (its cost grows with them).
    RELEASE_AFTER = 2.0
    RELEASE_EVERY = 50

    def _release_wait(self) -> float:
        if self._unreleased >= self.RELEASE_EVERY:
            return 0.0
        return self._release_due - time.monotonic()

    async def _release_when_quiet(self) -> None:
        try:
            while True:
                wait = self._release_wait()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._release_now.wait(), wait)
                    continue
                assert self._writer is not None
                async with self._writer:  # never beside a write
                    if self._release_wait() > 0:
                        continue  # a write came while we waited for the lock
                    await asyncio.to_thread(self.store.release_memory)
                    self._unreleased = 0
                    self._release_now.clear()
                    self.releases += 1
                return
        except Exception as e:  # noqa: BLE001 — memory stays held until the next quiet spell
            log.error("memory release failed: %s: %s", type(e).__name__, e)
        finally:
            self._releasing = None

    # -- queries ---------------------------------------------------------------------------------------
    async def _exchange(self, w: _Forked, job: bytes) -> tuple[tuple[str, Any] | None, bool]:
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

    def _kill(self, w: _Forked) -> None:
        """Stop a worker that ran past the limit or died, now (a signal: no waiting), and count it."""
        with contextlib.suppress(Exception):
            w.proc.kill()
        self.restarts += 1

    def _give_back(self, w: _Forked) -> None:
        """A worker done with its job: back to the idle queue, or retired if a fresh zygote has replaced
        the one it was forked from (the swap forked its successor already)."""
        assert self._idle is not None
        if w.epoch == self._epoch:
            self._idle.put_nowait(w)
        else:
            self._in_background(asyncio.to_thread(self._retire, w))

    def _respawn_in_background(self, dead: _Forked) -> None:
        """Fork a fresh worker in place of a killed one (milliseconds), then hand it to the idle queue. It
        starts at the zygote's version and catches up before its first job, as any worker does."""

        async def respawn() -> None:
            fresh: _Forked | None = None
            try:
                await asyncio.to_thread(self._retire, dead)
                if dead.epoch == self._epoch:
                    fresh = await asyncio.to_thread(self._spawn)
            except Exception as e:  # noqa: BLE001 — the next job on the dead worker tries again
                log.error("query worker not replaced: %s: %s", type(e).__name__, e)
                fresh = dead if dead.epoch == self._epoch else None
            if fresh is not None:
                self._give_back(fresh)

        self._in_background(respawn())

    async def _take_worker(self) -> _Forked:
        """An idle worker holding every acknowledged write (brought up to date first if it lags)."""
        assert self._idle is not None
        while True:
            w = await self._idle.get()
            if w.epoch != self._epoch:
                self._give_back(w)
                continue
            if w.version >= self._version:
                return w
            sync = asyncio.ensure_future(asyncio.to_thread(self._catch_up, [w]))
            try:
                failed = await asyncio.shield(sync)
            except asyncio.CancelledError:  # back to the pool once the thread is done with it
                sync.add_done_callback(lambda f, w=w: self._after_catch_up(w, f))
                raise
            if not failed:
                return w
            self._kill(w)
            self._respawn_in_background(w)

    def _after_catch_up(self, w: _Forked, sync: asyncio.Future[list[Any]]) -> None:
        if sync.cancelled() or sync.exception() is not None or sync.result():
            self._kill(w)
            self._respawn_in_background(w)
        else:
            self._give_back(w)

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

    async def run(self, job: Job) -> Any:
        """Run one job on an idle worker; map worker answers to exceptions. `client` (the job's key, e.g.
        the remote address) decides its share: see `trusted`."""
        assert self._idle is not None and self._shared_slots is not None, "pool not started"
        client = job.get("client")
        if client is not None and not self.trusted(client):
            async with self._shared_slots:
                return await self._run(job, client, low=True)
        return await self._run(job, client)

    async def _run(self, job: Job, client: str | None, low: bool = False) -> Any:
        """`low`: the job runs at a lower CPU priority (LOW_NICE), so that a suspect's runaway query leaves
        the cores to everyone else's; the worker gets its priority back after, or is replaced by a fresh
        fork where raising it back needs a privilege this process lacks."""
        job = {k: v for k, v in job.items() if k != "client"}
        if job.get("query") and "named" not in job:  # the server's own queries: routed as /sparql's are
            job = {**job, "named": sparql_check.needs_named_graphs(job["query"])}
        w = await self._take_worker()
        try:
            job = await self._reading(job, w)
        except BaseException:
            self._give_back(w)
            raise
        data = pickle.dumps({"limit": self.limit, "max_bytes": self.max_bytes, **job},
                            protocol=pickle.HIGHEST_PROTOCOL)
        if low:
            _nice(w, LOW_NICE)
        exchange = asyncio.ensure_future(self._exchange(w, data))
        alive = True
        try:
            answer, alive = await asyncio.shield(exchange)
        except asyncio.CancelledError:
            # The caller gave up mid-query: the worker goes back to the pool only once its answer is in
            # or it has been killed, never while still busy.
            await asyncio.wait([exchange])
            if not exchange.cancelled() and exchange.exception() is None:
                alive = exchange.result()[1]
            raise
        finally:
            if alive and (not low or _nice(w, 0)):
                self._give_back(w)
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

    # -- writes ----------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def writing(self, *graphs: str) -> AsyncIterator[None]:
        """Exclusive section for a write to `graphs` (other writes wait; queries do not): on leaving it the
        write is logged and the zygote holds it, so every later job sees it."""
        assert self._writer is not None, "pool not started"
        async with self._writer:
            before = await asyncio.to_thread(self._before, graphs)
            try:
                yield
            finally:
                await asyncio.shield(asyncio.to_thread(self._settle, before))
                self._after_write()

    def _settle(self, before: dict[str, bytes]) -> None:
        """Log what a write did to the graphs of `before` and give it to the zygote (a failed write may
        still have changed something: the replicas follow the store)."""
        self._record(self._take(before))
        self._sync_zygote()

    async def write(self, graphs: tuple[str, ...], fn: Callable[..., T], *args: Any) -> T:
        """Run the blocking write `fn(*args)` to `graphs` in a thread, one write at a time, and return its
        result once the store holds it, the write is logged and the zygote has it; queries go on
        meanwhile. A cancelled caller still lets the write finish and be logged."""
        assert self._writer is not None, "pool not started"

        def step() -> T:
            before = self._before(graphs)
            try:
                return fn(*args)
            finally:
                self._settle(before)

        async def run() -> T:
            assert self._writer is not None
            async with self._writer:
                try:
                    return await asyncio.to_thread(step)
                finally:
                    self._after_write()

        return await asyncio.shield(self._in_background(run()))

    # Oxigraph's in-memory store keeps what a write removes (each replace-POST grows every replica a
    # little, for good): past this many replaced triples (at least REFRESH_MIN, else this share of the
    # default graph) a fresh zygote is loaded from the store in the background and the workers are
    # forked anew from it, so the replicas' memory follows the data, not the number of writes.
    REFRESH_MIN = 20_000
    REFRESH_SHARE = 0.1

    def _maybe_refresh(self) -> None:
        budget = max(self.REFRESH_MIN, self.REFRESH_SHARE * self._default_count)
        if self._replaced <= budget or self._refreshing is not None or self._writer is None:
            return
        self._refreshing = self._in_background(self._refresh())

    async def _refresh(self) -> None:
        """Load a fresh zygote beside the running one and swap every worker to it.

        The load runs from a checkpoint with no hold, the log keeping the writes made meanwhile; the swap
        brings the fresh zygote up to date, forks the workers from it, and retires the old ones (a busy
        one when its job is done)."""
        assert self._writer is not None
        version = None
        try:
            version, checkpoint = await asyncio.to_thread(self._checkpoint, True)
            self._replaced = 0
            fresh = await asyncio.to_thread(self._load_zygote, checkpoint)
            fresh.version = version
            async with self._writer:
                await asyncio.to_thread(self._swap, fresh)
            self.refreshes += 1
        except Exception as e:  # noqa: BLE001 — the running replicas stay; the next write tries again
            log.error("replica refresh failed: %s: %s", type(e).__name__, e)
        finally:
            with self._guard:
                if version is not None:
                    self._floors.remove(version)
            self._refreshing = None

    def _load_zygote(self, checkpoint: str) -> _Worker:
        zygote = _Worker(self._ctx, checkpoint, self.deny_network)
        try:
            zygote.wait_ready()
        except BaseException:
            zygote.stop(kill=True)
            raise
        return zygote

    def _swap(self, fresh: _Worker) -> None:
        """Under the writer lock: bring `fresh` up to date, then make it the zygote, fork the workers from
        it and retire the idle old ones (busy ones retire when their job is done: see _give_back)."""
        if self._catch_up([fresh]):
            fresh.stop(kill=True)
            raise EngineError("sync failed")
        assert self._idle is not None
        with self._fork_lock:
            old_zygote, self._zygote = self._zygote, fresh
            self._epoch += 1
            workers = [self._fork(fresh) for _ in range(self._size)]
        with self._guard:
            old, self._all = self._all, workers
        idle = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        for w in workers:
            self._idle.put_nowait(w)
        for w in idle:
            w.stop(kill=True)
        busy = [w for w in old if w not in idle]
        with self._guard:
            self._all.extend(busy)  # until their job is done (then _give_back retires them)
        if old_zygote is not None:
            old_zygote.stop(kill=True)
        self._trim()

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
        if self._checkpoint_dir is not None:
            shutil.rmtree(self._checkpoint_dir, ignore_errors=True)
