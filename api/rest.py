"""REST endpoints: each a thin layer over a named query in graph/queries/api_*.rq.

Values from the client are bound as RDF terms, never spliced into query text as they come: resources
(?place, ?model...) in one `VALUES` row at the head of the query's WHERE group (each term escaped by
graph.terms.sparql_term), filter parameters as pyoxigraph substitutions (see `rows`). Lists are
paginated with `Link` headers; `.json` / `.csv` suffixes and `Accept` choose the format (JSON by
default, JSON-LD with `application/ld+json`, CSV with `text/csv`).
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api import schemas, search_index
from api.errors import ApiError, ErrorBody
from api.jobs import Job
from api.resolve import resolve_optional
from api.reviews import mark, review_states
from api.sparql import PREFIX_MAP, run_engine
from graph.formats import parse_accept
from graph.named import get as get_query
from graph.sparql import bind, set_slice, subquery_where_brace, values_row, where_brace
from graph.terms import IRI
from ontology.namespaces import API, ID
from ontology.text import collation_key, fold

router = APIRouter(prefix="/api", tags=["REST"])
ID_BASE = str(ID)
_LOCAL_ID = re.compile(r"^[A-Za-z0-9._~\-/%]{1,300}$")


class Status(StrEnum):
    """Trạng thái thí điểm / pilot status."""

    continued = "continued"
    researching = "researching"
    planned = "planned"
    implemented = "implemented"
    not_implemented = "not_implemented"
    paused = "paused"
    stopped = "stopped"
    ended = "ended"


class Level(StrEnum):
    """Cấp / level."""

    province = "province"
    district = "district"
    commune = "commune"
    village = "village"


class Kind(StrEnum):
    """Loại mô hình / model kind."""

    merger = "merger"
    concurrent_position = "concurrent_position"
    other = "other"


class DocType(StrEnum):
    """Văn bản pháp lý hay bài báo nguồn / legal document or source article."""

    legal = "legal"
    source = "source"


STATUS_VI = {
    "continued": "tiếp tục",
    "researching": "nghiên cứu",
    "planned": "dự kiến",
    "implemented": "đã thực hiện",
    "not_implemented": "chưa thực hiện",
    "paused": "tạm dừng",
    "stopped": "dừng",
    "ended": "kết thúc",
}
NONE = "urn:bomay:none"  # the queries' stand-in for "no such resource" (see api_events.rq)
FILTER_VARS = {"kindQ", "statusQ", "levelQ", "provinceQ", "q", "qRaw"}
IRI_FILTER_VARS = {"documentQ", "articleQ", "provinceIriQ"}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Danh sách (JSON, JSON-LD hoặc CSV) / list; `Link` và `X-Total-Count` cho phân trang",
        "content": {"application/json": {}, "application/ld+json": {}, "text/csv": {}},
    },
    422: {"model": ErrorBody, "description": "Tham số không hợp lệ / invalid parameter"},
    503: {"model": ErrorBody, "description": "Truy vấn quá thời gian / query timed out"},
}
DETAIL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Chi tiết (JSON hoặc JSON-LD) / detail",
        "content": {"application/json": {}, "application/ld+json": {}},
    },
    400: {"model": ErrorBody, "description": "Định danh không hợp lệ / invalid identifier"},
    404: {"model": ErrorBody, "description": "Không tìm thấy / not found"},
    503: {"model": ErrorBody, "description": "Truy vấn quá thời gian / query timed out"},
}


def with_model(responses: dict[int | str, dict[str, Any]], model: Any) -> dict[int | str, dict[str, Any]]:
    """`responses` (LIST_RESPONSES, DETAIL_RESPONSES) with the JSON of a 200 described by `model`."""
    return {**responses, 200: {**responses[200], "model": model}}


Page = Annotated[int, Query(ge=1, le=100_000, description="Trang (từ 1) / page number")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Số mục mỗi trang / items per page")]
PROVINCE_DOC = "Tỉnh: IRI, id (2023/30) hoặc tên, có hoặc không dấu / province: IRI, id or name"
PLACES_PER_PAGE = 20  # places in one page of a model's detail, each with its whole timeline
SearchText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="Tìm kiếm, có hoặc không dấu / text, with or without diacritics",
    ),
]


@functools.lru_cache(maxsize=1024)
def status_key(iri: str | None) -> str | None:
    """Local name of a vocabulary IRI with '-' as '_' ("not_implemented"); remembered, since a few
    vocabulary IRIs come back on every row."""
    return re.split(r"[/#]", iri)[-1].replace("-", "_") if iri else None


def local_id(iri: str | None, prefix: str = "") -> str | None:
    """Path id of one of our resources: its IRI minus `id/<prefix>`."""
    base = ID_BASE + prefix
    return iri[len(base) :] if iri and iri.startswith(base) else None


def resource_iri(prefix: str, ident: str) -> str:
    """IRI for a path id, after checking it is a plain local name (no '..', no odd characters)."""
    if not _LOCAL_ID.match(ident) or ".." in ident.split("/") or "//" in ident:
        raise ApiError(400, "bad_id", "Định danh không hợp lệ. / Invalid identifier.")
    return ID_BASE + prefix + ident


def _folded(text: str | None, field: str) -> str | None:
    if text is None:
        return None
    key = fold(text)
    if not key:
        raise ApiError(
            422, "invalid_parameter", f"'{field}' cần chữ hoặc số. / '{field}' needs letters or digits."
        )
    return key


@functools.cache
def _query_parts(name: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Named query `name` split at the brace opening its WHERE group, and the filter variables it
    uses (literal, IRI): worked out once per query, not per request."""
    text = get_query(name).text
    at = where_brace(text)
    literal = tuple(sorted(v for v in FILTER_VARS if f"?{v} " in text or f"?{v})" in text))
    iri = tuple(sorted(v for v in IRI_FILTER_VARS if f"?{v} " in text))
    return text[:at], text[at:], literal, iri


