"""Reviews over REST: a reviewer confirms, corrects or rejects a fact, or adds one the extractor missed.

Writes need a reviewer token (BOMAY_REVIEW_TOKENS, never the ingest token) and go through the engine's
write lock like any write; the review graph is built and checked with SHACL by graph.reviews before
anything is stored. This module builds the triples of a corrected or added fact with the extractor's own
RDF step (loaders.rdf.facts_to_graph), so a reviewed fact has the same IRIs an extracted one would.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import search_index
from api.deps import Reviewer, StoreDep, get_engine
from api.errors import ApiError, ErrorBody
from graph import reviews as rv
from graph.store import Store
from graph.terms import IRI
from ontology.namespaces import ID

router = APIRouter(tags=["Review"])  # /api/... routes and the review page
WHEN = re.compile(r"\d{4}(-Q[1-4]|-\d{2}(-\d{2})?)?")
STATE = {"confirm": "confirmed", "correct": "corrected", "add": "added"}


class ReviewIn(BaseModel):
    """A verdict on one fact: confirm; correct {field: value}; reject {reason}."""

    model_config = ConfigDict(extra="forbid")
    verdict: Literal["confirm", "correct", "reject"]
    fields: dict[str, Any] = Field(default_factory=dict,
                                   description="correct: field of the facts contract → value")
    reason: str | None = Field(None, max_length=2000, description="reject: why")


class FactIn(BaseModel):
    """A fact the extractor missed, pointing at a span of the article's text."""

    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    kind: str
    components: list[str] = Field(min_length=1)
    result: str | None = None
    place: str
    level: str | None = None
    status: str
    when: str | None = None
    count: str | None = None


class ReviewError(ValueError):
    """Bad review input: answered 422 with this message, nothing stored."""


# -- building reviews ------------------------------------------------------------------------------------
def _check_value(store: Store, name: str, value: Any) -> Any:
    """One corrected field, checked against the vocabularies (the facts contract's values)."""
    import ontology

    schemes = {"kind": "model-kind", "level": "level", "status": "status"}
    if name in schemes:
        allowed = [c.slug for c in ontology.concepts(schemes[name])]
        if value is None and name == "level":
            return None
        if value not in allowed:
            raise ReviewError(f"{name}: '{value}' không hợp lệ, cần một trong {', '.join(allowed)}")
        return value
    if name == "components":
        if not isinstance(value, list) or not value or not all(isinstance(c, str) and c.strip()
                                                                for c in value):
            raise ReviewError("components: cần một danh sách tên cơ quan/chức danh")
        return [c.strip() for c in value]
    if name == "place":
        return _place(store, value)
    if name == "when":
        if value is not None and not (isinstance(value, str) and WHEN.fullmatch(value)):
            raise ReviewError("when: cần YYYY, YYYY-Qn, YYYY-MM hoặc YYYY-MM-DD")
        return value
    if value is not None and not isinstance(value, str):
        raise ReviewError(f"{name}: cần một chuỗi")
    return value


def _place(store: Store, value: Any) -> dict[str, Any]:
    """A place as the reviewer wrote it, resolved by the one resolver (graph.resolve)."""
    from graph.resolve import unit

    if not isinstance(value, str) or not value.strip():
        raise ReviewError("place: cần tên nơi áp dụng, ví dụ 'huyện Thuận Thành'")
    try:
        iri = unit(store, value.strip())
    except LookupError:
        raise ReviewError(f"place: không tìm thấy '{value}'") from None
    rows = store.select("SELECT ?code WHERE { ?u <https://w3id.org/bomay/ontology#unitCode> ?code }",
                        u=IRI(iri))
    return {"name": value.strip(), "iri": iri, "code": rows[0]["code"] if rows else None}


