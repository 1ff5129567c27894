"""FastAPI application factory: wires the store, the query workers and the routers together."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

from api import errors, headlimit, logs, search_index
from api.config import Settings, SettingsError
from api.deps import EngineDep, StoreDep
from api.engine import WorkerPool
from api.ingest_pool import IngestPool
from api.middleware import BodyLimit, ClientLimit

DESCRIPTION = """
Đồ thị tri thức về các mô hình thí điểm sắp xếp tổ chức bộ máy hệ thống chính trị (Nghị quyết 18-NQ/TW),
trích xuất từ báo chí tiếng Việt. / Knowledge graph of Vietnam's political-system restructuring pilots.

* `/sparql` — SPARQL 1.1 Protocol (read-only; default graph = union of all named graphs).
* `/api/...` — REST, each endpoint one named SPARQL query (`graph/queries/api_*.rq`); JSON by default,
  JSON-LD with `Accept: application/ld+json`, CSV with a `.csv` suffix; `Link` pagination.
* `/explore` — interactive explorer. Writes need `Authorization: Bearer <BOMAY_TOKEN>`.
"""


class Health(BaseModel):
    """Answer of /health."""

    status: str
    store: str
    graphs: int
    articles: int
    writes_enabled: bool
    query_timeout_s: float
    result_limit: int
    worker_restarts: int


def _warm_ingest(ingest: IngestPool | None, writes: bool) -> None:
    """Pay at start what the first POST would: the ingest workers' start-up, or, validating in threads,
    the pipeline's own (lexicons, gazetteer, shapes); the store write's imports either way."""
    if not writes:
        return
    import graph.ingest  # noqa: F401

    if ingest is None or not ingest.start():
        from api.ingest_pool import warm

        warm()


async def _aclose(engine: Any) -> None:
    """Close what an engine holds on the event loop (the remote engine's HTTP client)."""
    aclose = getattr(engine, "aclose", None)
    if aclose is not None:
        await aclose()


def create_app(store_path: str | None = None, token: str | None = None, **overrides: Any) -> FastAPI:
    """Build the app; arguments override the BOMAY_* environment (see api.config.Settings).

    A bad setting stops the process here with one line on stderr and exit code 2, before anything
    starts: uvicorn's factory loader would print a traceback for it (it reports only TypeErrors itself).
    """
    try:
        settings = Settings.from_env(store_path=store_path, token=token, **overrides)
    except SettingsError as e:
        print(f"bomay: cấu hình sai / bad setting: {e}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    headlimit.install()  # uvicorn's httptools protocol: request heads bounded (api/headlimit.py)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from graph.store import open_store

        store = open_store(settings.store_path)
        pool: Any
        if store.kind == "remote":  # a SPARQL server holds the data: queries go to it over HTTP
            from api.remote_engine import RemoteEngine

            pool = RemoteEngine(store, settings.query_timeout, settings.result_limit,
                                max_bytes=settings.max_answer_bytes)
        else:
            pool = WorkerPool(
                store,
                settings.workers,
                settings.query_timeout,
                settings.result_limit,
                deny_network=not settings.service_allow,
                max_bytes=settings.max_answer_bytes,
            )
        ingest = IngestPool(settings.ingest_workers) if settings.token and settings.ingest_workers else None
        search_index.start(app, store)
        started = await asyncio.gather(
            pool.start(),
            asyncio.to_thread(_warm_ingest, ingest, bool(settings.token)),
            return_exceptions=True,
        )
        failed = next((r for r in started if isinstance(r, BaseException)), None)
        if failed is not None:
            if ingest is not None:
                ingest.close()
            pool.close()
            await _aclose(pool)
            await search_index.stop(app)
            store.close()
            raise failed
        app.state.store, app.state.engine = store, pool
        app.state.ingest = ingest if ingest is not None and ingest.running else None
        try:
            yield
        finally:
            if ingest is not None:
                ingest.close()
            pool.close()
            await _aclose(pool)
            await search_index.stop(app)
            store.close()

    # FastAPI's own /docs and /redoc load their scripts from a CDN; api/docs.py serves local ones
    app = FastAPI(
        title="Bộ Máy KG", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app)

    from api import articles, docs, editor, explore, exports, named, rest, reviews, sparql

    app.include_router(sparql.router)
    app.include_router(rest.router)
    app.include_router(named.router)
    app.include_router(articles.router)
    app.include_router(reviews.router)
    app.include_router(exports.router)
    app.include_router(explore.router)
    app.include_router(docs.router)
    app.include_router(editor.router)

    @app.get("/health", response_model=Health, tags=["Service"], summary="Tình trạng dịch vụ / health")
    async def health(engine: EngineDep, store: StoreDep) -> Health:
        """Liveness plus what the operator configured."""
        counts = engine.graph_counts()
        return Health(
            status="ok",
            store=str(getattr(store, "path", None) or getattr(store, "query_url", "")),
            graphs=len(counts),
            articles=sum(1 for g in counts if "/graph/article/" in g),
            writes_enabled=bool(settings.token),
            query_timeout_s=settings.query_timeout,
            result_limit=settings.result_limit,
            worker_restarts=engine.restarts,
        )

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        expose_headers=["Link", "X-Total-Count"],
    )
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    app.add_middleware(ClientLimit, per_client=settings.client_concurrency,
                       tokens=[settings.token or "", *settings.review_tokens])
    logs.install(app)  # last added, so outermost: the 413s of BodyLimit are logged too
    return app
