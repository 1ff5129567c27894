"""The explorer page and its static files, all served by this app (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from api import named
from api.errors import ApiError, ErrorBody
from api.rest import STATUS_VI, local_id, resource_iri, rows, status_key
from ontology.text import fold

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


_GRAPH_RESPONSES: dict[int | str, dict] = {
    400: {"model": ErrorBody, "description": "Định danh không hợp lệ / invalid identifier"},
    404: {"model": ErrorBody, "description": "Không có dữ liệu / nothing found"},
    503: {"model": ErrorBody, "description": "Quá thời gian / timed out"},
}
_PROVINCE_TYPES = {"province", "central_city"}
_MAX_MODELS = 40


def _node_type_of_component(iri: str) -> str:
    return "position" if "/id/position/" in iri else "agency"


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
            description="Phần sau id/: unit/..., model/..., legal/... hoặc article/...",
        ),
    ],
) -> JSONResponse:
    """Nodes (typed, labelled, with latest status) and labelled edges around one resource, plus its facts."""
    if not id.startswith(("unit/", "model/", "legal/", "article/")):
        raise ApiError(
            400,
            "bad_id",
            "id phải bắt đầu bằng unit/, model/, legal/ hoặc article/. / id must start "
            "with unit/, model/, legal/ or article/.",
        )
    iri = resource_iri("", id)
    if id.startswith("unit/"):
        events = await rows(request, "api_events", place=("iri", iri))
        info = await rows(request, "api_place", place=("iri", iri))
        if info and status_key(info[0].get("type")) in _PROVINCE_TYPES:
            key = fold(info[0].get("name") or info[0].get("label") or "")
            if key:
                events += await rows(request, "api_events", provinceQ=key)
    elif id.startswith("model/"):
        events = await rows(request, "api_events", model=("iri", iri))
    elif id.startswith("legal/"):
        events = await rows(request, "api_events", documentQ=("iri", iri))
    else:
        events = await rows(request, "api_events", articleQ=("iri", iri))
    if not events:
        raise ApiError(
            404, "not_found", "Không có dữ kiện thí điểm nào quanh mục này. / No pilot facts here."
        )
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}

    def node(nid: str | None, label: str | None, ntype: str) -> None:
        if nid and nid not in nodes:
            nodes[nid] = {"id": nid, "label": label or nid.rsplit("/", 1)[-1], "type": ntype, "status": None}

    def edge(src: str | None, dst: str | None, label: str, status: str | None = None) -> None:
        if src and dst:
            edges.setdefault(
                (src, dst, label), {"source": src, "target": dst, "label": label, "status": status}
            )

    facts, seen = [], set()
    for e in sorted(
        events, key=lambda r: (r.get("periodStart") or r.get("when") or "", r.get("event") or "")
    ):
        if e.get("event") in seen:
            continue
        seen.add(e.get("event"))
        status = status_key(e.get("status"))
        label = e.get("statusLabel") or STATUS_VI.get(status or "", status or "")
        node(e["model"], e.get("modelLabel"), status_key(e.get("kind")) or "model")
        node(e["place"], e.get("placeLabel"), "place")
        nodes[e["place"]]["status"] = status
        edges[(e["model"], e["place"], "status")] = {
            "source": e["model"],
            "target": e["place"],
            "status": status,
            "label": f"{label} {e.get('when') or ''}".strip(),
        }
        if e.get("province") and e["province"] != e["place"]:
            node(e["province"], e.get("provinceLabel"), "province")
            edge(e["place"], e["province"], "thuộc")
        if e.get("document"):
            node(e["document"], e.get("documentLabel"), "document")
            edge(e["document"], e["model"], "quyết định")
        facts.append(
            {
                "event": e.get("event"),
                "model": e["model"],
                "model_label": e.get("modelLabel"),
                "place": e["place"],
                "place_label": e.get("placeLabel"),
                "status": status,
                "status_label": label,
                "when": e.get("when"),
                "count": e.get("count"),
                "document": e.get("document"),
                "document_label": e.get("documentLabel"),
                "article_id": local_id(e.get("article"), "article/"),
                "evidence": {"start": e.get("start"), "end": e.get("end"), "text": e.get("exact")},
            }
        )
    models = [n for n, v in nodes.items() if v["type"] in ("merger", "concurrent_position", "other", "model")]
    for m in models[:_MAX_MODELS]:
        for c in await rows(request, "api_components", model=("iri", m)):
            node(c["component"], c.get("componentLabel"), _node_type_of_component(c["component"]))
            edge(m, c["component"], "kết quả" if c.get("role") == "result" else "thành phần")
    if iri in nodes:
        nodes[iri]["focus"] = True
    return JSONResponse(
        {"focus": iri, "nodes": list(nodes.values()), "edges": list(edges.values()), "facts": facts}
    )
