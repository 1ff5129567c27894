"""GET /export/{format}: the whole graph or a subgraph, in RDF or graph-visualisation formats.

Every export runs in a query worker, under the same time and result limits as queries: whole-graph RDF
dumps straight from the engine, subgraphs and the networkx-based formats through graph.exports.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import SettingsDep
from api.errors import ApiError, ErrorBody
from api.sparql import PREFIX_MAP, run_engine
from graph.exports import ALIASES, FORMATS, RDF_FORMATS, extension, media_type

router = APIRouter(tags=["Export"])


# Định dạng xuất / export format: the names and the CLI's aliases (`nt`, `ttl`, `cyjs`...).
ExportFormat = StrEnum("ExportFormat", {name: name for name in (*FORMATS, *sorted(ALIASES))})


@router.get(
    "/export/{format}",
    summary="Xuất đồ thị hoặc đồ thị con / export the graph or a subgraph",
    responses={
        200: {
            "description": "Tệp xuất / the exported file",
            "content": {media_type(name): {} for name in FORMATS},
        },
        400: {"model": ErrorBody, "description": "Bộ lọc không hợp lệ / bad filter"},
        404: {"model": ErrorBody, "description": "Không có dữ liệu khớp / nothing matches"},
        422: {"model": ErrorBody, "description": "Tham số không hợp lệ hoặc quá lớn / invalid or too large"},
        501: {"model": ErrorBody, "description": "Định dạng chưa có trên máy chủ này / not available here"},
        503: {"model": ErrorBody, "description": "Quá thời gian / timed out"},
    },
)
async def export(
    request: Request,
    settings: SettingsDep,
    format: ExportFormat,
    province: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Chỉ một tỉnh (có hoặc không dấu) / one province"),
    ] = None,
    model: Annotated[
        str | None,
        Query(
            min_length=1, max_length=300, description="Một mô hình: IRI hoặc các từ trong nhãn / one model"
        ),
    ] = None,
    place: Annotated[
        str | None,
        Query(min_length=1, max_length=300, description="Vùng lân cận một đơn vị: tên hoặc IRI / a place"),
    ] = None,
    radius: Annotated[int, Query(ge=0, le=4, description="Bán kính quanh `place` / radius around place")] = 1,
) -> Response:
    """Export the graph (or the subgraph of a province, model or place) in one format."""
    fmt = ALIASES.get(format.value, format.value)
    filtered = any(v is not None for v in (province, model, place))
    if fmt in RDF_FORMATS and not filtered:
        limit = settings.dump_limit
        data, media = await run_engine(
            request, {"kind": "dump", "graph_format": fmt, "prefixes": PREFIX_MAP, "limit": limit}
        )
        return _file(data, media, fmt)
    return await _via_graph_exports(request, fmt, province, model, place, radius)


def _file(data: bytes, media: str, fmt: str) -> Response:
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'inline; filename="bomay.{extension(fmt)}"'}
    )


async def _via_graph_exports(
    request: Request, fmt: str, province: str | None, model: str | None, place: str | None, radius: int
) -> Response:
    """graph.exports in a query worker, filters resolved there (graph.resolve), under the query time and
    result limits like any query: past the time limit the worker is killed and the answer is 503."""
    from api.engine import JobRefused

    export = {"format": fmt, "province": province, "model": model, "place": place,
              "radius": radius if place else None}
    try:
        data, media = await run_engine(request, {"kind": "export", "export": export})
    except JobRefused as e:
        reason, message = e.args
        status = {"nothing_matches": 404, "bad_filter": 400}.get(reason, 501)
        text = {
            404: "Không có dữ liệu khớp bộ lọc / nothing matches",
            400: "Bộ lọc không hợp lệ / bad filter",
            501: "Không xuất được / cannot export",
        }[status]
        raise ApiError(status, reason, f"{text}: {message}") from None
    return _file(data, media, fmt)
