"""ASGI middleware: the request body cap and the per-client limit on requests in flight."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from typing import Any

from api.errors import error_response

log = logging.getLogger("bomay.api")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies above `max_body` bytes with 413, by header or while streaming."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_body
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(send)
                    return
        seen = 0
        started = False

        async def counted_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        async def tracked_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Any) -> None:
        message = (f"Nội dung yêu cầu vượt quá {self.max_body} byte. / Request body exceeds "
                   f"{self.max_body} bytes.")
        await error_response(413, "body_too_large", message)({"type": "http"}, _nothing, send)


async def _nothing() -> dict:
    return {"type": "http.disconnect"}


# Paths answered whatever a client has in flight: liveness must stay visible under abuse.
UNLIMITED_PATHS = frozenset({"/health"})


class ClientLimit:
    """At most `per_client` requests in flight per remote address, and one for a suspect (a client whose
    query lately ran into the time limit or crashed its worker: WorkerPool.suspect); past that, 429 with
    Retry-After. One client opening many connections cannot then fill the query workers' queue ahead of
    everyone else. Requests carrying a valid write or reviewer token are not counted (they are known)."""

    def __init__(self, app: Any, per_client: int, tokens: Iterable[str]) -> None:
        self.app, self.per_client = app, per_client
        self.tokens = [t.encode() for t in tokens if t]
        self.in_flight: dict[str, int] = {}

    def _known(self, scope: dict) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
                return any(hmac.compare_digest(given, t) for t in self.tokens)
        return False

    def _allowed(self, scope: dict, client: str) -> int:
        engine = getattr(getattr(scope.get("app"), "state", None), "engine", None)
        suspect = getattr(engine, "suspect", None)
        return 1 if suspect is not None and suspect(client) else self.per_client

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or not self.per_client or scope.get("path") in UNLIMITED_PATHS
                or self._known(scope)):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        allowed = self._allowed(scope, client)
        held = self.in_flight.get(client, 0)
        if held >= allowed:
            message = (f"Quá nhiều yêu cầu đồng thời từ một máy khách (tối đa {allowed}); thử lại sau. / "
                       f"Too many concurrent requests from one client (at most {allowed}); retry later.")
            refusal = error_response(429, "too_many_requests", message, {"Retry-After": "1"})
            await refusal(scope, receive, send)
            return
        self.in_flight[client] = held + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self.in_flight[client] - 1
            if left:
                self.in_flight[client] = left
            else:
                del self.in_flight[client]
