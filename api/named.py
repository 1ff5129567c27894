"""Named SPARQL queries over REST, grlc-style: each paged `graph/queries/*.rq` is `GET /api/queries/<name>`.

The `.rq` header is the contract (graph/named.py): its `# param` lines become the route's typed query
parameters and its OpenAPI entry, `iri(KIND)` parameters accept an IRI, an id or words (graph.resolve,
run on the query workers), and `# paging N` makes it a list cut in SPARQL: each page is the query with
LIMIT/OFFSET and the total a COUNT over it, so a long list never comes back whole.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.errors import ApiError, ErrorBody
from api.resolve import drive
from api.rest import page_response, run_jobs
from graph import named as gn
from graph import resolve as gr

router = APIRouter(prefix="/api", tags=["Named queries"])
MAX_PER_PAGE = 500
_TYPES = {"iri": str, "string": str, "integer": int}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Các dòng của truy vấn (JSON, JSON-LD hoặc CSV) / the query's rows; `Link` và "
        "`X-Total-Count` cho phân trang",
        "content": {"application/json": {}, "application/ld+json": {}, "text/csv": {}},
    },
    422: {"model": ErrorBody, "description": "Tham số không hợp lệ hoặc không khớp gì / invalid parameter"},
    503: {"model": ErrorBody, "description": "Truy vấn quá thời gian / query timed out"},
}


def competency_questions() -> list[dict[str, str]]:
    """The CQ queries (cq*.rq) with their first comment line as title, for the explorer's examples."""
    return [
        {"name": q.name, "title": q.title, "query": q.text}
        for name, q in sorted(gn.named_queries().items())
        if name.startswith("cq")
    ]


def served() -> list[gn.NamedQuery]:
    """The named queries served over REST: those whose header declares `# paging`."""
    return [q for q in gn.named_queries().values() if q.paging]


def _param_doc(p: gn.Param) -> str:
    if p.type == "iri" and p.names:
        return f"{p.doc} — IRI, id hoặc tên / IRI, id or words ({p.names})"
    return p.doc


def _handler(q: gn.NamedQuery) -> Any:
    """The route function of one named query, its signature built from the header for OpenAPI."""

    async def handler(request: Request, **kwargs: Any) -> Response:
        page, per_page = kwargs.pop("page"), kwargs.pop("per_page")
        given = {k: v for k, v in kwargs.items() if v is not None}
        try:
            values = await drive(request, gr.params_steps(q, given))
        except LookupError as e:
            raise ApiError(422, "nothing_matches", f"Không có gì khớp / nothing matches: {e}") from None
        except ValueError as e:
            raise ApiError(422, "invalid_parameter", f"Tham số không hợp lệ / bad parameter: {e}") from None
        rows, count = await run_jobs(
            request,
            [
                {"kind": "rows", "query": gn.page_query(q, values, page, per_page)},
                {"kind": "rows", "query": gn.count_query(q, values)},
            ],
        )
        total = int(count[0].get("total", 0)) if count else 0
        return await page_response(request, rows, total, page, per_page, None, None)

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in q.params:
        kind = _TYPES[p.type]
        params.append(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    kind if p.required else kind | None,
                    Query(description=_param_doc(p), **({"max_length": 300} if kind is str else {})),
                ],
                default=inspect.Parameter.empty if p.required else None,
            )
        )
    params += [
        inspect.Parameter(
            "page",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[int, Query(ge=1, le=100_000, description="Trang (từ 1) / page number")],
            default=1,
        ),
        inspect.Parameter(
            "per_page",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                int, Query(ge=1, le=MAX_PER_PAGE, description="Số dòng mỗi trang / rows per page")
            ],
            default=q.paging,
        ),
    ]
    handler.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    handler.__name__ = f"query_{q.name}"
    handler.__doc__ = q.description or q.title
    return handler


def _describe(q: gn.NamedQuery) -> dict[str, Any]:
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "path": f"/api/queries/{q.name}",
        "paging": q.paging,
        "params": [
            {"name": p.name, "type": p.type, "names": p.names, "required": p.required, "doc": p.doc}
            for p in q.params
        ],
        "query": q.text,
    }


@router.get("/queries", summary="Các truy vấn có tên / the named queries served here, with their parameters")
async def list_queries() -> JSONResponse:
    """Every named query served over REST, with its declared parameters and its SPARQL text."""
    return JSONResponse({"items": [_describe(q) for q in served()]})


for _q in served():
    router.add_api_route(
        f"/queries/{_q.name}",
        _handler(_q),
        methods=["GET"],
        summary=_q.title,
        description=_q.description,
        responses=_RESPONSES,
        response_class=Response,
        name=f"query_{_q.name}",
    )