def bound_query(name: str, bound: dict[str, tuple[str, str]]) -> str:
    """Text of named query `name` with `bound` ({var: ("iri" | "lit", value)}) as one VALUES row at
    the head of its WHERE group."""
    head, tail, _, _ = _query_parts(name)
    return head + _values_row(bound) + tail


def _values_row(bound: dict[str, tuple[str, str]]) -> str:
    """`VALUES (?a ?b) { (t1 t2) }` for `bound`, each term escaped; "" when nothing is bound."""
    try:
        return values_row({var: IRI(v) if kind == "iri" else v for var, (kind, v) in bound.items()})
    except ValueError:  # not an IRI: the same clean answer as resource_iri's
        raise ApiError(400, "bad_id", "Định danh không hợp lệ. / Invalid identifier.") from None


def page_job(name: str, page: int, per_page: int, **resources: tuple[str, str]) -> Job:
    """The worker job running one page of named query `name`, whose subquery picks the page: the
    resources are bound inside that subquery (it would not see them from outside) and its
    LIMIT/OFFSET set to the page."""
    text = get_query(name).text
    at = subquery_where_brace(text)
    job = row_job(name)
    job["query"] = set_slice(text[:at] + _values_row(resources) + text[at:], per_page, (page - 1) * per_page)
    return job


def row_job(name: str, **bindings: Any) -> Job:
    """The worker job running named query `name` with literal (str) or IRI (("iri", value)) bindings;
    None: no filter.

    Resources go in a VALUES row at the head of WHERE, where the planner starts from them (at 1M
    triples api_events for one place: 19 ms, against 52 ms as a substitution). Filter parameters
    (FILTER_VARS, IRI_FILTER_VARS: projected, read only by FILTERs) stay substitutions: a FILTER inside
    a UNION branch or nested group sees a substituted constant, while a head VALUES binding would be
    out of its scope (api_search would find nothing). Same rows either way on the api_* queries,
    checked at 100k and 1M triples.
    """
    _, _, literal_filters, iri_filters = _query_parts(name)
    # Filter variables are always bound ("" = no filter): the engine folds BOUND() of a variable that
    # no pattern binds to false before substitution, so "unbound" cannot mean "no filter".
    filters = {var: ("lit", "") for var in literal_filters}
    filters |= {var: ("iri", NONE) for var in iri_filters}
    resources: dict[str, tuple[str, str]] = {}
    for var, value in bindings.items():
        if value is None:
            continue
        term = value if isinstance(value, tuple) else ("lit", str(value))
        (filters if var in FILTER_VARS or var in IRI_FILTER_VARS else resources)[var] = term
    return {
        "kind": "rows",
        "query": bound_query(name, resources),
        "bindings": filters,
        "hide": sorted(FILTER_VARS | IRI_FILTER_VARS),  # the worker leaves these out of the rows...
        "drop": NONE,  # ...and the stand-in for "no such resource"
    }


def _iri(value: str | None) -> tuple[str, str] | None:
    """An IRI binding for `row_job`; None stays None (no filter)."""
    return None if value is None else ("iri", value)


