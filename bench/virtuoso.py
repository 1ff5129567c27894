"""A throw-away Virtuoso server for the bench: temp database, free loopback ports, bulk loader, stopped after.

Buffers are sized for this machine's size M (NumberOfBuffers 8 KB pages); the figure goes in the report
so the memory column can be read against it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
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
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {data_dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 16
MaxClientConnections = 16
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def buffers() -> int:
    """NumberOfBuffers for this run: the size's setting when bench/run.py gave one."""
    return int(os.environ.get(BUFFERS_ENV) or BUFFERS)


class Virtuoso:
    """`with Virtuoso(tmp, data_dir) as v: v.load("data.nq"); v.sparql_url`."""

    def __init__(self, directory: Path, data_dir: Path, timeout: int = 60) -> None:
        self.dir, self.data_dir, self.timeout = Path(directory), Path(data_dir), timeout
        self.proc: subprocess.Popen | None = None
        self.sql_port = self.http_port = 0

    def start(self, wait: float = 60.0) -> Virtuoso:
        if VIRTUOSO is None or ISQL is None:
            raise RuntimeError("virtuoso-opensource is not installed")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sql_port = free_port()
        self.http_port = free_port()
        ini = self.dir / "virtuoso.ini"
        ini.write_text(
            INI.format(
                d=self.dir,
                sql_port=self.sql_port,
                http_port=self.http_port,
                data_dir=self.data_dir,
                buffers=buffers(),
                dirty=buffers() * 3 // 4,
                timeout=self.timeout,
            )
        )
        self._log = open(self.dir / "stdout.txt", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.dir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
        script = "".join(s.rstrip(";") + ";\n" for s in statements)
        out = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=script,
            text=True,
            capture_output=True,
            timeout=3600,
        )
        if out.returncode != 0 or "*** Error" in out.stdout:
            raise RuntimeError(f"isql failed: {out.stdout[-1500:]} {out.stderr[-500:]}")
        return out.stdout

    def load(self, nquads: Path, graph: str = "urn:bomay:bench:default") -> None:
        """The bulk loader (ld_dir + rdf_loader_run) on one file: N-Quads keep their graphs, triples go
        to `graph`."""
        self.isql(
            f"ld_dir('{nquads.parent}', '{nquads.name}', '{graph}')",
            "rdf_loader_run()",
            "checkpoint",
        )
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL")
        if "0 Rows" not in errors:
            raise RuntimeError(f"Virtuoso loader errors: {errors[-1500:]}")

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def stop(self) -> None:
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
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Virtuoso:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
