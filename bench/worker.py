"""One engine in its own process: load, run the query mix, measure throughput, report memory.

`python -m bench.worker --engine oxigraph --data DIR ...` appends JSON lines to --out as it goes, so a
run the orchestrator has to stop (a query past its limit) still leaves what was measured; the query being
run when it was stopped is the last "start" line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.engines import Http, make
from bench.memory import TreeSampler, self_peak_mb
from bench.mix import Query, load_json


class Out:
    def __init__(self, path: Path) -> None:
        self.fh = path.open("a", encoding="utf-8")

    def __call__(self, **record: object) -> None:
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()


def timed(fn, *args) -> tuple[float, int]:
    t = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - t, n


def with_timeout(seconds: float, fn, *args) -> tuple[float, int] | None:
    """First run of a query in a thread: None when it is still running after `seconds`."""
    box: list = []

    def target() -> None:
        try:
            box.append(timed(fn, *args))
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            box.append(exc)

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(seconds)
    if not box:
        return None
    if isinstance(box[0], Exception):
        raise box[0]
    return box[0]


def _measure(
    out: Out,
    label: str,
    inst: list[Query],
    run_one,
    reps: int,
    timeout: float,
    budget: float,
    in_process: bool,
) -> None:
    """Warm each instance once (timeout-guarded), then time rounds over the instances until `budget`."""
    rows, times = [], []
    for q in inst:
        try:
            # a server enforces the same limit itself: give its own time-limit answer a moment to arrive
            first = with_timeout(timeout if in_process else timeout + 3, run_one, q)
        except TimeoutError:
            out(type="timeout", name=label, seconds=timeout)
            return
        except Exception as exc:  # noqa: BLE001 - an engine's refusal is a result too
            out(type="error", name=label, error=str(exc)[:300])
            return
        if first is None:
            out(type="timeout", name=label, seconds=timeout)
            if in_process:
                os._exit(3)  # the query cannot be stopped in this process: the orchestrator restarts us
            return
        rows.append(first[1])
    spent = 0.0
    for _ in range(reps):
        for q in inst:
            dt, _n = timed(run_one, q)
            times.append(dt)
            spent += dt
        if spent > budget:
            break
    out(
        type="query",
        name=label,
        rows=rows,
        n=len(times),
        median=statistics.median(times),
        p95=sorted(times)[max(0, round(0.95 * len(times)) - 1)],
        mean=statistics.fmean(times),
    )


def measure(
    out: Out, label: str, inst: list[Query], run_one, reps: int, timeout: float, budget: float, engine
) -> None:
    """Pure-Python engines (rdflib) measure in a forked child sharing the loaded graph copy-on-write, so a
    query past its limit is ended by killing the child and the graph need not be loaded again."""
    engine.settle()
    out(type="start", name=label)
    if not getattr(engine, "forkable", False):
        _measure(out, label, inst, run_one, reps, timeout, budget, engine.in_process)
        return
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _measure(out, label, inst, run_one, reps, timeout, budget, False)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    deadline = time.monotonic() + timeout * (len(inst) + 1) + budget + 5
    while time.monotonic() < deadline:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    out(type="timeout", name=label, seconds=timeout)


def throughput(
    out: Out, engine, mix: list[list[Query]], clients: int, seconds: float, names: set[str]
) -> None:
    """`clients` threads, each with its own connection, looping over the queries in `names`: those the
    baseline answered under --tp-max (a query that takes seconds alone would only measure itself)."""
    cq = [q for inst in mix for q in inst if q.name in names]
    if not cq:
        out(type="throughput", clients=clients, seconds=0, queries=0, errors=0, qps=0.0, mix=[])
        return
    done = [0] * clients
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def loop(i: int) -> None:
        run = engine.client()
        order = cq[:]
        random.Random(i).shuffle(order)
        k = 0
        while time.perf_counter() < stop:
            q = order[k % len(order)]
            k += 1
            try:
                for text in q.texts:
                    run(text, q.form)
                done[i] += 1
            except Exception:  # noqa: BLE001 - counted
                errors[i] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out(
        type="throughput",
        clients=clients,
        seconds=wall,
        queries=sum(done),
        errors=sum(errors),
        qps=sum(done) / wall,
        mix=sorted(names),
    )


def _self_mb(engine) -> float:
    """Our peak RSS; for a forking engine also its children's (they hold the same graph plus the query)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(self_peak_mb(), children if getattr(engine, "forkable", False) else 0)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--mix", type=Path, required=True, help="bound query mix (bench.mix.dump)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--per-query", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--budget", type=float, default=5)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--throughput", type=float, default=0)
    ap.add_argument("--skip", default="")
    ap.add_argument(
        "--tp-max", type=float, default=1.0, help="throughput mix: queries with a median below this"
    )
    ap.add_argument("--tp-names", default="", help="throughput mix: these queries (from the baseline's run)")
    a = ap.parse_args(argv)
    # the orchestrator stops a worker past its wall limit with SIGTERM: exit through `finally` so the
    # engine's server (Virtuoso, bomay serve) is stopped with it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(4))
    out = Out(a.out)
    skip = set(filter(None, a.skip.split(",")))
    engine = make(a.engine, a.workdir, int(a.timeout))
    with TreeSampler(engine.server_pid) as sampler:
        try:
            if "load" not in skip:
                t = time.perf_counter()
                engine.load(a.data / "data.nq")
                out(
                    type="load",
                    seconds=time.perf_counter() - t,
                    self_mb=self_peak_mb(),
                    server_mb=sampler.peak_mb,
                )
            else:
                engine.load(a.data / "data.nq")
            if isinstance(engine, Http) and "restart" not in skip:
                out(type="restart", **engine.restart())
            mix = load_json(a.mix)
            run = engine.client()
            # the competency questions, then throughput (so an engine stopped at its wall limit still has
            # it), then REST lookups, search and export
            ordered = [i for i in mix if i[0].cq] + [None] + [i for i in mix if not i[0].cq]
            for inst in ordered:
                if inst is None:
                    if a.throughput and "throughput" not in skip:
                        fast = set(filter(None, a.tp_names.split(","))) or {
                            r["name"]
                            for r in _records(a.out)
                            if r["type"] == "query" and r["median"] < a.tp_max
                        }
                        engine.settle()
                        out(type="start", name="throughput")
                        throughput(out, engine, mix, a.clients, a.throughput, fast)
                    continue
                name = inst[0].name
                if name in skip:
                    continue
                measure(
                    out,
                    name,
                    inst,
                    lambda q: sum(run(t, q.form) for t in q.texts),
                    a.reps,
                    a.timeout,
                    a.budget,
                    engine,
                )
                out(type="memory", self_mb=_self_mb(engine), server_mb=sampler.peak_mb)
                if isinstance(engine, Http) and inst[0].rest and f"{name} (REST)" not in skip:
                    get = engine.rest_client()
                    measure(
                        out,
                        f"{name} (REST)",
                        inst,
                        lambda q, get=get: get(q.rest),
                        a.reps,
                        a.timeout,
                        a.budget,
                        engine,
                    )
        finally:
            out(type="memory", self_mb=_self_mb(engine), server_mb=sampler.peak_mb)
            engine.close()


if __name__ == "__main__":
    main()
