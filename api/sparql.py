"""SPARQL 1.1 Protocol (queries only), service description and Graph Store Protocol (read).

Every query runs in a worker process (api/engine.py): the event loop never waits on the engine, a
query past the time limit is stopped, and answers above the result limit are refused.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api import editor, sparql_check
from api.deps import SettingsDep, client_host, get_engine, get_settings
from api.engine import AnswerTooLarge, EngineError, QuerySyntaxError, QueryTimeout, ResultLimit
from api.errors import ApiError, ErrorBody
from api.jobs import Job
from graph.formats import FORMATS, GRAPH_FORMATS, NotAcceptable, negotiate
from graph.sparql import slice_query
from ontology.namespaces import API, PREFIXES, SD

router = APIRouter(tags=["SPARQL"])
VOID = Namespace("http://rdfs.org/ns/void#")
PREFIX_MAP = {k: str(v) for k, v in PREFIXES.items()}

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "Truy vấn sai cú pháp (thông báo của bộ phân tích) / syntax error",
    },
    403: {"model": ErrorBody, "description": "Cập nhật, LOAD hoặc SERVICE không được phép / refused"},
    406: {"model": ErrorBody, "description": "Không có định dạng phù hợp / not acceptable"},
    413: {"model": ErrorBody, "description": "Yêu cầu quá lớn / request body too large"},
    415: {"model": ErrorBody, "description": "Content-Type không hỗ trợ / unsupported media type"},
    422: {"model": ErrorBody, "description": "Kết quả vượt giới hạn / result limit exceeded"},
    503: {
        "model": ErrorBody,
        "description": "Truy vấn quá thời gian và đã bị dừng / query timed out and was stopped",
    },
}
RESULT_CONTENT = {f.media: {} for table in FORMATS.values() for f in table.values()}
# The protocol parameters clients name the format with (Virtuoso's `format`, Fuseki's `output`/`results`).
FORMAT_PARAMS = ("format", "output", "results")


async def run_engine(request: Request, job: Job) -> Any:
    """Run a job on the app's engine, turning engine failures into clean HTTP errors."""
    try:
        return await get_engine(request).run({**job, "client": client_host(request)})
    except QuerySyntaxError as e:
        missing = sparql_check.undeclared_prefixes(job.get("query") or "")
        if missing:  # the engine says "Prefix not found" and every character a name may hold, or less
            hint = " ".join(f"PREFIX {p}: <{PREFIX_MAP.get(p, '...')}>" for p in missing)
            names = ", ".join(f"'{p}:'" for p in missing)
            raise ApiError(
                400, "syntax_error",
                f"Tiền tố chưa khai báo / undeclared prefix {names}: thêm / add {hint}",
            ) from None
        raise ApiError(400, "syntax_error", f"Lỗi cú pháp SPARQL / SPARQL syntax error: {e}") from None
    except QueryTimeout as e:
        raise ApiError(
            503,
            "query_timeout",
            f"Truy vấn vượt quá {e.args[0]:g} giây và đã bị dừng. / Query exceeded the "
            f"{e.args[0]:g} s time limit and was stopped.",
            {"Retry-After": "1"},
        ) from None
    except ResultLimit as e:
        raise ApiError(
            422,
            "result_limit",
            f"Kết quả vượt quá giới hạn {e.args[0]} dòng/bộ ba; hãy thêm LIMIT. / Result exceeds "
            f"the limit of {e.args[0]} rows or triples; add a LIMIT.",
        ) from None
    except AnswerTooLarge as e:
        size = f"{e.args[0] / 1048576:g} MiB"
        raise ApiError(
            422,
            "answer_too_large",
            f"Kết quả dài hơn giới hạn {size}; hãy thu hẹp truy vấn hoặc dùng LIMIT. / The answer is longer "
            f"than the {size} limit; narrow the query or add a LIMIT.",
        ) from None
    except EngineError as e:
        raise ApiError(400, "query_error", f"Không thực hiện được truy vấn / query failed: {e}") from None


# The guard's reading is remembered for query texts up to this size (x 512 entries: at most ~10 MB):
# clients repeat the same queries. Longer texts (up to MAX_QUERY_CHARS) are read in a thread.
_INSPECT_CACHED_CHARS = 20_000
_inspect_cached = functools.lru_cache(maxsize=512)(sparql_check.inspect)
MAX_QUERY_CHARS = 100_000  # the GET parameter's cap, for every way of sending a query


