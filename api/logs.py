"""Structured request logging: one JSON line per HTTP request, and no secret ever written.

`RequestLog` is a pure ASGI middleware. For every HTTP request it writes exactly one line to the
`bomay.request` logger (stderr by default), a JSON object::

    {"ts": "2026-11-22T23:59:01.123Z", "event": "request", "method": "GET", "path": "/sparql",
     "query": "query=...", "status": 200, "duration_ms": 12.3, "bytes": 512, "client": "127.0.0.1"}

Headers are never logged (so neither is `Authorization: Bearer ...`); query-string parameters that
look like credentials (`token=`, `access_token=`, `key=`, ...) are replaced by `***`; and every line,
ours or uvicorn's, goes through `RedactFilter`, which removes `Bearer <anything>` and the operator's
configured secrets (BOMAY_TOKEN) wherever they appear.

Wiring (one line in api.app.create_app, after the other middleware): ``logs.install(app)``, which
also switches off uvicorn's own access line (this one replaces it).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

LOGGER_NAME = "bomay.request"
MASK = "***"
MAX_FIELD = 2000  # longest path / query kept in a line
SECRET_PARAMS = frozenset({
    "token", "access_token", "accesstoken", "api_key", "apikey", "key", "password", "passwd", "secret",
    "auth", "authorization", "bearer", "session", "sig", "signature",
})
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)(\s+|=|:\s*)[A-Za-z0-9._~+/=\-]+")
_MIN_SECRET = 6  # shorter configured "secrets" would mask ordinary words


def redact_query(query: str) -> str:
    """The query string with credential-like parameters masked (order and other values kept)."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [(k, MASK if k.lower().replace("-", "_") in SECRET_PARAMS else v) for k, v in pairs]
    return urlencode(masked, safe="*/:,")[:MAX_FIELD]


@functools.lru_cache(maxsize=256)
def _cached_clean(query: str, secrets: tuple[str, ...]) -> str:
    return scrub(redact_query(query), secrets)


def _clean_query(query: str, secrets: tuple[str, ...]) -> str:
    """`redact_query` then `scrub`, remembered for short query strings: clients repeat the same
    requests, and parsing and re-encoding the query string was a third of the log line's cost."""
    if len(query) > 2000:
        return scrub(redact_query(query), secrets)
    return _cached_clean(query, secrets)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with `Bearer xyz`-like credentials and each configured secret replaced by ***."""
    out = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            out = out.replace(secret, MASK)
    return out


class RedactFilter(logging.Filter):
    """Rewrites each record's message with `scrub`, so no handler can print a token."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments are scrubbed one by one and kept as a tuple: uvicorn's access formatter unpacks them.
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a, self.secrets) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v, self.secrets) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg, self.secrets)
        return True


def request_logger(stream: Any = None) -> logging.Logger:
    """The `bomay.request` logger, given a plain stderr handler the first time (idempotent).

    It does not propagate, so the line is printed once whatever the root or uvicorn logging config is.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _client(scope: dict) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class RequestLog:
    """ASGI middleware: one JSON line per HTTP request (method, path, status, duration), secrets masked."""

    def __init__(self, app: Any, secrets: Iterable[str] = (), logger: logging.Logger | None = None) -> None:
        self.app = app
        self.secrets = tuple(s for s in secrets if s)
        self.logger = logger or request_logger()
        if not any(isinstance(f, RedactFilter) for f in self.logger.filters):
            self.logger.addFilter(RedactFilter(self.secrets))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        sent = 0
        logged = False

        async def watch(message: dict) -> None:
            nonlocal status, sent, logged
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
                if not message.get("more_body", False) and not logged:
                    # Written before the last chunk goes out: a client holding the whole answer can
                    # already find its line (uvicorn on httptools answers faster than a log write).
                    logged = True
                    self.log(scope, status, (time.perf_counter() - start) * 1000, sent)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not logged:
                self.log(scope, status, (time.perf_counter() - start) * 1000, sent)

    def log(self, scope: dict, status: int, ms: float, sent: int) -> None:
        raw_qs = scope.get("query_string", b"")
        raw = raw_qs.decode("latin-1") if isinstance(raw_qs, bytes) else str(raw_qs)
        query = _clean_query(raw, self.secrets)
        line = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event": "request",
            "method": scope.get("method"),
            "path": scrub(str(scope.get("path", ""))[:MAX_FIELD], self.secrets),
            "query": query,
            "status": status,
            "duration_ms": round(ms, 1),
            "bytes": sent,
            "client": _client(scope),
        }
        self.logger.info(json.dumps(line, ensure_ascii=False))


def install(app: Any, secrets: Iterable[str] | None = None) -> None:
    """Add `RequestLog` to a FastAPI/Starlette app (in place of uvicorn's access line) and mask secrets
    in uvicorn's other log lines too.

    `secrets` defaults to the app's configured token (`app.state.settings.token`).
    """
    if secrets is None:
        token = getattr(getattr(getattr(app, "state", None), "settings", None), "token", None)
        secrets = (token,) if token else ()
    secrets = tuple(s for s in secrets if s)
    app.add_middleware(RequestLog, secrets=secrets)
    # RequestLog's line is the one line per request: uvicorn's access line would only repeat it, at
    # ~0.2 ms of server CPU per request (measured on GET /sparql ASK {}).
    logging.getLogger("uvicorn.access").disabled = True
    redact = RedactFilter(secrets)
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "bomay.api"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(redact)
