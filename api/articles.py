"""Writes: POST /api/articles extracts, validates and stores one article; DELETE removes it.

Both need `Authorization: Bearer <BOMAY_TOKEN>` (constant-time comparison) and are switched off when
the operator set no token. The body's decoding, the text checks, extraction and validation are the
article pipeline's (api/pipeline.py), the same as the CLI's; here they become HTTP answers. Extraction and
validation run before the write lock is taken, in the ingest worker processes (api/ingest_pool.py; a
thread when there are none), so queries keep flowing and concurrent POSTs validate in parallel; the write
itself is exclusive (see api.engine.WorkerPool.write and .writing).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from api import pipeline, search_index
from api.deps import EngineDep, IngestDep, StoreDep, require_writer
from api.errors import ApiError, ErrorBody
from api.ingest_pool import IngestPool, PoolUnavailable, WorkerDied, build_payload
from api.pipeline import DOC_ID, ArticleRefused, Meta, ValidatedArticle
from graph.reviews import review_graph
from ontology.namespaces import article_graph

router = APIRouter(prefix="/api", tags=["Ghi / Writes"])

class ArticleIn(BaseModel):
    """JSON form of an article: text (or html) plus optional metadata."""

    text: str | None = Field(None, description="Văn bản bài báo / article text", max_length=5_000_000)
    html: str | None = Field(
        None, description="Hoặc HTML của trang / or the page's HTML", max_length=5_000_000
    )
    id: str | None = Field(
        None,
        description="Định danh (mặc định: băm nội dung) / id (default: content hash)",
        pattern=DOC_ID.pattern,
    )
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40, description="Ngày đăng / publication date")


class ArticleOut(BaseModel):
    """What was stored (or why not)."""

    id: str
    graph: str
    stored: bool
    replaced: bool
    triples: int
    facts: dict[str, Any]
    validation: dict[str, Any]
    duplicate_of: list[str] = Field(
        default_factory=list,
        description="Bài cùng văn bản đã lưu dưới định danh khác / stored articles with the same text",
    )
    warning: str | None = None


WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Nội dung không hợp lệ / bad body"},
    401: {"model": ErrorBody, "description": "Thiếu token / missing bearer token"},
    403: {"model": ErrorBody, "description": "Token sai / wrong token"},
    413: {"model": ErrorBody, "description": "Quá lớn / too large"},
    415: {"model": ErrorBody, "description": "Content-Type không hỗ trợ / unsupported media type"},
    422: {"model": ErrorBody, "description": "Không qua kiểm tra SHACL hoặc không phải tiếng Việt / invalid"},
    503: {
        "model": ErrorBody,
        "description": "Chức năng ghi đang tắt (chưa cấu hình BOMAY_TOKEN), hoặc tiến trình kiểm tra dừng "
        "bất thường: gửi lại / writes off, or the validation worker died: retry",
    },
}


def refused(e: ArticleRefused) -> ApiError:
    """The pipeline's refusal as an HTTP answer (its status, code and message)."""
    return ApiError(e.status, e.code, e.message)


