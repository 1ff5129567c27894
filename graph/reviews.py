"""What reviewers said about an article's facts, kept as data beside the extraction.

Each article's reviews live in one named graph, `graph/review/<doc_id>`, as PROV activities: who, when,
the verdict (confirm, correct, reject, add), what was said, the fact it concerns and its previous value.
The article graph is never changed. The graph also holds what the reviews do to the reviewed view (the
default graph, graph/embedded.py's rule): the triples of corrected and added facts, asserted, and the
extracted triples they replace, retracted as reified statements naming the article graph.

Those two parts are derived (`materialise`) from the review records and the article graph, so a new
extraction of the article gets its reviews again: a review attaches to the fact with the same evidence
span, model and place, or is listed as unattached, never applied to another fact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from graph.store import ARTICLE_GRAPHS, RETRACTED_FROM, REVIEW_GRAPHS, Store
from graph.validation import ValidationReport, validate_graph
from ontology.namespaces import BOMAY, ID, PROV
from ontology.text import collation_key

VERDICTS = ("confirm", "correct", "reject", "add")
FIELDS = ("kind", "components", "result", "place", "level", "status", "when", "count", "document")
ATTACHED, UNATTACHED, SUPERSEDED = "attached", "unattached", "superseded"
_RETRACTED_FROM = URIRef(RETRACTED_FROM)


def review_graph(doc_id: str) -> str:
    """graph/review/<doc_id>: every review of that article."""
    return REVIEW_GRAPHS + doc_id


def article_graph_iri(doc_id: str) -> str:
    return ARTICLE_GRAPHS + doc_id


def doc_id_of(graph_iri: str) -> str | None:
    """The doc_id of an article or review graph IRI."""
    for prefix in (ARTICLE_GRAPHS, REVIEW_GRAPHS):
        if graph_iri.startswith(prefix):
            return graph_iri[len(prefix):]
    return None


@dataclass
class Review:
    """One review, as stored. `fact` is the statement (status event) reviewed, as it was named then;
    `evidence`, `model` and `place` are its anchor for re-attachment; `asserts` holds the N-Triples the
    review adds to the reviewed view (a correction's or an addition's fact), written with `fact`."""

    iri: str
    doc_id: str
    verdict: str
    reviewer: str
    at: str  # xsd:dateTime, UTC
    fact: str
    evidence: str
    model: str | None = None
    place: str | None = None
    said: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    asserts: str = ""
    quote: str | None = None  # the evidence span's text when the review was made
    state: str = ATTACHED
    applies_to: str | None = None  # the fact it is attached to now

    def as_json(self) -> dict[str, Any]:
        """The REST shape of a review."""
        return {
            "review": self.iri, "article": self.doc_id, "verdict": self.verdict, "reviewer": self.reviewer,
            "at": self.at, "fact": self.fact, "fact_id": _local(self.fact), "applies_to": self.applies_to,
            "state": self.state, "said": self.said, "previous": self.previous, "reason": self.reason,
            "evidence": self.evidence,
        }


def _local(iri: str | None) -> str | None:
    return iri[len(str(ID)):] if iri and iri.startswith(str(ID)) else iri


def reviewer_iri(name: str) -> URIRef:
    from ontology.text import slug

    return URIRef(ID[f"reviewer/{slug(name) or 'x'}"])


# -- reading the article graph ---------------------------------------------------------------------------
def facts(graph: Graph) -> list[dict[str, Any]]:
    """The facts of one article graph (graph/queries/review_facts.rq) in the facts contract's terms, with
    their event, model, place and evidence IRIs, ordered by event."""
    from graph.named import get

    out: dict[str, dict[str, Any]] = {}
    for row in graph.query(get("review_facts").text):
        r = {k: (None if row[k] is None else str(row[k])) for k in row.labels}
        f = out.get(r["event"])
        if f is None:
            f = out[r["event"]] = {
                "event": r["event"], "id": _local(r["event"]), "app": r["app"], "model": r["model"],
                "kind": _key(r["kind"]), "components": [], "result": r["resultLabel"],
                "place": {"name": r["placeLabel"], "code": r["placeCode"], "iri": r["place"]},
                "level": _key(r["level"]), "status": _key(r["status"]), "when": r["when"],
                "count": r["count"],
                "document": r["documentNumber"], "rule": r["rule"],
                "confidence": float(r["confidence"]) if r["confidence"] else None,
                "evidence": {"iri": r["evidence"], "start": _int(r["start"]), "end": _int(r["end"]),
                             "text": r["exact"]},
            }
        label = r["componentLabel"]
        if label and label not in f["components"]:
            f["components"].append(label)
    for f in out.values():  # a set in the graph: one order whichever graph it is read from
        f["components"].sort(key=collation_key)
    return sorted(out.values(), key=lambda f: event_order(f["event"]))


def _key(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1].replace("-", "_") if iri else None


def _int(v: str | None) -> int | None:
    return int(v) if v is not None else None


def event_order(iri: str) -> tuple[int, str]:
    """Events in the article's order (their number), added ones after."""
    tail = iri.rsplit("/", 1)[-1]
    return (int(tail), "") if tail.isdigit() else (1 << 30, tail)


