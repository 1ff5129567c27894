"""What a route needs of the running service, as FastAPI dependencies: the validated settings, the engine
every query and write goes through, the store, the ingest pool, and who may write.

Routes declare them (`settings: SettingsDep`, `dependencies=[Depends(require_writer)]`) instead of
reaching into `request.app.state`, so `/docs` shows who may call what and a test may override any of them
(`app.dependency_overrides`); helpers that are handed the request read the same functions."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from api.config import Settings
from api.engine import WorkerPool
from api.errors import ApiError
from api.ingest_pool import IngestPool
from api.remote_engine import RemoteEngine
from graph.store import Store


def get_settings(request: Request) -> Settings:
    """The settings `create_app` checked at start."""
    return request.app.state.settings


def get_engine(request: Request) -> WorkerPool | RemoteEngine:
    """The query workers (embedded store) or the remote engine: every query and write goes through it."""
    return request.app.state.engine


def get_store(request: Request) -> Store:
    """The server's one read-write store (writes, and what the engine hands to a write)."""
    return request.app.state.store


def get_ingest(request: Request) -> IngestPool | None:
    """The ingest processes, or None when articles are built in a thread of this process."""
    return getattr(request.app.state, "ingest", None)


def client_host(request: Request) -> str | None:
    """The remote address a request is counted under (fair share between clients)."""
    return request.client.host if request.client else None


def require_writer(settings: Annotated[Settings, Depends(get_settings)], request: Request) -> None:
    """Article writes need `Authorization: Bearer <BOMAY_TOKEN>`; they are off (503) without a token."""
    expected = settings.token
    if not expected:
        raise ApiError(
            503,
            "writes_disabled",
            "Chức năng ghi đang tắt: quản trị viên chưa đặt BOMAY_TOKEN. / "
            "Writes are disabled: no BOMAY_TOKEN configured.",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "missing_token",
            "Cần 'Authorization: Bearer <token>'. / Bearer token required.",
            {"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(403, "bad_token", "Token không đúng. / Wrong token.")


def require_reviewer(settings: Annotated[Settings, Depends(get_settings)], request: Request) -> str:
    """The reviewer's name for the request's bearer token (BOMAY_REVIEW_TOKENS, never BOMAY_TOKEN);
    reviews are off (503) when no reviewer is configured."""
    tokens: dict[str, str] = settings.review_tokens
    if not tokens:
        raise ApiError(503, "reviews_disabled",
                       "Chức năng duyệt đang tắt: chưa đặt BOMAY_REVIEW_TOKENS. / Reviews are disabled.")
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        raise ApiError(401, "missing_token", "Cần token người duyệt. / Reviewer bearer token required.",
                       {"WWW-Authenticate": "Bearer"})
    given = auth[7:].strip().encode()
    name = None
    for token, who in tokens.items():
        if hmac.compare_digest(given, token.encode()):
            name = who
    if name is None:
        raise ApiError(403, "bad_token", "Token người duyệt không đúng. / Not a reviewer token.")
    return name


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[WorkerPool | RemoteEngine, Depends(get_engine)]
StoreDep = Annotated[Store, Depends(get_store)]
IngestDep = Annotated[IngestPool | None, Depends(get_ingest)]
Reviewer = Annotated[str, Depends(require_reviewer)]