def fact_triples(store: Store, doc_id: str, fact: dict[str, Any], event: str, article: Any) -> str:
    """N-Triples of one fact as the extractor's RDF step writes it, its event named `event`; the
    article's own triples left out (they stay in the article graph)."""
    from rdflib import RDF, RDFS, Graph, URIRef

    from loaders.rdf import facts_to_graph
    from ontology.namespaces import BOMAY

    text = rv.article_text(article)
    one = {k: fact.get(k) for k in ("kind", "components", "result", "level", "status", "when", "count",
                                    "rule", "confidence")}
    one["place"] = {k: v for k, v in (fact.get("place") or {}).items() if k in ("name", "code", "iri") and v}
    one["evidence"] = {"start": fact["evidence"]["start"], "end": fact["evidence"]["end"]}
    g = facts_to_graph({"id": doc_id, "models": [one], "documents": []}, text)
    article_iri = URIRef(ID[f"article/{doc_id}"])
    out = Graph()
    built_event = URIRef(ID[f"event/{doc_id}/0"])
    for s, p, o in g:
        if s == article_iri and p != RDF.type:  # the article's own triples stay in its graph
            continue
        if p in (RDFS.label, BOMAY.searchKey) and (s, RDFS.label, None) in article:
            continue  # a node the article already names keeps the article's wording
        out.add((URIRef(event) if s == built_event else s, p, URIRef(event) if o == built_event else o))
    if fact.get("document"):
        legal = next((s for s, _, n in article.triples((None, BOMAY.documentNumber, None))
                      if str(n) == fact["document"]), None)
        if legal is None:
            raise ReviewError(f"document: bài báo không dẫn văn bản '{fact['document']}'")
        out.add((URIRef(event), BOMAY.decidedBy, legal))
    return "\n".join(sorted(out.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()))


def _now() -> str:
    """The review's instant to the microsecond: a reviewer's keystrokes come faster than once a second,
    and the order of two reviews of one fact decides which is in effect."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _new_iri(doc_id: str) -> str:
    return str(ID[f"review/{doc_id}/{uuid.uuid4().hex[:12]}"])


def event_doc(event: str) -> str | None:
    """The doc_id in an event IRI (id/event/<doc_id>/<n>), or None."""
    m = re.fullmatch(re.escape(str(ID)) + r"event/([^/]+)/[^/]+", event)
    return m.group(1) if m else None


def find_fact(store: Store, event: str) -> tuple[str, Any, dict[str, Any]]:
    """(doc_id, article graph, fact) of an extracted fact, by its event IRI."""
    doc_id = event_doc(event)
    if not doc_id or not store.has_graph(rv.article_graph_iri(doc_id)):
        raise LookupError(event)
    article = store.get_graph(rv.article_graph_iri(doc_id))
    found = [f for f in rv.facts(article) if f["event"] == event]
    if not found:
        for r in rv.stored(store, doc_id):  # an added fact: its triples are in the review graph
            if r.verdict == "add" and r.applies_to == event:
                added = rv.facts(rv.reviewed_article(store, doc_id))
                found = [f for f in added if f["event"] == event]
    if not found:
        raise LookupError(event)
    return doc_id, article, found[0]


CONTRACT = ("kind", "components", "result", "place", "level", "status", "when", "count", "document")


def _plain(fact: dict[str, Any]) -> dict[str, Any]:
    out = {k: fact.get(k) for k in CONTRACT}
    out["place"] = (fact.get("place") or {}).get("name")
    return out


def review_fact(store: Store, event: str, body: ReviewIn, reviewer: str) -> rv.ReviewWrite:
    """Under the write lock: one verdict on a fact, stored with the article's other reviews."""
    doc_id, article, fact = find_fact(store, event)
    previous: dict[str, Any] = {}
    said: dict[str, Any] = {}
    asserts = ""
    if body.verdict == "correct":
        unknown = sorted(set(body.fields) - set(CONTRACT))
        if unknown or not body.fields:
            raise ReviewError(f"fields: cần một hoặc nhiều trường trong {', '.join(CONTRACT)}"
                              + (f"; không có {', '.join(unknown)}" if unknown else ""))
        changed = dict(fact)
        for name, value in body.fields.items():
            changed[name] = _check_value(store, name, value)
            said[name] = value
            previous[name] = _plain(fact)[name]
        if all(_plain(changed)[k] == _plain(fact)[k] for k in said):
            raise ReviewError("fields: không có gì khác với dữ kiện hiện có")
        asserts = fact_triples(store, doc_id, changed, event, article)
    elif body.verdict == "reject":
        if not (body.reason or "").strip():
            raise ReviewError("reason: cần lý do khi bác bỏ một dữ kiện")
        previous = _plain(fact)
    review = rv.Review(
        iri=_new_iri(doc_id), doc_id=doc_id, verdict=body.verdict, reviewer=reviewer, at=_now(), fact=event,
        evidence=fact["evidence"]["iri"], model=fact["model"], place=fact["place"]["iri"], said=said,
        previous=previous, reason=(body.reason or "").strip() or None, asserts=asserts,
        quote=fact["evidence"]["text"],
    )
    return rv.write(store, doc_id, [*rv.stored(store, doc_id), review])


