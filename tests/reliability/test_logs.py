"""One structured line per request (method, path, status, duration) and no token in any log line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

from api import logs
from tests.api.conftest import TOKEN, Server, stop_server
from tests.reliability.conftest import AUTH, seed_text, start_app


def _logger(buf: io.StringIO) -> logging.Logger:
    logger = logging.getLogger(f"bomay.request.test{id(buf)}")
    logger.handlers[:] = [logging.StreamHandler(buf)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


async def _call(mw, path: str, query: bytes = b"", method: str = "GET") -> None:
    scope = {"type": "http", "method": method, "path": path, "query_string": query,
             "headers": [(b"authorization", f"Bearer {TOKEN}".encode())], "client": ("127.0.0.1", 5555)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    try:
        await mw(scope, receive, send)
    except RuntimeError:
        pass


def test_middleware_writes_one_json_line_per_request_without_secrets() -> None:
    async def app(scope, receive, send):
        if scope["path"] == "/boom":
            raise RuntimeError("boom")
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"hello"})

    buf = io.StringIO()
    mw = logs.RequestLog(app, secrets=[TOKEN], logger=_logger(buf))
    asyncio.run(_call(mw, "/api/articles", b"id=x&token=" + TOKEN.encode() + b"&access_token=abc", "POST"))
    asyncio.run(_call(mw, "/boom"))
    asyncio.run(_call(mw, f"/api/articles/{TOKEN}", method="DELETE"))
    lines = buf.getvalue().splitlines()
    assert len(lines) == 3
    first, boom, third = (json.loads(x) for x in lines)
    assert first["method"] == "POST" and first["path"] == "/api/articles" and first["status"] == 201
    assert isinstance(first["duration_ms"], float) and first["bytes"] == 5
    assert first["query"] == "id=x&token=***&access_token=***"
    assert boom["status"] == 500 and boom["path"] == "/boom"
    assert third["path"] == "/api/articles/***"
    assert TOKEN not in buf.getvalue() and "abc" not in buf.getvalue()


def test_redact_filter_scrubs_uvicorn_style_records() -> None:
    buf = io.StringIO()
    logger = _logger(buf)
    logger.addFilter(logs.RedactFilter([TOKEN]))
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", f"/x?token={TOKEN}&q=1", "1.1", 200)
    logger.info("Authorization: Bearer %s", TOKEN)
    logger.info("header was bearer abc.def-ghi")
    out = buf.getvalue()
    assert TOKEN not in out and "abc.def" not in out
    assert "token=***" in out and "200" in out


def start_logged(store: Path, log: Path, factory: str, **env: str) -> Server:
    """A server with another app factory and uvicorn's own access log on (info)."""
    return start_app(store, log, factory, log_level="info", **env)


def exercise(srv: Server) -> int:
    """A mix of requests carrying the token in every place a careless log could pick it up."""
    n = 0
    with srv.client() as c:
        for call in (
            lambda: c.get("/health"),
            lambda: c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}),
            lambda: c.get("/api/mergers", params={"province": "bac ninh"}),
            lambda: c.get("/api/nothing-here"),
            lambda: c.get("/api/search", params={"q": "x", "token": TOKEN}),
            lambda: c.post("/api/articles", content=seed_text(1).encode(),
                           params={"id": "log_doc"}, headers={**AUTH, "Content-Type": "text/plain"}),
            lambda: c.post("/api/articles", content=b"x", headers={"Authorization": "Bearer " + TOKEN + "x",
                                                                   "Content-Type": "text/plain"}),
            lambda: c.delete("/api/articles/log_doc", headers=AUTH),
            lambda: c.get(f"/api/documents/article/{TOKEN}"),
        ):
            call()
            n += 1
    return n


def request_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("event") == "request":
                out.append(data)
    return out


def test_real_server_logs_one_line_per_request_and_never_the_token(seeded_store: Path,
                                                                   tmp_path: Path) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    log = tmp_path / "server.log"
    srv = start_logged(tmp_path / "store", log, "api.app:create_app", BOMAY_TOKEN=TOKEN)
    try:
        start = len(request_lines(log.read_text(errors="replace")))
        n = exercise(srv)
    finally:
        stop_server(srv)
    text = log.read_text(errors="replace")
    lines = request_lines(text)[start:]
    assert len(lines) == n, [(x["method"], x["path"]) for x in lines]
    for x in lines:
        assert {"method", "path", "status", "duration_ms"} <= set(x)
        assert isinstance(x["status"], int) and x["duration_ms"] >= 0
    assert [x["status"] for x in lines][3] == 404
    assert TOKEN not in text, "the token was written to the log"
    assert "GET /health" in text or '"/health"' in text


def test_the_shipped_app_logs_each_request(seeded_store: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(seeded_store, tmp_path / "store")
    log = tmp_path / "server.log"
    srv = start_logged(tmp_path / "store", log, "api.app:create_app", BOMAY_TOKEN=TOKEN)
    try:
        n = exercise(srv)
    finally:
        stop_server(srv)
    text = log.read_text(errors="replace")
    assert len(request_lines(text)) >= n
    assert TOKEN not in text
