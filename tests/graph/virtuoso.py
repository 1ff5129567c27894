"""A throw-away Virtuoso server for tests: its own temp database, free loopback ports, stopped after."""

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
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
VSP_DIR = "/var/lib/virtuoso-opensource-7/vsp"

_INI = """[Database]
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
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {vad}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 500M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class VirtuosoServer:
    """`with VirtuosoServer(tmpdir) as v:` → v.sparql_url, v.update_url, v.gsp_url, v.user, v.password."""

    user = "dba"
    password = "dba"  # a fresh database's default; the server only listens on loopback

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.proc: subprocess.Popen | None = None
        self.http_port = 0

    def start(self, wait: float = 60.0) -> VirtuosoServer:
        if VIRTUOSO is None:
            raise RuntimeError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
        self.dir.mkdir(parents=True, exist_ok=True)
        sql_port, self.http_port = free_port(), free_port()
        while self.http_port == sql_port:
            self.http_port = free_port()
        ini = self.dir / "virtuoso.ini"
        ini.write_text(_INI.format(d=self.dir, sql_port=sql_port, http_port=self.http_port, vad=VAD_DIR,
                                   vsp=VSP_DIR))
        self._log = open(self.dir / "stdout.txt", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.dir, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while not _listening(self.http_port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "stdout.txt").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"Virtuoso did not start:\n{log}")
            time.sleep(0.2)
        return self

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
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
