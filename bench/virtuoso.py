"""A throw-away Virtuoso server: its own temp database, free loopback ports, stopped after.

One launcher for the tests (tests/conftest.py: the remote store's server, small buffers) and the bench
(bench/engines.py: bulk loader, buffers sized per size; the figure goes in the report so the memory
column can be read against it). They differ only in their `Tuning`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
VSP_DIR = "/var/lib/virtuoso-opensource-7/vsp"
BUFFERS = 170_000  # ~1.3 GB of 8 KB pages at most, Virtuoso's own advice for a 2 GB budget (size M)
BUFFERS_ENV = "BOMAY_BENCH_VIRTUOSO_BUFFERS"  # bench/run.py sets it per size (L: 8 GB worth)

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = {t.checkpoint}
CaseMode = 2
DirsAllowed = {dirs}
NumberOfBuffers = {t.buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = {t.query_mem}
ThreadsPerQuery = {t.threads_per_query}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = {t.threads}
MaxClientConnections = {t.threads}
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {t.max_rows}
MaxQueryExecutionTime = {t.timeout}
MaxQueryCostEstimationTime = {t.cost_estimation}
"""


@dataclass(frozen=True)
class Tuning:
    """The virtuoso.ini figures that differ between a test server and a bench server."""

    buffers: int = 40_000  # NumberOfBuffers, 8 KB pages (the gazetteer twice, union graph included, fits)
    query_mem: str = "500M"
    checkpoint: int = 60  # minutes; 0 = only when asked (the bulk loader does)
    threads: int = 10
    threads_per_query: int = 2
    max_rows: int = 1_000_000
    timeout: int = 120  # MaxQueryExecutionTime, seconds
    # MaxQueryCostEstimationTime, seconds; 0 = no estimate-based refusal. Off: Virtuoso's estimate for
    # the competency queries over the union graph swings past any fixed limit from one load to the next
    # although they answer at once; MaxQueryExecutionTime still stops what really runs long.
    cost_estimation: int = 0


def buffers() -> int:
    """NumberOfBuffers for a bench run: the size's setting when bench/run.py gave one."""
    return int(os.environ.get(BUFFERS_ENV) or BUFFERS)


def bench_tuning(timeout: int = 60) -> Tuning:
    """The bench's server: buffers per size, no checkpoints but the loader's, no row or cost limit."""
    return Tuning(buffers=buffers(), query_mem="1G", checkpoint=0, threads=16, max_rows=10_000_000,
                  timeout=timeout, cost_estimation=0)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Virtuoso:
    """`with Virtuoso(tmp) as v:` → v.sparql_url, v.update_url, v.gsp_url, v.user, v.password; with a
    `data_dir` the bulk loader may read files there (`v.load(path)`)."""

    user = "dba"
    password = "dba"  # a fresh database's default; the server only listens on loopback

    def __init__(self, directory: Path, data_dir: Path | None = None, tuning: Tuning | None = None) -> None:
        self.dir = Path(directory)
        self.data_dir = Path(data_dir) if data_dir else None
        self.tuning = tuning or Tuning()
        self.proc: subprocess.Popen | None = None
        self.sql_port = self.http_port = 0
        self._log = None

    def start(self, wait: float = 60.0) -> Virtuoso:
        if VIRTUOSO is None:
            raise RuntimeError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        dirs = ", ".join([".", VAD_DIR, *([str(self.data_dir)] if self.data_dir else [])])
        ini = self.dir / "virtuoso.ini"
        ini.write_text(INI.format(d=self.dir, sql_port=self.sql_port, http_port=self.http_port, dirs=dirs,
                                  vsp=VSP_DIR, t=self.tuning, dirty=self.tuning.buffers * 3 // 4))
        self._log = open(self.dir / "stdout.txt", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.dir, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while not (_listening(self.http_port) and _listening(self.sql_port)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "stdout.txt").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"Virtuoso did not start:\n{log}")
            time.sleep(0.2)
        return self

    def isql(self, *statements: str) -> str:
        """Run SQL statements through isql; RuntimeError with its output when one fails."""
        if ISQL is None:
            raise RuntimeError("isql-vt is not installed (apt-get install virtuoso-opensource)")
        script = "".join(s.rstrip(";") + ";\n" for s in statements)
        out = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", self.user, self.password],
            input=script, text=True, capture_output=True, timeout=3600,
        )
        if out.returncode != 0 or "*** Error" in out.stdout:
            raise RuntimeError(f"isql failed: {out.stdout[-1500:]} {out.stderr[-500:]}")
        return out.stdout

    def load(self, nquads: Path, graph: str = "urn:bomay:bench:default") -> None:
        """The bulk loader (ld_dir + rdf_loader_run) on one file under `data_dir`: N-Quads keep their
        graphs, triples go to `graph`."""
        self.isql(f"ld_dir('{nquads.parent}', '{nquads.name}', '{graph}')", "rdf_loader_run()", "checkpoint")
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL")
        if "0 Rows" not in errors:
            raise RuntimeError(f"Virtuoso loader errors: {errors[-1500:]}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def env(self) -> dict[str, str]:
        """BOMAY_SPARQL_* variables that point `graph.open_store()` at this server."""
        return {
            "BOMAY_SPARQL_URL": self.sparql_url,
            "BOMAY_SPARQL_UPDATE_URL": self.update_url,
            "BOMAY_SPARQL_GSP_URL": self.gsp_url,
            "BOMAY_SPARQL_GSP_PARAM": "graph-uri",
            "BOMAY_SPARQL_USER": self.user,
            "BOMAY_SPARQL_PASSWORD": self.password,
            "BOMAY_SPARQL_AUTH": "digest",
        }

    def stop(self) -> None:
        """Stop the server we started (its own process group) and close its log."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Virtuoso:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