async def answer_query(
    request: Request, query: str, default_graphs: list[str], named_graphs: list[str], fmt: list[str] | None
) -> Response:
    """Check, negotiate, run and serialise one SPARQL query (`fmt`: every format/output/results value)."""
    settings = get_settings(request)
    if not query.strip():
        raise ApiError(400, "empty_query", "Truy vấn rỗng. / Empty query.")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(
            413,
            "query_too_long",
            f"Truy vấn dài hơn {MAX_QUERY_CHARS:,} ký tự. / The query is longer than {MAX_QUERY_CHARS:,} "
            "characters.",
        )
    try:
        if len(query) > _INSPECT_CACHED_CHARS:  # tens of ms of lexing: off the event loop
            info = await asyncio.to_thread(sparql_check.inspect, query, tuple(settings.service_allow))
        else:
            info = _inspect_cached(query, tuple(settings.service_allow))
    except sparql_check.Refused as e:
        raise ApiError(403, "refused", str(e)) from None
    except sparql_check.TooDeep as e:
        raise ApiError(400, "query_too_deep", str(e)) from None
    for iri in (*default_graphs, *named_graphs):
        if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in '<>" {}|\\^`'):
            raise ApiError(400, "bad_graph_uri", f"IRI đồ thị không hợp lệ / invalid graph IRI: {iri[:200]}")
    accept = request.headers.get("accept")
    result_format = graph_format = None
    try:
        if info.form in ("SELECT", "ASK", None):
            result_format = negotiate(accept, "results", fmt).key
        if info.form in ("CONSTRUCT", "DESCRIBE", None):
            graph_format = negotiate(accept, "graph", fmt).key
    except NotAcceptable as e:
        if info.form is not None:
            raise ApiError(406, "not_acceptable", str(e)) from None
    job: Job = {
        "kind": "sparql",
        "query": query,
        "result_format": result_format or "json",
        "graph_format": graph_format or "turtle",
        "default_graphs": default_graphs,
        "named_graphs": named_graphs,
        "query_dataset": info.has_from,
        "named": info.names_graphs,
    }
    if info.form not in ("SELECT", "ASK"):  # only graph serialisations use prefixes
        job["prefixes"] = PREFIX_MAP
    headers = {"Vary": "Accept"}
    try:
        body, media = await run_engine(request, job)
    except ApiError as e:
        if e.code != "result_limit" or settings.result_overflow != "truncate" or info.form == "ASK":
            raise
        body, media = await _cut_at_limit(request, job, settings.result_limit)
        headers[TRUNCATED_HEADER] = str(settings.result_limit)
    return Response(content=body, media_type=media, headers=headers)


# An answer cut at the result limit says so in this header (Virtuoso's name for it, which clients of
# public endpoints know), with the limit as its value; the service description states the policy.
TRUNCATED_HEADER = "X-SPARQL-MaxRows"


async def _cut_at_limit(request: Request, job: Job, limit: int) -> tuple[bytes, str]:
    """The answer of `job` cut at `limit` solutions (BOMAY_RESULT_OVERFLOW=truncate), for clients that
    cannot page. A CONSTRUCT or DESCRIBE may give several triples per solution: fewer solutions are
    asked for until the triples fit, else the refusal stands."""
    for solutions in (limit, limit // 4, limit // 32):
        try:
            return await run_engine(request, {**job, "query": slice_query(job["query"], max(solutions, 1))})
        except ApiError as e:
            if e.code != "result_limit":
                raise
    raise ApiError(
        422,
        "result_limit",
        f"Kết quả vượt quá giới hạn {limit} dòng/bộ ba; hãy thêm LIMIT. / Result exceeds the limit of "
        f"{limit} rows or triples; add a LIMIT.",
    )


# GET /sparql parameters: (name, description, max length or None for a repeatable list). The handler
# reads them from the query string itself and `_GET_PARAMETERS` declares them for OpenAPI exactly as
# FastAPI would: FastAPI's per-request parameter analysis cost as much CPU as the rest of the handler.
_GET_PARAMS: tuple[tuple[str, str, int | None], ...] = (
    ("query", "Truy vấn SPARQL / the SPARQL query", 100_000),
    ("default-graph-uri", "Đồ thị mặc định / default graph IRIs", None),
    ("named-graph-uri", "Đồ thị có tên / named graph IRIs", None),
    (
        "format",
        "Ghi đè Accept: json, xml, csv, tsv, turtle, ntriples, "
        "jsonld, rdfxml, trig, nquads hoặc một media type; nhiều giá trị là các lựa chọn / several "
        "values are alternatives",
        100,
    ),
    ("output", "Như format (cách gọi của Fuseki) / as format (Fuseki's name)", 100),
    ("results", "Như format / as format", 100),
    ("update", "Không hỗ trợ: dịch vụ chỉ đọc / refused (read-only)", 100_000),
)
_GET_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {
            "anyOf": [
                {"type": "string", "maxLength": size}
                if size is not None
                else {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ],
            "description": doc,
            "title": name.title(),
        },
        "description": doc,
    }
    for name, doc, size in _GET_PARAMS
]