async def rows(request: Request, name: str, **bindings: Any) -> list[dict[str, Any]]:
    """Run named query `name` (see `row_job` for the bindings): rows of plain values, without the
    filter variables and without <urn:bomay:none>."""
    return await run_engine(request, row_job(name, **bindings))


def _fact_day(r: dict[str, Any]) -> str | None:
    """The day an event row is dated from: its period start, else a `when` that is a whole date."""
    when = r.get("when") or ""
    return r.get("periodStart") or (when if len(when) == 10 else None)


async def dated(request: Request, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event rows with each place labelled as it was at the event's date (api_earlier_labels: a unit
    whose type changed reads with its earlier type word before the change)."""
    earlier: dict[str, list[tuple[str, str]]] = {}
    for r in await rows(request, "api_earlier_labels"):
        earlier.setdefault(r["place"], []).append((r["until"], r["label"]))
    for r in found:
        day = _fact_day(r)
        if day and r.get("place") in earlier:
            r["placeLabel"] = next((label for until, label in sorted(earlier[r["place"]]) if day < until),
                                   r.get("placeLabel"))
    return found


async def run_jobs(request: Request, jobs: list[Job]) -> list[Any]:
    """Worker jobs at once, spread over the query workers: a detail waits for its slowest query, not
    for their sum."""
    return list(await asyncio.gather(*(run_engine(request, j) for j in jobs)))


def _format(request: Request, suffix: str | None) -> str:
    """`json`, `jsonld` or `csv`: the suffix, else the Accept header's q-values for those media types as
    named (JSON-LD and CSV only when asked for by name and not below JSON; `q=0` refuses a type)."""
    if suffix:
        return suffix
    q = {media: 0.0 for media in ("application/json", "application/ld+json", "text/csv")}
    for media, weight, _pos in parse_accept(request.headers.get("accept")):
        if media in q:
            q[media] = weight
    if q["application/ld+json"] > 0 and q["application/ld+json"] >= q["application/json"]:
        return "jsonld"
    if q["text/csv"] > q["application/json"]:
        return "csv"
    return "json"


_NOTHING = "urn:bomay:none"  # a resource no graph holds: the JSON-LD of an empty page

def _jsonld_items(items: list[dict[str, Any]]) -> dict[str, Any]:
    iri_fields = sorted(
        {
            k
            for it in items
            for k, v in it.items()
            if isinstance(v, str) and v.startswith(("http://", "https://"))
        }
    )
    context: dict[str, Any] = {"@vocab": str(API), **PREFIX_MAP}
    context.update({k: {"@type": "@id"} for k in iri_fields})
    return {"@context": context, "@graph": items}


def collated(items: list[dict[str, Any]], *fields: str) -> list[dict[str, Any]]:
    """`items` in Vietnamese collation of their labels (`fields`, one after the other; ontology.text's
    `collation_key`), the query's own order kept among equals: the one sort of every list of labels."""
    return sorted(items, key=lambda it: tuple(collation_key(it.get(f)) for f in fields))


def page_headers(request: Request, page: int, per_page: int, total: int) -> dict[str, str]:
    """`X-Total-Count` and a `Link` header (first/prev/next/last) for one page of `total` items."""
    last = max(1, -(-total // per_page))
    links = []
    for rel, p in (("first", 1), ("prev", page - 1), ("next", page + 1), ("last", last)):
        if 1 <= p <= last and not (rel in ("prev", "next") and p == page):
            links.append(f'<{request.url.include_query_params(page=p, per_page=per_page)}>; rel="{rel}"')
    headers = {"X-Total-Count": str(total), "Vary": "Accept"}
    if links:
        headers["Link"] = ", ".join(links)
    return headers


async def paged(
    request: Request, items: list[dict[str, Any]], page: int, per_page: int, suffix: str | None, id_field: str
) -> Response:
    """One page of `items` in the negotiated format, with Link (first/prev/next/last) and X-Total-Count.

    Items are deduplicated on `id_field`: a shared resource repeated in several article graphs may carry
    one label per article, and the first (smallest, by the query's ORDER BY) wins.
    """
    seen: set = set()
    items = [it for it in items if not (it.get(id_field) in seen or seen.add(it.get(id_field)))]
    chunk = items[(page - 1) * per_page : page * per_page]
    return await page_response(request, chunk, len(items), page, per_page, suffix, id_field)


async def page_response(
    request: Request,
    chunk: list[dict[str, Any]],
    total: int,
    page: int,
    per_page: int,
    suffix: str | None,
    id_field: str | None,
) -> Response:
    """One page of a list of `total` items in the negotiated format (JSON, JSON-LD, CSV), with Link and
    X-Total-Count. JSON-LD of a list of resources (`id_field` given) is the graph's own statements about
    the page's resources and the labels of what they point to (api_describe.rq, as a detail answers),
    so that it parses to triples the graph holds; rows that are not resources (a named query's) keep
    their columns under the API's vocabulary."""
    headers = page_headers(request, page, per_page, total)
    fmt = _format(request, suffix)
    if fmt == "csv":
        cols: list[str] = []
        for it in chunk:
            cols.extend(k for k in it if k not in cols)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols or ["empty"], lineterminator="\r\n")
        w.writeheader()
        for it in chunk:
            w.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                    for k, v in it.items()
                }
            )
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    if fmt == "jsonld" and id_field:
        ids = [IRI(it[id_field]) for it in chunk if it.get(id_field)]
        data, media = await run_engine(request, {
            "kind": "sparql", "graph_format": "jsonld",
            "query": bind(get_query("api_describe").text, {"resource": ids or [IRI(_NOTHING)]}),
        })
        return Response(data, media_type=media, headers=headers)
    if fmt == "jsonld":
        return JSONResponse(_jsonld_items(chunk), media_type="application/ld+json", headers=headers)
    return JSONResponse({"items": chunk, "total": total, "page": page, "per_page": per_page}, headers=headers)