def add_fact(store: Store, doc_id: str, body: FactIn, reviewer: str) -> rv.ReviewWrite:
    """Under the write lock: a fact the extractor missed, at a span of the article."""
    iri = rv.article_graph_iri(doc_id)
    if not store.has_graph(iri):
        raise LookupError(doc_id)
    article = store.get_graph(iri)
    text = rv.article_text(article)
    if not body.start < body.end <= len(text):
        raise ReviewError(f"start/end: cần 0 ≤ start < end ≤ {len(text)} (độ dài văn bản)")
    fact: dict[str, Any] = {name: _check_value(store, name, getattr(body, name))
                            for name in ("kind", "components", "result", "level", "status", "when", "count")}
    fact["place"] = _place(store, body.place)
    fact["evidence"] = {"start": body.start, "end": body.end}
    review_iri = _new_iri(doc_id)
    event = str(ID[f"event/{doc_id}/r{review_iri.rsplit('/', 1)[-1]}"])
    said = body.model_dump()
    review = rv.Review(
        iri=review_iri, doc_id=doc_id, verdict="add", reviewer=reviewer, at=_now(), fact=event,
        evidence=str(ID[f"evidence/{doc_id}/{body.start}-{body.end}"]), said=said, previous={},
        asserts=fact_triples(store, doc_id, fact, event, article), quote=text[body.start:body.end],
    )
    return rv.write(store, doc_id, [*rv.stored(store, doc_id), review])


def list_reviews(store: Store, article: str | None, reviewer: str | None, since: str | None,
                 unattached: bool) -> list[dict[str, Any]]:
    """Stored reviews, filtered; newest last."""
    docs = [article] if article else sorted(
        rv.doc_id_of(g) or "" for g in store.graphs() if g.startswith(rv.REVIEW_GRAPHS))
    out = []
    for doc in docs:
        for r in rv.stored(store, doc):
            if reviewer and r.reviewer != reviewer:
                continue
            if since and r.at < since:
                continue
            if unattached and r.state != rv.UNATTACHED:
                continue
            out.append(r.as_json())
    return sorted(out, key=lambda r: (r["at"], r["review"]))


def queue(store: Store, doc_id: str) -> dict[str, Any]:
    """An article's facts in the reviewed view, lowest confidence first, each with its review state,
    plus the article's text and its unattached reviews: what the review page shows."""
    iri = rv.article_graph_iri(doc_id)
    if not store.has_graph(iri):
        raise LookupError(doc_id)
    article = store.get_graph(iri)
    stored = rv.stored(store, doc_id)
    m = rv.materialise(doc_id, stored, article)
    said = {r.applies_to: r for r in m.reviews if r.state == rv.ATTACHED}
    items = []
    for f in rv.facts(m.reviewed(article)):
        r = said.get(f["event"])
        f["review"] = {"state": STATE.get(r.verdict, "extracted"), "by": r.reviewer, "at": r.at} if r else {
            "state": "extracted", "by": None, "at": None}
        items.append(f)
    unknown = 2.0  # facts without a confidence (added ones) after every extracted one
    items.sort(key=lambda f: (f["confidence"] if f["confidence"] is not None else unknown,
                              rv.event_order(f["event"])))
    return {"article": doc_id, "text": rv.article_text(article), "facts": items,
            "rejected": [r.as_json() for r in m.reviews if r.state == rv.ATTACHED and r.verdict == "reject"],
            "unattached": [r.as_json() for r in m.reviews if r.state == rv.UNATTACHED]}


