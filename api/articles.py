"""Writes: POST /api/articles extracts, validates and stores one article; DELETE removes it.

Both need `Authorization: Bearer <BOMAY_TOKEN>` (constant-time comparison) and are switched off when
the operator set no token. Extraction and validation run before the write lock is taken, in the ingest
worker processes (api/ingest_pool.py; a thread when there are none), so queries keep flowing and
concurrent POSTs validate in parallel; the write itself is exclusive (see api.engine.WorkerPool.write and
.writing).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from rdflib.namespace import DCTERMS as DCTERMS_NS

from api.errors import ApiError, ErrorBody
from ontology.namespaces import ID, article_graph

router = APIRouter(prefix="/api", tags=["Ghi / Writes"])
_DOC_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")  # no "." or ".." ids
_VI_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


class ArticleIn(BaseModel):
    """JSON form of an article: text (or html) plus optional metadata."""

    text: str | None = Field(None, description="Văn bản bài báo / article text", max_length=5_000_000)
    html: str | None = Field(
        None, description="Hoặc HTML của trang / or the page's HTML", max_length=5_000_000
    )
    id: str | None = Field(
        None,
        description="Định danh (mặc định: băm nội dung) / id (default: content hash)",
        pattern=_DOC_ID.pattern,
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


def require_token(request: Request) -> None:
    """Bearer token check; writes are off (503) when no token is configured."""
    expected = request.app.state.settings.token
    if not expected:
        raise ApiError(
            503,
            "writes_disabled",
            "Chức năng ghi đang tắt: quản trị viên chưa đặt BOMAY_TOKEN. / "
            "Writes are disabled: no BOMAY_TOKEN configured.",
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "missing_token",
            "Cần 'Authorization: Bearer <token>'. / Bearer token required.",
            {"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(403, "bad_token", "Token không đúng. / Wrong token.")


def check_text(text: str) -> str:
    """NFC text, refused when empty, binary or clearly not Vietnamese."""
    if "\x00" in text:
        raise ApiError(400, "binary", "Nội dung có vẻ là nhị phân. / Body looks binary.")
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise ApiError(400, "empty", "Bài báo rỗng. / Empty article.")
    letters = [c for c in text.lower() if c.isalpha()]
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    if controls > len(text) // 100 + 1:
        raise ApiError(400, "binary", "Nội dung có ký tự điều khiển; có vẻ là nhị phân. / Body looks binary.")
    vi = sum(1 for c in letters if c in _VI_LETTERS)
    if len(letters) < 20 or vi < max(3, len(letters) // 50):
        raise ApiError(
            422,
            "not_vietnamese",
            "Văn bản không phải tiếng Việt (hoặc quá ngắn). / Text is not Vietnamese (or too short).",
        )
    return text


async def read_article(request: Request, doc_id: str | None) -> tuple[str, str | None, dict[str, str]]:
    """(text, id, metadata) from a text/plain, text/html or JSON body, read in a thread: decoding,
    HTML parsing and the text checks walk the whole body (up to BOMAY_MAX_BODY), never on the loop."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    return await asyncio.to_thread(parse_article, ctype, raw, doc_id)