def article_text(graph: Graph) -> str:
    """The article's NFC text (bomay:text), empty when the graph has none."""
    return next((str(o) for o in graph.objects(None, BOMAY.text)), "")


# -- records <-> triples ---------------------------------------------------------------------------------
def _records(r: Review) -> list[tuple[Any, Any, Any]]:
    node, who = URIRef(r.iri), reviewer_iri(r.reviewer)
    out: list[tuple[Any, Any, Any]] = [
        (node, RDF.type, BOMAY.Review), (node, RDF.type, PROV.Activity),
        (node, PROV.wasAssociatedWith, who), (who, RDF.type, PROV.Agent),
        (who, RDFS.label, Literal(r.reviewer, lang="vi")),
        (node, PROV.endedAtTime, Literal(r.at, datatype=XSD.dateTime)),
        (node, BOMAY.verdict, Literal(r.verdict)), (node, BOMAY.reviewedFact, URIRef(r.fact)),
        (node, BOMAY.anchorEvidence, URIRef(r.evidence)), (node, BOMAY.reviewState, Literal(r.state)),
        (node, BOMAY.said, Literal(json.dumps(r.said, ensure_ascii=False, sort_keys=True))),
        (node, BOMAY.previousValue, Literal(json.dumps(r.previous, ensure_ascii=False, sort_keys=True))),
        (node, BOMAY.reviewOf, URIRef(ID[f"article/{r.doc_id}"])),
    ]
    for p, v in ((BOMAY.anchorModel, r.model), (BOMAY.anchorPlace, r.place), (BOMAY.appliesTo, r.applies_to)):
        if v:
            out.append((node, p, URIRef(v)))
    if r.reason:
        out.append((node, BOMAY.reason, Literal(r.reason)))
    if r.asserts:
        out.append((node, BOMAY.assertsTriples, Literal(r.asserts)))
    if r.quote is not None:
        out.append((node, BOMAY.anchorQuote, Literal(r.quote)))
    return out


def review_order(r: Review) -> tuple[dt.datetime, str]:
    """Oldest first, by the instant (records of whole seconds and of microseconds compare as times, not
    as strings), then by IRI."""
    try:
        at = dt.datetime.fromisoformat(r.at)
    except ValueError:
        at = dt.datetime.min
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at, r.iri


def reviews_in(graph: Graph) -> list[Review]:
    """The review records of a review graph, oldest first."""
    out = []
    for node in graph.subjects(RDF.type, BOMAY.Review):
        def one(p: Any, node: Any = node) -> str | None:
            v = graph.value(node, p)
            return None if v is None else str(v)

        who = graph.value(node, PROV.wasAssociatedWith)
        doc = (one(BOMAY.reviewOf) or "").rsplit("/article/", 1)[-1]
        out.append(Review(
            iri=str(node), doc_id=doc, verdict=one(BOMAY.verdict) or "", at=one(PROV.endedAtTime) or "",
            reviewer=str(graph.value(who, RDFS.label) or ""), fact=one(BOMAY.reviewedFact) or "",
            evidence=one(BOMAY.anchorEvidence) or "", model=one(BOMAY.anchorModel),
            place=one(BOMAY.anchorPlace), said=json.loads(one(BOMAY.said) or "{}"),
            previous=json.loads(one(BOMAY.previousValue) or "{}"), reason=one(BOMAY.reason),
            asserts=one(BOMAY.assertsTriples) or "", quote=one(BOMAY.anchorQuote),
            state=one(BOMAY.reviewState) or ATTACHED, applies_to=one(BOMAY.appliesTo),
        ))
    return sorted(out, key=review_order)