async def detail(
    request: Request, iri: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """JSON detail, or the resource's own triples as JSON-LD when asked for."""
    if _format(request, None) == "jsonld":
        data, media = await run_engine(
            request,
            {
                "kind": "sparql",
                "query": bound_query("api_describe", {"resource": ("iri", iri)}),
                "graph_format": "jsonld",
            },
        )
        return Response(data, media_type=media, headers={"Vary": "Accept"})
    return JSONResponse(body, headers={"Vary": "Accept", **(headers or {})})


def _event(r: dict[str, Any]) -> dict[str, Any]:
    status = status_key(r.get("status"))
    return {
        "event": r.get("event"),
        "status": status,
        "status_label": r.get("statusLabel") or STATUS_VI.get(status or "", status),
        "when": r.get("when"),
        "count": r.get("count"),
        "document": r.get("document"),
        "document_label": r.get("documentLabel"),
        "document_id": local_id(r.get("document")),
        "article": r.get("article"),
        "article_id": local_id(r.get("article"), "article/"),
        "evidence": {"start": r.get("start"), "end": r.get("end"), "text": r.get("exact")}
        if r.get("exact") is not None or r.get("start") is not None
        else None,
        "_order": (r.get("periodStart") or r.get("when") or "", r.get("event") or ""),
    }


def timelines(events: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Group event rows by `key` ("place" or "model"): each with its ordered timeline and latest status."""
    groups: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    for r in events:
        k = r[key]
        g = groups.setdefault(
            k,
            {
                key: k,
                f"{key}_id": local_id(k, "unit/" if key == "place" else "model/"),
                "label": r.get(f"{key}Label"),
                "timeline": [],
            },
        )
        if key == "model":
            g.update(kind=status_key(r.get("kind")), level=status_key(r.get("level")))
        else:
            g.update(province=r.get("provinceLabel"))
        if (k, r.get("event")) in seen:
            continue
        seen.add((k, r.get("event")))
        g["timeline"].append(_event(r))
    out = []
    for g in groups.values():
        g["timeline"].sort(key=lambda e: e["_order"])
        for e in g["timeline"]:
            e.pop("_order")
        latest = g["timeline"][-1] if g["timeline"] else None
        g["latest"] = (
            {k: latest[k] for k in ("status", "status_label", "when", "document_label")} if latest else None
        )
        out.append(g)
    return sorted(out, key=lambda g: collation_key(g["label"]))


# --- mergers ----------------------------------------------------------------------------------------------


async def _mergers(
    request: Request,
    province: str | None,
    status: Status | None,
    level: Level | None,
    page: int,
    per_page: int,
    suffix: str | None,
) -> Response:
    found = await rows(
        request,
        "api_mergers",
        provinceIriQ=_iri(await resolve_optional(request, "province", province, "province", 422)),
        statusQ=status.value if status else None,
        levelQ=level.value if level else None,
    )
    found = await dated(request, found)
    items = []
    for r in found:
        st = status_key(r.get("status"))
        items.append(
            {
                "model": r["model"],
                "model_id": local_id(r["model"], "model/"),
                "model_label": r.get("modelLabel"),
                "level": status_key(r.get("level")),
                "place": r["place"],
                "place_id": local_id(r["place"], "unit/"),
                "place_label": r.get("placeLabel"),
                "province": r.get("provinceLabel"),
                "status": st,
                "status_label": r.get("statusLabel") or STATUS_VI.get(st or "", st),
                "when": r.get("when"),
                "document": r.get("document"),
                "document_label": r.get("documentLabel"),
                "article": r.get("article"),
                "evidence": r.get("exact"),
                "event": r.get("event"),
            }
        )
    items = collated(items, "province", "model_label", "place_label")
    states = await review_states(request)  # flat, so that CSV has the same columns
    for item in items:
        review = mark(dict(item), states)["review"]
        item.update(review_state=review["state"], reviewed_by=review["by"])
    return await paged(request, items, page, per_page, suffix, "event")


def _list_route(path: str, summary: str, fn: Any, item: type[BaseModel]) -> None:
    """Register `path`, `path.json` and `path.csv` for one list endpoint, whose JSON is a page of `item`."""
    responses = with_model(LIST_RESPONSES, schemas.Page[item])
    for suffix in (None, "json", "csv"):
        route_path = path if suffix is None else f"{path}.{suffix}"
        router.add_api_route(
            route_path,
            _wrap(fn, suffix),
            methods=["GET"],
            summary=summary,
            responses=responses,
            name=f"{fn.__name__}_{suffix or 'default'}",
            response_class=Response,
        )


def _wrap(fn: Any, suffix: str | None) -> Any:
    """A copy of list handler `fn` with its `suffix` fixed, keeping its signature for OpenAPI."""
    import functools
    import inspect

    sig = inspect.signature(fn)
    params = [p for n, p in sig.parameters.items() if n != "suffix"]

    @functools.wraps(fn)
    async def handler(*args: Any, **kwargs: Any) -> Response:
        return await fn(*args, suffix=suffix, **kwargs)

    handler.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return handler


async def list_mergers(
    request: Request,
    province: Annotated[
        str | None, Query(min_length=1, max_length=300, description=PROVINCE_DOC)
    ] = None,
    status: Annotated[Status | None, Query(description="Trạng thái / status")] = None,
    level: Annotated[Level | None, Query(description="Cấp / level")] = None,
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """CQ1: which offices are merged where, with status, date, deciding document and source sentence."""
    return await _mergers(request, province, status, level, page, per_page, suffix)


# --- models -----------------------------------------------------------------------------------------------


async def list_models(
    request: Request,
    q: SearchText = None,
    kind: Annotated[Kind | None, Query(description="Loại mô hình / model kind")] = None,
    level: Annotated[Level | None, Query(description="Cấp / level")] = None,
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """Pilot models, with the number of places that apply each."""
    found = await rows(
        request,
        "api_models",
        q=_folded(q, "q"),
        kindQ=kind.value if kind else None,
        levelQ=level.value if level else None,
    )
    items = [
        {
            "model": r["model"],
            "id": local_id(r["model"], "model/"),
            "label": r.get("label"),
            "kind": status_key(r.get("kind")),
            "level": status_key(r.get("level")),
            "places": int(r.get("places") or 0),
        }
        for r in found
    ]
    return await paged(request, collated(items, "label"), page, per_page, suffix, "model")


@router.get(
    "/models/{id:path}",
    summary="Một mô hình: thành phần, mọi nơi áp dụng với trạng thái mới nhất và "
    "dòng thời gian / a model, every place with latest status and timeline",
    responses=with_model(DETAIL_RESPONSES, schemas.ModelDetail),
)
async def get_model(
    request: Request,
    id: Annotated[str, Path(description="Phần sau id/model/, ví dụ merger/district/...")],
    page: Page = 1,
    per_page: Annotated[
        int, Query(ge=1, le=500, description="Số nơi áp dụng mỗi trang / places per page")
    ] = PLACES_PER_PAGE,
) -> Response:
    """CQ2: a model and the places it is applied in, one page at a time, each with its latest status."""
    iri = resource_iri("model/", id)
    # the review states are asked beside the model's queries, not after them: a detail waits for one round
    (info, events, count), states = await asyncio.gather(
        run_jobs(request, model_jobs(iri, page, per_page)), review_states(request))
    if not info:
        raise ApiError(404, "not_found", "Không có mô hình này. / No such model.")
    total = int(count[0].get("places", 0)) if count else 0
    first = info[0]
    components, seen = [], set()
    for r in info:
        if r.get("component") and r["component"] not in seen:
            seen.add(r["component"])
            components.append(
                {
                    "iri": r["component"],
                    "label": r.get("componentLabel"),
                    "type": status_key(r.get("componentType")),
                }
            )
    body = {
        "model": iri,
        "id": id,
        "label": first.get("label"),
        "kind": status_key(first.get("kind")),
        "level": status_key(first.get("level")),
        "components": components,
        "result": {"iri": first["result"], "label": first.get("resultLabel")}
        if first.get("result")
        else None,
        "places": reviewed(sorted(timelines(events, "place"), key=lambda g: g["place"]), states),
        "places_total": total,
        "page": page,
        "per_page": per_page,
    }
    return await detail(request, iri, body, page_headers(request, page, per_page, total))


def reviewed(groups: list[dict[str, Any]], states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each timeline event marked extracted / confirmed / corrected / added, and by whom (api.reviews)."""
    for g in groups:
        for e in g["timeline"]:
            mark(e, states)
    return groups


def model_jobs(iri: str, page: int, per_page: int) -> list[dict[str, Any]]:
    """The worker jobs of GET /api/models/{id}: the model, one page of its places with their events,
    how many places in all. A model may be applied in every commune of the country: its places come
    in pages (ordered by IRI, the gazetteer's code order) instead of one answer of thousands."""
    return [
        row_job("api_model", model=("iri", iri)),
        page_job("api_model_events", page, per_page, model=("iri", iri)),
        row_job("api_model_place_count", model=("iri", iri)),
    ]


# --- places -----------------------------------------------------------------------------------------------


async def list_places(
    request: Request,
    q: SearchText = None,
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """Administrative units with pilot applications; `q` searches names with or without diacritics."""
    found = await rows(request, "api_places", q=_folded(q, "q"))
    items = [
        {
            "place": r["place"],
            "id": local_id(r["place"], "unit/"),
            "label": r.get("label"),
            "type": status_key(r.get("type")),
            "code": r.get("code"),
            "parent": r.get("parent"),
            "parent_label": r.get("parentLabel"),
            "models": int(r.get("models") or 0),
        }
        for r in found
    ]
    return await paged(request, collated(items, "label"), page, per_page, suffix, "place")


@router.get(
    "/places/{id:path}",
    summary="Một đơn vị hành chính và mọi mô hình áp dụng ở đó, theo dòng thời gian "
    "/ a unit and every model applied there, as a timeline",
    responses=with_model(DETAIL_RESPONSES, schemas.PlaceDetail),
)
async def get_place(
    request: Request,
    id: Annotated[str, Path(description='Phần sau id/unit/: mã chính thức ("27") hoặc tỉnh/loại-tên')],
) -> Response:
    """CQ3: for a place, every model applied there as a timeline."""
    iri = resource_iri("unit/", id)
    post_reform = "/unit/2025/" in iri  # a post-reform unit: also the pilots once applied on its territory
    info, events, lineage, under, *territory = await run_jobs(request, place_jobs(iri))
    if not info:
        raise ApiError(404, "not_found", "Không có đơn vị hành chính này. / No such place.")
    r = info[0]
    body = {
        "place": iri,
        "id": id,
        "label": r.get("label"),
        "name": r.get("name"),
        "type": status_key(r.get("type")),
        "code": r.get("code"),
        "parent": r.get("parent"),
        "parent_label": r.get("parentLabel"),
        "models": timelines(events, "model"),
        "units": units_under(under),
        "successors": [_lineage_item(x) for x in lineage if x.get("relation") == "successor"],
        "predecessors": [_lineage_item(x) for x in lineage if x.get("relation") == "predecessor"],
    }
    if post_reform:
        body["pilots_on_territory"] = [_territory_item(x) for x in territory[0]]
    return await detail(request, iri, body)


def place_jobs(iri: str) -> list[dict[str, Any]]:
    """The worker jobs of GET /api/places/{id}: the unit, the events there (api_place_events: without
    the per-row place and province lookups of api_events), its lineage across the 2025 reform, the
    events at the units under it and, for a post-reform unit, the pilots once applied on its territory."""
    jobs = [
        row_job("api_place", place=("iri", iri)),
        row_job("api_place_events", place=("iri", iri)),
        row_job("place_lineage", unit=("iri", iri)),
        row_job("api_place_units", within=("iri", iri)),
    ]
    if "/unit/2025/" in iri:
        jobs.append(row_job("pilots_on_territory", province=("iri", iri)))
    return jobs


def units_under(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The units under a place that have pilots (rows of api_place_units), in Vietnamese order, each
    with its type and its models' timelines, as the place itself shows its own."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_unit.setdefault(r["place"], []).append(r)
    out = []
    for unit in timelines(rows, "place"):
        unit_rows = by_unit[unit["place"]]
        out.append({"place": unit["place"], "id": unit["place_id"], "label": unit["label"],
                    "type": status_key(unit_rows[0].get("placeType")), "latest": unit["latest"],
                    "models": timelines(unit_rows, "model")})
    return out


def _lineage_item(r: dict[str, Any]) -> dict[str, Any]:
    """One successor or predecessor across the 2025 reform, with the act that links them."""
    return {
        "place": r["other"],
        "id": local_id(r["other"], "unit/"),
        "label": r.get("otherLabel"),
        "type": status_key(r.get("otherType")),
        "code": r.get("otherCode"),
        "parent_label": r.get("otherParentLabel"),
        "valid_from": r.get("otherValidFrom"),
        "valid_until": r.get("otherValidUntil"),
        "event": r.get("eventLabel"),
        "date": r.get("date"),
        "legal_basis": r.get("basisLabel"),
    }


def _territory_item(r: dict[str, Any]) -> dict[str, Any]:
    """A pilot applied before the reform at a unit whose territory now lies in the asked one."""
    return {
        "place": r["place"],
        "place_id": local_id(r["place"], "unit/"),
        "place_label": r.get("placeLabel"),
        "model": r.get("model"),
        "model_label": r.get("modelLabel"),
        "kind": status_key(r.get("kind")),
        "level": status_key(r.get("level")),
        "status": status_key(r.get("status")),
        "when": r.get("when"),
        "count": r.get("count"),
        "document_label": r.get("documentLabel"),
        "article": r.get("article"),
    }


# --- documents --------------------------------------------------------------------------------------------


async def list_documents(
    request: Request,
    q: SearchText = None,
    type: Annotated[DocType | None, Query(description="legal = văn bản, source = bài báo")] = None,
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """Legal documents and source articles."""
    found = await rows(request, "api_documents", q=_folded(q, "q"), qRaw=q.lower().strip() if q else None)
    items = [
        {
            "document": r["document"],
            "id": local_id(r["document"]),
            "type": r.get("type"),
            "label": r.get("label"),
            "number": r.get("number"),
            "kind": status_key(r.get("kind")),
            "date": r.get("date"),
            "issuer": r.get("issuerLabel"),
        }
        for r in found
        if type is None or r.get("type") == type.value
    ]
    return await paged(request, items, page, per_page, suffix, "document")


@router.get(
    "/documents/{id:path}",
    summary="Một văn bản (quyết định gì) hoặc bài báo (văn bản và các đoạn bằng "
    "chứng) / a document and what it decided, or an article with its text and evidence spans",
    responses=with_model(DETAIL_RESPONSES, schemas.DocumentDetail),
)
async def get_document(
    request: Request,
    id: Annotated[str, Path(description="Phần sau id/: legal/... hoặc article/<doc_id>")],
) -> Response:
    """CQ4 and CQ7: what a document decided; for an article its text and every evidence span."""
    iri = resource_iri("", id)
    info = await rows(request, "api_document", document=("iri", iri))
    if not info:
        raise ApiError(404, "not_found", "Không có văn bản này. / No such document.")
    r = info[0]
    is_article = r.get("type") == "source"
    events = await dated(request, await rows(
        request, "api_events", **{"articleQ" if is_article else "documentQ": ("iri", iri)}))
    facts = []
    seen = set()
    for e in events:
        if e.get("event") in seen:
            continue
        seen.add(e.get("event"))
        facts.append(
            {
                "model": e["model"],
                "model_id": local_id(e["model"], "model/"),
                "model_label": e.get("modelLabel"),
                "kind": status_key(e.get("kind")),
                "level": status_key(e.get("level")),
                "place": e["place"],
                "place_id": local_id(e["place"], "unit/"),
                "place_label": e.get("placeLabel"),
                **{k: v for k, v in _event(e).items() if k != "_order"},
            }
        )
    body = {
        "document": iri,
        "id": id,
        "type": r.get("type"),
        "label": r.get("label"),
        "number": r.get("number"),
        "kind": status_key(r.get("kind")),
        "date": r.get("date"),
        "issuer": r.get("issuerLabel"),
        "title": r.get("title"),
        "province": r.get("spatialLabel"),
        "facts": facts,
    }
    if is_article:
        body["text"] = r.get("text")
        body["spans"] = sorted(
            {
                (f["evidence"]["start"], f["evidence"]["end"])
                for f in facts
                if f["evidence"] and f["evidence"]["start"] is not None
            }
        )
    return await detail(request, iri, body)


# --- search -----------------------------------------------------------------------------------------------


async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Từ khoá, có hoặc không dấu")],
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """Search models, agencies, positions, places and documents, with or without diacritics or
    abbreviations ("thuan thanh" finds "huyện Thuận Thành", "ubkt" the Ủy ban Kiểm tra); exact matches
    first, then prefixes, then words, the current era's units first; `match` says how each matched."""
    key = _folded(q, "q")
    index = await search_index.current(request.app)
    if index is None:  # no index (its build failed): the scan of every search key
        found = await rows(request, "api_search", q=key, qRaw=q.lower().strip())
        items = [
            {"item": r["item"], "id": local_id(r["item"]), "label": r.get("label"),
             "category": r.get("category")}
            for r in found
        ]
        return await paged(request, items, page, per_page, suffix, "item")
    hits = index.search(q, (page - 1) * per_page, per_page)  # only this page is put in order
    items = [
        {"item": h.item, "id": local_id(h.item), "label": h.label, "category": h.category,
         "match": h.match, "also": [local_id(a) for a in h.also]}
        for h in hits.hits
    ]
    return await page_response(request, items, hits.total, page, per_page, suffix, "item")


_list_route(
    "/mergers",
    "Văn phòng/cơ quan nào hợp nhất ở đâu, trạng thái và thời điểm (CQ1) / which offices are merged where",
    list_mergers,
    schemas.MergerItem,
)
_list_route("/models", "Các mô hình thí điểm / pilot models", list_models, schemas.ModelItem)
_list_route("/places", "Đơn vị hành chính có áp dụng thí điểm / places with pilots", list_places,
            schemas.PlaceItem)
_list_route("/documents", "Văn bản và bài báo / documents and articles", list_documents, schemas.DocumentItem)
_list_route("/search", "Tìm kiếm (có hoặc không dấu) / search with or without diacritics", search,
            schemas.SearchHit)


# --- events (CQ5, CQ6) -------------------------------------------------------------------------------------


async def list_events(
    request: Request,
    province: Annotated[
        str | None, Query(min_length=1, max_length=300, description=PROVINCE_DOC)
    ] = None,
    status: Annotated[
        list[Status] | None, Query(description="Một hoặc nhiều trạng thái / one or more")
    ] = None,
    kind: Annotated[Kind | None, Query(description="Loại mô hình / model kind")] = None,
    level: Annotated[Level | None, Query(description="Cấp / level")] = None,
    latest: Annotated[
        bool,
        Query(
            description="Chỉ trạng thái mới nhất của mỗi nơi áp dụng / only the latest "
            "status of each application"
        ),
    ] = False,
    page: Page = 1,
    per_page: PerPage = 50,
    suffix: str | None = None,
) -> Response:
    """Status events of pilot applications: CQ5 (concurrent positions paused or stopped in a province) and
    CQ6 (latest status not_implemented, with the deadline in `when`)."""
    found = await rows(
        request,
        "api_events",
        provinceIriQ=_iri(await resolve_optional(request, "province", province, "province", 422)),
        kindQ=kind.value if kind else None,
        levelQ=level.value if level else None,
    )
    found = await dated(request, found)
    wanted = {s.value for s in status} if status else None
    if latest:
        last: dict[tuple[str, str], dict[str, Any]] = {}
        for r in sorted(
            found, key=lambda r: (r.get("periodStart") or r.get("when") or "", r.get("event") or "")
        ):
            last[(r["model"], r["place"])] = r
        chosen = {r["event"] for r in last.values()}
        found = [r for r in found if r["event"] in chosen]
    items = []
    for r in found:
        if wanted is not None and status_key(r.get("status")) not in wanted:
            continue
        items.append(
            {
                "model": r["model"],
                "model_id": local_id(r["model"], "model/"),
                "model_label": r.get("modelLabel"),
                "kind": status_key(r.get("kind")),
                "level": status_key(r.get("level")),
                "place": r["place"],
                "place_id": local_id(r["place"], "unit/"),
                "place_label": r.get("placeLabel"),
                "province": r.get("provinceLabel"),
                **{k: v for k, v in _event(r).items() if k != "_order"},
            }
        )
    items = collated(items, "model_label", "place_label")
    return await paged(request, items, page, per_page, suffix, "event")


_list_route("/events", "Sự kiện trạng thái (CQ5, CQ6) / status events of pilot applications", list_events,
            schemas.EventItem)