def parse_article(ctype: str, raw: bytes, doc_id: str | None) -> tuple[str, str | None, dict[str, str]]:
    """The body of a POST as (text, id, metadata); ApiError (4xx) for anything malformed."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_encoding", "Nội dung không phải UTF-8. / Body is not valid UTF-8.") from None
    meta: dict[str, str] = {}
    if ctype == "application/json":
        data = _article_json(body)
        if (data.text is None) == (data.html is None):
            raise ApiError(400, "bad_json", "Cần đúng một trong 'text' hoặc 'html'. / Give 'text' or 'html'.")
        if data.url is not None:
            check_url(data.url)
        body = data.text if data.text is not None else _html(data.html or "")
        doc_id = data.id or doc_id
        meta = {
            k: v for k, v in (("title", data.title), ("url", data.url), ("published", data.published)) if v
        }
    elif ctype == "text/html":
        body = _html(body)
    elif ctype != "text/plain":
        raise ApiError(
            415,
            "unsupported_media_type",
            "Dùng text/plain, text/html hoặc application/json. / Use "
            "text/plain, text/html or application/json.",
        )
    text = check_text(body)
    return text, doc_id, meta


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


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Void elements never close; these may legally leave their end tag out, so they do not nest.
_FLAT_TAGS = frozenset(
    "area base br col embed hr img input link meta source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rt rp".split()
)
MAX_HTML_DEPTH = 512


def html_depth(raw: str) -> int:
    """Deepest element nesting, counted from the tags alone: cheap enough to run before any parsing.

    A tag runs from `<name` to the next `>`. That next `>` is found once and reused by every `<` before
    it, so the count is linear in the text (a regex looking for the `>` from each `<` was quadratic:
    11 s for 40 KB of `<a`).
    """
    depth = deepest = 0
    pos, gt = 0, -1
    while (lt := raw.find("<", pos)) >= 0:
        if gt < lt:
            gt = raw.find(">", lt)
            if gt < 0:
                break  # no tag closes after this point
        m = _TAG_NAME.match(raw, lt, gt)
        if m is None:
            pos = lt + 1
            continue
        closing, name = m.groups()
        pos = gt + 1
        if raw[gt - 1] == "/" or name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _html(raw: str) -> str:
    from loaders.normalise import html_to_text

    if html_depth(raw) > MAX_HTML_DEPTH:
        raise ApiError(
            400, "bad_html", f"HTML lồng quá sâu (hơn {MAX_HTML_DEPTH} cấp). / HTML nested too deeply."
        )
    return html_to_text(raw)


def build_graph(text: str, doc_id: str, meta: dict[str, str]) -> tuple[dict[str, Any], Any]:
    """Facts and RDF graph of one article (CPU work: call in a thread)."""
    from rdflib import Literal, URIRef

    from loaders.extract import extract_document
    from loaders.normalise import ArticleMeta
    from loaders.rdf import facts_to_graph

    published = meta.get("published") or ""
    given = ArticleMeta(source=meta.get("url"), title=meta.get("title"),
                        date=published[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", published) else None)
    facts = extract_document(text, doc_id, given)  # the outlet and date are province and date signals
    graph = facts_to_graph(facts, text)
    article = URIRef(ID[f"article/{doc_id}"])
    if meta.get("title"):
        graph.set((article, DCTERMS_NS.title, Literal(meta["title"])))
    if meta.get("published") and not given.date:  # a day is written by facts_to_graph as xsd:date
        graph.add((article, DCTERMS_NS.issued, Literal(meta["published"])))
    return facts, graph


def build_and_validate(text: str, doc_id: str, meta: dict[str, str]) -> tuple[dict[str, Any], Any, Any]:
    """Facts, graph and SHACL report of one article, in one trip to a worker thread (all CPU work)."""
    from graph.validation import validate_graph

    facts, graph = build_graph(text, doc_id, meta)
    return facts, graph, validate_graph(graph)


async def build_article(
    request: Request, text: str, doc_id: str, meta: dict[str, str]
) -> tuple[dict[str, Any], bytes, int, Any]:
    """api.ingest_pool.build_payload in the app's ingest worker processes, or in a thread of this one
    when there are none; a worker that dies with the article is a 503 (nothing was written)."""
    from api.ingest_pool import PoolUnavailable, WorkerDied, build_payload

    pool = getattr(request.app.state, "ingest", None)
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
    id: Annotated[
        str | None, Query(pattern=_DOC_ID.pattern, description="Định danh bài báo / article id")
    ] = None,
) -> JSONResponse:
    """Extract, validate and store one article; nothing is written when validation fails."""
    require_token(request)
    text, doc_id, meta = await read_article(request, id)
    doc_id = doc_id or "api_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    facts, body, triples, validation = await build_article(request, text, doc_id, meta)
    from graph.ingest import ingest_ntriples

    iri = str(article_graph(doc_id))
    out = {
        "id": doc_id,
        "graph": iri,
        "stored": False,
        "replaced": False,
        "triples": 0,
        "facts": facts,
        "validation": _report(validation),
    }
    if not validation.conforms:
        return JSONResponse(out, status_code=422)
    store = request.app.state.store
    report = await request.app.state.engine.write((iri,), ingest_ntriples, store, iri, body, triples)
    out.update(stored=report.written, replaced=report.replaced, triples=report.triples)
    return JSONResponse(out, status_code=200 if report.replaced else 201)


@router.delete(
    "/articles/{id}",
    responses={
        200: {"description": "Đã xoá / deleted"},
        404: {"model": ErrorBody, "description": "Không có / not found"},
        **WRITE_ERRORS,
    },
    summary="Xoá một bài báo và mọi dữ kiện của nó / delete an article and its facts",
)
async def delete_article(
    request: Request,
    id: Annotated[str, Path(pattern=_DOC_ID.pattern, description="Định danh bài báo")],
) -> JSONResponse:
    """Drop the article's named graph; other articles' statements stay."""
    require_token(request)
    from graph.ingest import delete_document

    iri = str(article_graph(id))
    async with request.app.state.engine.writing(iri):
        dropped = await asyncio.to_thread(delete_document, request.app.state.store, iri)
    if not dropped:
        raise ApiError(404, "not_found", f"Không có bài báo '{id}'. / No such article.")
    return JSONResponse({"id": id, "graph": iri, "deleted": True})