async def review_states(request: Request) -> dict[str, dict[str, Any]]:
    """Each reviewed fact of the reviewed view → {state, by, at} (the latest review in effect), from
    the query workers; a fact missing from it is `extracted`."""
    from api.rest import rows

    out: dict[str, dict[str, Any]] = {}
    for r in await rows(request, "api_review_states"):
        if r.get("verdict") in STATE:
            out[r["event"]] = {"state": STATE[r["verdict"]], "by": r.get("reviewer"), "at": r.get("at")}
    return out


def mark(item: dict[str, Any], states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`item` (with its "event") marked extracted / confirmed / corrected / added, and by whom."""
    item["review"] = states.get(item.get("event") or "", {"state": "extracted", "by": None, "at": None})
    return item


# -- routes ----------------------------------------------------------------------------------------------
def _answer(out: rv.ReviewWrite, status: int = 201) -> JSONResponse:
    if not out.written:
        return JSONResponse({"error": "invalid_review", "stored": False, "message": out.validation.summary(),
                             "results": out.validation.results[:20]}, status_code=422)
    return JSONResponse({"stored": True, "reviews": [r.as_json() for r in out.reviews]}, status_code=status)


async def _write(request: Request, doc_id: str, fn: Any, *args: Any) -> rv.ReviewWrite:
    try:
        out = await get_engine(request).write((rv.review_graph(doc_id),), fn, *args)
    except ReviewError as e:
        raise ApiError(422, "invalid_review", str(e)) from None
    except LookupError:
        raise ApiError(404, "not_found",
                       "Không có dữ kiện hay bài báo này. / No such fact or article.") from None
    if out.written:
        await search_index.refresh(request.app, rv.review_graph(doc_id))
    return out


def _event_iri(id: str) -> str:
    return id if id.startswith(str(ID)) else str(ID[id])


def _doc_of(event: str) -> str:
    doc_id = event_doc(event)
    if not doc_id or not _is_article_id(doc_id):
        raise ApiError(404, "not_found", "Không có dữ kiện này. / No such fact.")
    return doc_id


def _is_article_id(doc_id: str) -> bool:
    from api.pipeline import ArticleRefused, check_id

    try:
        check_id(doc_id)
    except ArticleRefused:
        return False
    return True


def _article(doc_id: str) -> str:
    """`doc_id` when it can name an article (its graph IRI is built from it); else 404."""
    if not _is_article_id(doc_id):
        raise ApiError(404, "not_found", "Không có bài báo này. / No such article.")
    return doc_id


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a review route gives, for its OpenAPI entry."""
    said = {
        400: "Yêu cầu không hợp lệ / bad request",
        401: "Thiếu token người duyệt / missing reviewer token",
        403: "Token không phải của người duyệt / not a reviewer's token",
        404: "Không có dữ kiện hay bài báo này / no such fact or article",
        410: "Dữ kiện đã bị bác bỏ / the fact was rejected",
        413: "Quá lớn / too large",
        422: "Nội dung duyệt không hợp lệ / invalid review",
        503: "Chức năng duyệt đang tắt hoặc máy chủ bận / reviews disabled or server busy",
    }
    return {c: {"model": ErrorBody, "description": said[c]} for c in codes}


_WRITES = _responses(400, 401, 403, 404, 413, 422, 503)
_READS = _responses(400, 404, 410, 422, 503)


@router.post("/api/facts/{id:path}/review", status_code=201, responses=_WRITES,
             summary="Duyệt một dữ kiện: xác nhận, sửa hoặc bác bỏ / confirm, correct or reject a fact")
async def post_review(request: Request, reviewer: Reviewer, store: StoreDep, body: ReviewIn,
                      id: Annotated[str, Path(description="event/<doc_id>/<n>")]) -> JSONResponse:
    """The verdict is stored in the article's review graph; the extracted graph is not changed."""
    event = _event_iri(id)
    return _answer(await _write(request, _doc_of(event), review_fact, store, event, body, reviewer))


@router.post("/api/articles/{doc_id}/facts", status_code=201, responses=_WRITES,
             summary="Thêm một dữ kiện bị bỏ sót / add a fact the extractor missed")
async def post_fact(request: Request, reviewer: Reviewer, store: StoreDep, body: FactIn,
                    doc_id: Annotated[str, Path()]) -> JSONResponse:
    """The added fact points at a span of the article's text."""
    doc_id = _article(doc_id)
    return _answer(await _write(request, doc_id, add_fact, store, doc_id, body, reviewer))


@router.get("/api/reviews", responses=_READS, summary="Các lượt duyệt / reviews")
async def get_reviews(
    store: StoreDep,
    article: Annotated[str | None, Query(max_length=200)] = None,
    reviewer: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40, description="xsd:dateTime, UTC")] = None,
    unattached: Annotated[bool, Query(description="chỉ các lượt duyệt không còn gắn với dữ kiện")] = False,
) -> JSONResponse:
    """Reviews by article, reviewer and time; `unattached=1` lists those a re-extraction left unattached."""
    import asyncio

    if article is not None and not _is_article_id(article):
        return JSONResponse({"items": [], "total": 0})  # no article has such an id: no review names it
    items = await asyncio.to_thread(list_reviews, store, article, reviewer, since, unattached)
    return JSONResponse({"items": items, "total": len(items)})