async def read_article(request: Request, doc_id: str | None) -> tuple[str, str | None, Meta]:
    """(text, id, metadata) from a text/plain, text/html or JSON body, read in a thread: decoding,
    HTML parsing and the text checks walk the whole body (up to BOMAY_MAX_BODY), never on the loop."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    return await asyncio.to_thread(parse_article, ctype, raw, doc_id)


def parse_article(ctype: str, raw: bytes, doc_id: str | None) -> tuple[str, str | None, Meta]:
    """The body of a POST as (text, id, metadata); ApiError (4xx) for anything malformed."""
    try:
        if ctype == "application/json":
            data = _article_json(pipeline.decode_utf8(raw))
            if (data.text is None) == (data.html is None):
                raise ApiError(400, "bad_json", "Cần đúng một trong 'text' hoặc 'html'. / "
                                                "Give 'text' or 'html'.")
            if data.url is not None:
                check_url(data.url)
            body = data.text if data.text is not None else pipeline.html_text(data.html or "")
            return pipeline.check_text(body), data.id or doc_id, Meta(data.title, data.url, data.published)
        if ctype not in ("text/plain", "text/html"):
            raise ApiError(
                415,
                "unsupported_media_type",
                "Dùng text/plain, text/html hoặc application/json. / Use "
                "text/plain, text/html or application/json.",
            )
        return pipeline.decode(raw, ctype), doc_id, Meta()
    except ArticleRefused as e:
        raise refused(e) from None


def _article_json(body: str) -> ArticleIn:
    """The JSON body as an ArticleIn; the 400 names the field and the rule, never a class."""
    try:
        payload = json.loads(body)
    except ValueError as e:  # JSONDecodeError
        raise ApiError(400, "bad_json", f"JSON không hợp lệ / invalid JSON: {str(e)[:200]}") from None
    except RecursionError:
        raise ApiError(400, "bad_json", "JSON lồng quá sâu. / JSON nested too deeply.") from None
    try:
        return ArticleIn.model_validate(payload)
    except ValidationError as e:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in e.errors()[:5]
        )
        raise ApiError(400, "bad_json", f"JSON không hợp lệ / invalid JSON: {fields[:300]}") from None


_URL_BAD_CHARS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_URL_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def check_url(url: str) -> None:
    """Refuse (400) a source URL that is not an absolute http(s) URL fit for an IRI: the article's
    provenance is written as one, and a bad one used to fail deep in the RDF step as a 500."""
    problem = None
    if not re.match(r"(?i)https?://", url):
        problem = "cần http:// hoặc https:// / must start with http:// or https://"
    elif _URL_BAD_CHARS.search(url):
        problem = "có ký tự không được phép (khoảng trắng, <>\"{}|\\^`) / holds a character URLs may not"
    elif _URL_BAD_PERCENT.search(url):
        problem = "mã % sai / a % not followed by two hex digits"
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 — raises ValueError on a bad port
            if not parts.hostname:
                problem = "thiếu tên máy / no host"
        except ValueError:
            problem = "không đọc được tên máy hoặc cổng / host or port unreadable"
    if problem:
        raise ApiError(400, "bad_url", f"URL không hợp lệ: {problem}. / Invalid url.")


async def build_article(pool: IngestPool | None, text: str, doc_id: str, meta: Meta) -> ValidatedArticle:
    """api.ingest_pool.build_payload in the app's ingest worker processes, or in a thread of this one
    when there are none; a worker that dies with the article is a 503 (nothing was written)."""
    if pool is not None:
        try:
            return await pool.run(text, doc_id, meta)
        except PoolUnavailable:
            pass
        except WorkerDied:
            raise ApiError(
                503,
                "ingest_worker_died",
                "Tiến trình trích xuất và kiểm tra bài báo đã dừng bất thường; chưa có gì được lưu, hãy gửi "
                "lại. / The extraction and validation worker died; nothing was stored, please retry.",
                {"Retry-After": "1"},
            ) from None
    return await asyncio.to_thread(build_payload, text, doc_id, meta)


def write_article(store: Any, article: ValidatedArticle) -> tuple[Any, list[str]]:
    """Under the write lock: the other ids holding the same text (looked up first, so two concurrent
    copies see each other), then the write."""
    from graph.ingest import ingest_ntriples, same_text

    copies = [i for i in same_text(store, article.text_hash) if i != article.doc_id]
    return ingest_ntriples(store, article.iri, article.ntriples, article.triples), copies


def _report(validation: Any) -> dict[str, Any]:
    return {
        "conforms": bool(validation.conforms),
        "results": list(validation.results)[:50],
        "skipped": validation.skipped,
    }


@router.post(
    "/articles",
    status_code=201,
    response_model=ArticleOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(require_writer)],
    summary="Thêm một bài báo: trích xuất, kiểm tra SHACL, lưu / extract, validate and store one article",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": ArticleIn.model_json_schema()},
            },
        }
    },
)
async def post_article(
    request: Request,
    engine: EngineDep,
    store: StoreDep,
    ingest: IngestDep,
    id: Annotated[
        str | None, Query(pattern=DOC_ID.pattern, description="Định danh bài báo / article id")
    ] = None,
) -> JSONResponse:
    """Extract, validate and store one article; nothing is written when validation fails."""
    text, given, meta = await read_article(request, id)
    try:
        doc_id = pipeline.article_id(text, given)
    except ArticleRefused as e:
        raise refused(e) from None
    article = await build_article(ingest, text, doc_id, meta)
    out = {
        "id": doc_id,
        "graph": article.iri,
        "stored": False,
        "replaced": False,
        "triples": 0,
        "facts": article.facts,
        "validation": _report(article.validation),
        "duplicate_of": [],
        "warning": None,
    }
    if not article.validation.conforms:
        return JSONResponse(out, status_code=422)
    graphs = (article.iri, review_graph(article.doc_id))  # its reviews are re-attached in the same write
    report, copies = await engine.write(graphs, write_article, store, article)
    await search_index.refresh(request.app, *graphs)
    out.update(stored=report.written, replaced=report.replaced, triples=report.triples, duplicate_of=copies)
    if copies:
        out["warning"] = (
            f"Văn bản này đã có dưới định danh {', '.join(copies)}: các sự kiện của nó nay được đếm "
            f"{len(copies) + 1} lần. / The same text is stored as {', '.join(copies)}: its events now count "
            f"{len(copies) + 1} times."
        )
    return JSONResponse(out, status_code=200 if report.replaced else 201)


@router.delete(
    "/articles/{id}",
    responses={
        200: {"description": "Đã xoá / deleted"},
        404: {"model": ErrorBody, "description": "Không có / not found"},
        **WRITE_ERRORS,
    },
    dependencies=[Depends(require_writer)],
    summary="Xoá một bài báo và mọi dữ kiện của nó / delete an article and its facts",
)
async def delete_article(
    request: Request,
    engine: EngineDep,
    store: StoreDep,
    id: Annotated[str, Path(pattern=DOC_ID.pattern, description="Định danh bài báo")],
) -> JSONResponse:
    """Drop the article's named graph; other articles' statements stay."""
    from graph.ingest import delete_document

    iri = str(article_graph(id))
    async with engine.writing(iri, review_graph(id)):  # reviews kept, unattached
        dropped = await asyncio.to_thread(delete_document, store, iri)
    await search_index.refresh(request.app, iri, review_graph(id))
    if not dropped:
        raise ApiError(404, "not_found", f"Không có bài báo '{id}'. / No such article.")
    return JSONResponse({"id": id, "graph": iri, "deleted": True})