def _get_params(request: Request) -> dict[str, Any]:
    """The GET parameters, validated as FastAPI would (the last of repeated values, lengths capped;
    the same 422 answer otherwise); `formats` holds every format/output/results value, in order."""
    qp = request.query_params
    values: dict[str, Any] = {}
    errors = []
    for name, _doc, size in _GET_PARAMS:
        if size is None:
            values[name] = qp.getlist(name)
            continue
        given = qp.getlist(name) if name in FORMAT_PARAMS else qp.getlist(name)[-1:]
        for value in given:
            if len(value) > size:
                errors.append(
                    {
                        "type": "string_too_long",
                        "loc": ("query", name),
                        "msg": f"String should have at most {size} characters",
                        "input": value[:100],
                        "ctx": {"max_length": size},
                    }
                )
        values[name] = given[-1] if given else None
    if errors:
        raise RequestValidationError(errors)
    values["formats"] = [v for name in FORMAT_PARAMS for v in qp.getlist(name)]
    return values


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET); không có query → mô tả dịch vụ / bare GET → service description",
    responses={
        200: {
            "description": "Kết quả hoặc mô tả dịch vụ / results or service description",
            "content": RESULT_CONTENT,
        },
        **ERRORS,
    },
    openapi_extra={"parameters": _GET_PARAMETERS},
)
async def sparql_get(request: Request) -> Response:
    """SPARQL Protocol query via GET; bare GET answers the service description."""
    params = _get_params(request)
    if params["update"] is not None:
        raise ApiError(
            403, "refused", "Cập nhật SPARQL không được phép; dịch vụ chỉ đọc. / Updates are refused."
        )
    if params["query"] is None:
        if not params["formats"] and editor.wants_html(request.headers.get("accept")):
            return editor.page()  # a browser: the SPARQL editor (api/editor.py)
        return await service_description(request, params["formats"])
    return await answer_query(
        request, params["query"], params["default-graph-uri"], params["named-graph-uri"], params["formats"]
    )


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST form hoặc application/sparql-query)",
    responses={200: {"description": "Kết quả / results", "content": RESULT_CONTENT}, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "format": {"type": "string"},
                        },
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
            },
        }
    },
)
async def sparql_post(
    request: Request,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """SPARQL Protocol query via POST (form-encoded or a direct query body)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_encoding", "Nội dung không phải UTF-8. / Body is not UTF-8.") from None
    dg, ng = list(default_graph_uri or []), list(named_graph_uri or [])
    if ctype == "application/sparql-update":
        raise ApiError(
            403, "refused", "Cập nhật SPARQL không được phép; dịch vụ chỉ đọc. / Updates are refused."
        )
    in_url = [v for name in FORMAT_PARAMS for v in request.query_params.getlist(name)]
    if ctype == "application/sparql-query":
        return await answer_query(request, text, dg, ng, in_url)
    if ctype == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            raise ApiError(
                403, "refused", "Cập nhật SPARQL không được phép; dịch vụ chỉ đọc. / Updates are refused."
            )
        if "query" not in form:
            raise ApiError(400, "missing_query", "Thiếu tham số 'query'. / Missing 'query' parameter.")
        return await answer_query(
            request,
            form["query"][0],
            dg + form.get("default-graph-uri", []),
            ng + form.get("named-graph-uri", []),
            [v for name in FORMAT_PARAMS for v in form.get(name, [])] + in_url,
        )
    raise ApiError(
        415,
        "unsupported_media_type",
        "Dùng application/x-www-form-urlencoded hoặc application/sparql-query. / Use a form or "
        "application/sparql-query body.",
    )


async def graph_counts(request: Request) -> dict[str, int]:
    """Triple count per named graph, ordered by IRI: kept by the engine (counted once at start, then
    updated with the graphs each write touched), so no request ever recounts the store."""
    return get_engine(request).graph_counts()


async def service_description(request: Request, fmt: list[str] | str | None) -> Response:
    """SPARQL service description with VoID triple counts per named graph."""
    try:
        out_format = negotiate(request.headers.get("accept"), "graph", fmt)
    except NotAcceptable as e:
        raise ApiError(406, "not_acceptable", str(e)) from None
    counts = await graph_counts(request)
    endpoint = URIRef(str(request.url_for("sparql_get")))
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    svc = BNode()
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, endpoint))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    g.add((svc, RDFS.label, Literal("Bộ Máy KG — điểm truy vấn SPARQL", lang="vi")))
    g.add(
        (
            svc,
            RDFS.comment,
            Literal(
                "Đồ thị mặc định là hợp của mọi đồ thị có tên (ontology, gazetteer, mỗi bài báo một đồ thị), "
                "theo nghĩa tập hợp: một bộ ba có trong nhiều đồ thị chỉ khớp một lần. "
                "Chỉ đọc: cập nhật, LOAD và SERVICE (ngoài danh sách cho phép) bị từ chối.",
                lang="vi",
            ),
        )
    )
    g.add(
        (
            svc,
            RDFS.comment,
            Literal(
                "The default graph is the union of all named graphs (ontology, gazetteer, one graph per "
                "article), as a set: a triple stated in several graphs is matched once. "
                "Read-only: updates, LOAD and SERVICE (unless allow-listed) are refused.",
                lang="en",
            ),
        )
    )
    # The result limit and what happens past it (BOMAY_RESULT_OVERFLOW), for clients and operators.
    settings = get_settings(request)
    g.bind("bomayapi", API)
    g.add((svc, API.resultLimit, Literal(settings.result_limit, datatype=XSD.integer)))
    g.add((svc, API.resultOverflow, Literal(settings.result_overflow)))
    if settings.result_overflow == "truncate":
        g.add((svc, API.truncationHeader, Literal(TRUNCATED_HEADER)))
        note_vi = (f"Kết quả quá {settings.result_limit} dòng/bộ ba bị cắt ở giới hạn, đánh dấu bằng "
                   f"header {TRUNCATED_HEADER}.")
        note_en = (f"Answers past {settings.result_limit} rows or triples are cut at the limit and marked "
                   f"by the {TRUNCATED_HEADER} header.")
    else:
        note_vi = f"Kết quả quá {settings.result_limit} dòng/bộ ba bị từ chối (422): hãy dùng LIMIT/OFFSET."
        note_en = (f"Answers past {settings.result_limit} rows or triples are refused (422): page with "
                   "LIMIT/OFFSET.")
    g.add((svc, RDFS.comment, Literal(note_vi, lang="vi")))
    g.add((svc, RDFS.comment, Literal(note_en, lang="en")))
    for table in FORMATS.values():
        for f in table.values():
            g.add((svc, SD.resultFormat, URIRef(f.iri)))
    dataset = BNode()
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    size = get_engine(request).default_count()  # each triple once: not the sum of the graphs' counts
    g.add((default, VOID.triples, Literal(size, datatype=XSD.integer)))
    for iri, n in counts.items():
        ng, gr = BNode(), BNode()
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(iri)))
        g.add((ng, SD.graph, gr))
        g.add((gr, RDF.type, SD.Graph))
        g.add((gr, VOID.triples, Literal(n, datatype=XSD.integer)))
    body = g.serialize(format=out_format.rdflib)
    media = out_format.media
    return Response(
        content=body.encode() if isinstance(body, str) else body, media_type=media, headers={"Vary": "Accept"}
    )


@router.get(
    "/graph-store",
    tags=["Graph Store"],
    summary="Graph Store HTTP Protocol (đọc): ?graph=IRI hoặc ?default",
    responses={
        200: {
            "description": "Nội dung đồ thị / graph content",
            "content": {f.media: {} for f in GRAPH_FORMATS.values()},
        },
        404: {"model": ErrorBody, "description": "Không có đồ thị này / no such graph"},
        **{k: v for k, v in ERRORS.items() if k in (400, 406, 422, 503)},
    },
)
async def graph_store(
    request: Request,
    settings: SettingsDep,
    graph: Annotated[
        str | None, Query(description="IRI của đồ thị có tên / named graph IRI", max_length=2000)
    ] = None,
    default: Annotated[
        str | None,
        Query(
            description="Có mặt → đồ thị mặc định (hợp mọi đồ thị) / present → the default graph (union)",
            max_length=10,
        ),
    ] = None,
    format: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Read one named graph, or the default (union) graph."""
    if (graph is None) == (default is None):
        raise ApiError(
            400,
            "bad_request",
            "Cần đúng một trong ?graph=IRI hoặc ?default. / Give exactly one of ?graph=IRI or ?default.",
        )
    try:
        key = negotiate(request.headers.get("accept"), "graph", format).key
    except NotAcceptable as e:
        raise ApiError(406, "not_acceptable", str(e)) from None
    limit = settings.dump_limit
    job: Job = {"kind": "dump", "graph_format": key, "prefixes": PREFIX_MAP, "limit": limit}
    if graph is not None:
        if not graph.startswith(("http://", "https://", "urn:")) or any(c in graph for c in '<>" {}|\\^`'):
            raise ApiError(400, "bad_graph_uri", "IRI đồ thị không hợp lệ. / Invalid graph IRI.")
        counts = await graph_counts(request)
        if graph not in counts:
            raise ApiError(404, "no_such_graph", f"Không có đồ thị <{graph}>. / No such graph.")
        job["graphs"] = [graph]
    body, media = await run_engine(request, job)
    return Response(content=body, media_type=media, headers={"Vary": "Accept"})