@router.get("/api/facts/{id:path}", responses=_READS,
            summary="Một dữ kiện đã duyệt / one fact of the reviewed view")
async def get_fact(store: StoreDep,
                   id: Annotated[str, Path(description="event/<doc_id>/<n>")]) -> JSONResponse:
    """The fact as the reviewed view has it, with its review state (extracted/confirmed/corrected/added)."""
    import asyncio

    event = _event_iri(id)
    doc_id = _doc_of(event)
    try:
        q = await asyncio.to_thread(queue, store, doc_id)
    except LookupError:
        raise ApiError(404, "not_found", "Không có dữ kiện này. / No such fact.") from None
    found = [f for f in q["facts"] if f["event"] == event]
    if not found:
        gone = [r for r in q["rejected"] if r["applies_to"] == event]
        if gone:
            raise ApiError(410, "rejected",
                           f"Dữ kiện đã bị bác bỏ bởi {gone[-1]['reviewer']}: {gone[-1]['reason']}")
        raise ApiError(404, "not_found", "Không có dữ kiện này. / No such fact.")
    return JSONResponse(found[0])


@router.get("/api/review-queue/{doc_id}", responses=_READS,
            summary="Hàng đợi duyệt của một bài báo / an article's review queue")
async def get_queue(store: StoreDep, doc_id: Annotated[str, Path()]) -> JSONResponse:
    """The article's facts, lowest confidence first, its text, and its unattached reviews."""
    import asyncio

    doc_id = _article(doc_id)
    try:
        return JSONResponse(await asyncio.to_thread(queue, store, doc_id))
    except LookupError:
        raise ApiError(404, "not_found", "Không có bài báo này. / No such article.") from None


# -- the review page --------------------------------------------------------------------------------------
STATIC = FilePath(__file__).resolve().parent / "static"
_FILES = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@router.get("/review", response_class=HTMLResponse, summary="Trang duyệt dữ kiện / review page")
async def review_page() -> FileResponse:
    """Review mode: an article's facts, lowest confidence first, reviewed in place from the keyboard."""
    return FileResponse(STATIC / "review.html", media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"})


@router.get("/review/{name}", include_in_schema=False)
async def review_static(name: str) -> FileResponse:
    """The review page's script and style sheet."""
    if name not in _FILES:
        raise ApiError(404, "not_found", "Không tìm thấy. / Not found.")
    return FileResponse(STATIC / name, media_type=_FILES[name], headers={"X-Content-Type-Options": "nosniff"})