# -- what the reviews do --------------------------------------------------------------------------------
@dataclass
class Materialised:
    """A review graph derived from records and an article graph, and its parts."""

    graph: Graph
    reviews: list[Review]
    asserted: Graph
    retracted: set[tuple[Any, Any, Any]]

    def reviewed(self, article: Graph) -> Graph:
        """The article's reviewed view: its triples less the retracted ones, plus the asserted ones."""
        out = Graph()
        for t in article:
            if t not in self.retracted:
                out.add(t)
        for t in self.asserted:
            out.add(t)
        return out


def _span(evidence: str) -> tuple[int, int] | None:
    try:
        a, b = evidence.rsplit("/", 1)[-1].split("-")
        return int(a), int(b)
    except ValueError:
        return None


def _target(r: Review, found: list[dict[str, Any]], text: str) -> str | None:
    """The fact a review attaches to in this extraction, or None."""
    if r.verdict == "add":
        span = _span(r.evidence)
        return r.fact if span and r.quote is not None and text[span[0]:span[1]] == r.quote else None
    def spot(f: dict[str, Any]) -> bool:  # the same sentence, even when an edit moved it in the text
        return f["evidence"]["text"] == r.quote if r.quote is not None else f["evidence"]["iri"] == r.evidence

    same = [f["event"] for f in found if spot(f) and f["model"] == r.model and f["place"]["iri"] == r.place]
    if r.fact in same:
        return r.fact
    return same[0] if same else None


def _own(article: Graph, removed: set[str]) -> set[tuple[Any, Any, Any]]:
    """The triples of `article` that belong only to the removed facts: the events, their links, and the
    applications, models, places and evidence spans no remaining fact of the article uses."""
    ev = {URIRef(e) for e in removed}
    out = {t for e in ev for t in article.triples((e, None, None))}
    out |= {t for e in ev for t in article.triples((None, BOMAY.statusEvent, e))}
    kept_events = set(article.subjects(RDF.type, BOMAY.StatusEvent)) - ev

    def orphan(node: Any, users: set[Any]) -> bool:
        return not users

    apps = {a for e in ev for a in article.subjects(BOMAY.statusEvent, e)}
    dead_apps = {a for a in apps if orphan(a, set(article.objects(a, BOMAY.statusEvent)) & kept_events)}
    live_apps = set(article.subjects(RDF.type, BOMAY.PilotApplication)) - dead_apps
    for a in dead_apps:
        out |= set(article.triples((a, None, None)))
    for m in {m for a in dead_apps for m in article.objects(a, BOMAY.model)}:
        if not any((a, BOMAY.model, m) in article for a in live_apps):
            out |= set(article.triples((m, None, None)))
    for p in {p for a in dead_apps for p in article.objects(a, BOMAY.place)}:
        users = {s for s, _ in article.subject_predicates(p)} - dead_apps
        if not users:
            out |= set(article.triples((p, None, None)))
    for span in {s for e in ev for s in article.objects(e, BOMAY.evidence)}:
        if not set(article.subjects(BOMAY.evidence, span)) & kept_events:
            out |= set(article.triples((span, None, None)))
            for sel in article.objects(span, URIRef("http://www.w3.org/ns/oa#hasSelector")):
                out |= set(article.triples((sel, None, None)))
    return out


