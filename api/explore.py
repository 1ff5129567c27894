"""The explorer page and its static files, all served by this app (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from api import named
from api.errors import ApiError, ErrorBody
from api.rest import resource_iri
from api.reviews import mark, review_states
from api.sparql import run_engine
from graph.palette import palette
from graph.projection import FOCUS_FILTERS, status_label

router = APIRouter(tags=["Explorer"])
STATIC = Path(__file__).resolve().parent / "static"
_FILES = {"explore.js": "text/javascript; charset=utf-8", "explore.css": "text/css; charset=utf-8"}
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@router.get("/", include_in_schema=False)
async def home(request: Request) -> RedirectResponse:
    """The explorer is where a person starts; `/?q=...` keeps its search. A relative target, so the
    redirect stays right behind a proxy that mounts the app under a prefix."""
    query = request.url.query
    return RedirectResponse("explore" + (f"?{query}" if query else ""), status_code=302)


@router.get("/explore", response_class=HTMLResponse, summary="Trang khám phá đồ thị / graph explorer page")
async def explore() -> FileResponse:
    """The single-page explorer; its Content-Security-Policy allows nothing but this app."""
    return FileResponse(
        STATIC / "explore.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    """Explorer script and style sheet."""
    if name not in _FILES:
        raise ApiError(404, "not_found", "Không tìm thấy. / Not found.")
    return FileResponse(STATIC / name, media_type=_FILES[name], headers={"X-Content-Type-Options": "nosniff"})


@router.get("/api/examples", summary="Các câu hỏi năng lực (SPARQL) làm ví dụ / competency-question examples")
async def examples(request: Request) -> JSONResponse:
    """The named CQ queries, for the explorer's SPARQL editor."""
    return JSONResponse({"items": named.competency_questions()})


@router.get(
    "/api/palette", summary="Màu của trang khám phá và các tệp xuất / the explorer's and exports' colours"
)
async def colours() -> JSONResponse:
    """graph/palette.json (one palette for the explorer and every export) with the statuses' labels."""
    body = {k: v for k, v in palette().items() if not k.startswith("_")}
    body["status_labels"] = {key: status_label(key) for key in body["status"]}
    return JSONResponse(body)


_GRAPH_RESPONSES: dict[int | str, dict] = {
    400: {"model": ErrorBody, "description": "Định danh không hợp lệ / invalid identifier"},
    404: {"model": ErrorBody, "description": "Không có dữ liệu / nothing found"},
    503: {"model": ErrorBody, "description": "Quá thời gian / timed out"},
}
_PREFIXES = ("unit/", *FOCUS_FILTERS)


@router.get(
    "/api/graph",
    tags=["Explorer"],
    responses=_GRAPH_RESPONSES,
    summary="Đồ thị lân cận của một tỉnh, mô hình, nơi hoặc văn bản (cho trang khám phá) / the "
    "neighbourhood graph of a province, model, place or document",
)
async def neighbourhood(
    request: Request,
    id: Annotated[
        str,
        Query(
            min_length=3,
            max_length=300,
            description="Phần sau id/: unit/..., model/..., legal/..., article/..., agency/... hoặc "
            "position/...",
        ),
    ],
) -> JSONResponse:
    """Nodes (typed, labelled, a place with all its statuses) and labelled edges around one resource,
    plus its facts, each marked with its review state: graph.projection's projection, in the explorer's
    shape."""
    if not id.startswith(_PREFIXES):
        raise ApiError(
            400,
            "bad_id",
            "id phải bắt đầu bằng unit/, model/, legal/, article/, agency/ hoặc position/. / id must start "
            "with unit/, model/, legal/, article/, agency/ or position/.",
        )
    iri = resource_iri("", id)
    view = await run_engine(request, {"kind": "explore", "focus": id, "iri": iri})
    if not view["facts"]:
        raise ApiError(
            404, "not_found", "Không có dữ kiện thí điểm nào quanh mục này. / No pilot facts here."
        )
    states = await review_states(request)
    for fact in view["facts"]:
        mark(fact, states)  # extracted, confirmed, corrected or added, and by whom: as REST says
    return JSONResponse(view)