def materialise(doc_id: str, reviews: list[Review], article: Graph) -> Materialised:
    """The review graph of `reviews` over this extraction of the article: each review attached (or not),
    the latest attached review of a fact in effect, its triples asserted and the extraction's retracted."""
    text, found = article_text(article), facts(article)
    latest: dict[str, Review] = {}
    placed = []
    for r in sorted(reviews, key=review_order):
        target = _target(r, found, text)
        r = replace(r, applies_to=target, state=ATTACHED if target else UNATTACHED)
        if target:
            if target in latest:
                placed[placed.index(latest[target])] = replace(latest[target], state=SUPERSEDED)
            latest[target] = r
        placed.append(r)
    asserted, removed = Graph(), set()
    for target, r in latest.items():
        if r.verdict in ("correct", "reject"):
            removed.add(target)
        if r.asserts and r.verdict in ("correct", "add"):
            body = r.asserts.replace(f"<{r.fact}>", f"<{target}>")
            asserted.parse(data=body, format="nt")
    retracted = {t for t in _own(article, removed) if t not in asserted}
    g = Graph(identifier=URIRef(review_graph(doc_id)))
    for r in placed:
        for t in _records(r):
            g.add(t)
    for t in asserted:
        g.add(t)
    source = URIRef(article_graph_iri(doc_id))
    for s, p, o in sorted(retracted):
        line = f"{s.n3()} {p.n3()} {o.n3()}"
        st = URIRef(ID[f"review/{doc_id}/retracted/{hashlib.sha1(line.encode()).hexdigest()[:16]}"])
        for t in ((st, RDF.type, RDF.Statement), (st, RDF.subject, s), (st, RDF.predicate, p),
                  (st, RDF.object, o), (st, _RETRACTED_FROM, source)):
            g.add(t)
    return Materialised(g, placed, asserted, retracted)


# -- store-level ---------------------------------------------------------------------------------------
def stored(store: Store, doc_id: str) -> list[Review]:
    """The reviews stored for one article (none when it has no review graph)."""
    iri = review_graph(doc_id)
    return reviews_in(store.get_graph(iri)) if store.has_graph(iri) else []


@dataclass
class ReviewWrite:
    """Outcome of writing an article's reviews: stored or not, and why."""

    written: bool
    validation: ValidationReport
    reviews: list[Review]


def check(doc_id: str, m: Materialised, article: Graph) -> ValidationReport:
    """SHACL on the review records and on the article's reviewed view (a correction must leave a valid
    article: a known status, a level, a place...)."""
    both = m.reviewed(article)
    for t in m.graph:
        both.add(t)
    return validate_graph(both)


def write(store: Store, doc_id: str, reviews: list[Review]) -> ReviewWrite:
    """Validate and store the article's review graph for `reviews` (all of them: the graph is replaced in
    one transaction, the default graph following by the store's rule); nothing is stored when invalid."""
    article = store.get_graph(article_graph_iri(doc_id))
    m = materialise(doc_id, reviews, article)
    report = check(doc_id, m, article)
    if not report.conforms:
        return ReviewWrite(False, report, m.reviews)
    store.replace_graph(review_graph(doc_id), m.graph)
    return ReviewWrite(True, report, m.reviews)


def reattached(store: Store, doc_id: str, article: Graph) -> Graph | None:
    """The article's review graph re-derived for a new extraction `article` (empty: the article deleted),
    or None when the article has no reviews: written with the article, in its transaction."""
    reviews = stored(store, doc_id)
    return materialise(doc_id, reviews, article).graph if reviews else None


def reviewed_article(store: Store, doc_id: str) -> Graph:
    """One article's reviewed view (its extraction with its reviews applied)."""
    article = store.get_graph(article_graph_iri(doc_id))
    return materialise(doc_id, stored(store, doc_id), article).reviewed(article)


# -- evaluation data ---------------------------------------------------------------------------------------
def gold(store: Store, doc_id: str) -> dict[str, Any]:
    """One article's reviewed facts in the gold format the shared scorer reads (`../shared/eval`):
    province, cited documents and one entry per fact (kind, components, place, level, status, when,
    evidence), so a reviewed article becomes a test of the extractor."""
    from graph.named import get

    g = reviewed_article(store, doc_id)
    article = URIRef(ID[f"article/{doc_id}"])
    rows = store.select(get("review_gold_article").text, article=article)
    province = next((r["province"] for r in rows if r.get("province")), None)
    documents, seen = [], set()
    for r in rows:
        if r.get("number") and r["number"] not in seen:
            seen.add(r["number"])
            documents.append({k: str(v) for k, v in (("number", r["number"]), ("date", r.get("date")),
                                                ("kind", r.get("kind")), ("issuer", r.get("issuer"))) if v})
    models = [{"kind": f["kind"], "components": f["components"], "place": f["place"]["name"],
               "level": f["level"], "status": f["status"], "when": f["when"],
               "evidence": f["evidence"]["text"]} for f in facts(g)]
    return {"province": province, "documents": documents, "models": models}
