"""Facts → the triples of one article's named graph (ARCHITECTURE.md: IRIs and terms).

IRIs are minted from content, never counters or blank nodes, so re-running an extraction gives
the same triples, and models, units and legal documents named alike in two articles are one node.
Provenance: status event → evidence span (position and quote selectors) → source article.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

import ontology
from ontology.namespaces import BOMAY, ID, OA, PREFIXES, PROV, VOCAB, article_graph
from ontology.text import fold, slug

from .lexicon import load
from .normalise import prepare
from .roles import canonical_key, concept_of, distinct_components, model_keys

DCTERMS = Namespace("http://purl.org/dc/terms/")


def bind_prefixes(graph: Graph) -> Graph:
    """The project's prefixes on `graph` (for readable Turtle)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _key_slug(key: str) -> str:
    """A component key (concept IRI or folded text) as an IRI-safe slug."""
    return key.rsplit("/", 1)[-1] if key.startswith("http") else slug(key)


def model_iri(kind: str, level: str | None, keys: list[str]) -> URIRef:
    """model/<kind>/<level>/<sorted component keys>: one node for one model, whatever the article."""
    local = "--".join(sorted({_key_slug(k) for k in keys})) or "_"
    return URIRef(ID[f"model/{kind}/{level or '_'}/{local}"])


def place_iri(place: dict, province: str | None) -> URIRef:
    """The gazetteer's unit IRI, else a name-based one under unit/_/."""
    if place.get("iri"):
        return URIRef(place["iri"])
    name = place.get("name") or "_"
    if fold(name) == "toan quoc":
        return URIRef(ID["unit/_/toan-quoc"])
    return URIRef(ID[f"unit/_/{slug(province or '_')}/{slug(name)}"])


def legal_iri(doc: dict) -> URIRef:
    """legal/<issuer slug or _>/<number slug>/<year or _>."""
    issuer = slug(doc["issuer"]) if doc.get("issuer") else "_"
    year = doc["date"][:4] if doc.get("date") else "_"
    return URIRef(ID[f"legal/{issuer}/{slug(doc['number'])}/{year}"])


@cache
def _document_kinds() -> dict[str, str]:
    """Folded Vietnamese kind name → document-kind slug."""
    return {fold(c.pref_vi): c.slug for c in ontology.concepts("document-kind")}


def _kind_slug(kind: str | None) -> str | None:
    if not kind:
        return None
    kinds = _document_kinds()
    key = fold(kind)
    if key in kinds:
        return kinds[key]
    for name in sorted(kinds, key=len, reverse=True):
        if key.endswith(name) or key.startswith(name):
            return kinds[name]
    return None


def _period_start(when: str) -> dt.date | None:
    try:
        if len(when) == 4:
            return dt.date(int(when), 1, 1)
        if "-Q" in when:
            y, q = when.split("-Q")
            return dt.date(int(y), 3 * (int(q) - 1) + 1, 1)
        if len(when) == 7:
            return dt.date(int(when[:4]), int(when[5:7]), 1)
        return dt.date.fromisoformat(when)
    except ValueError:
        return None


@cache
def _pref_labels() -> dict[str, str]:
    """vi prefLabel of every agency and position type and level, by IRI."""
    return {c.iri: c.pref_vi for scheme in ("agency-type", "position-type", "level")
            for c in ontology.concepts(scheme)}


def _model_label(kind: str, components: list[str], result: str | None) -> str:
    if kind == "concurrent_position":
        return " đồng thời là ".join(components)
    if kind == "merger":
        label = "Hợp nhất " + ", ".join(components)
        return f"{label} thành {result}" if result else label
    return components[0] if components else "Mô hình"


def _canonical_label(f: dict, keys: list[str]) -> str | None:
    """The model's label from its vocabulary concepts, the same whichever article words it; None when a
    component is not in the vocabularies (then the article's own wording is the only label there is)."""
    labels = _pref_labels()
    if not keys or f.get("result") or any(k not in labels for k in keys):
        return None
    parts = [labels[k] for k in keys]
    level = labels.get(str(VOCAB[f"level/{f['level']}"])) if f.get("level") else None
    label = _model_label(f["kind"], parts, None)
    return f"{label} ({level.lower()})" if level else label


def capitalised(label: str) -> str:
    """The label with a capital first letter ("Người đứng đầu UBND..."), the rest as written."""
    return label[:1].upper() + label[1:]


def _add_component(g: Graph, text: str, key: str, concept: str | None, position: bool) -> URIRef:
    node = URIRef(ID[f"{'position' if position else 'agency'}/{_key_slug(key)}"])
    g.add((node, RDF.type, BOMAY.Position if position else BOMAY.Agency))
    g.add((node, RDFS.label, Literal(text, lang="vi")))
    g.add((node, BOMAY.searchKey, Literal(fold(text))))
    if concept:
        g.add((node, BOMAY.positionType if position else BOMAY.agencyType, URIRef(concept)))
    return node


def _add_legal(g: Graph, doc: dict) -> URIRef:
    node = legal_iri(doc)
    kind = _kind_slug(doc.get("kind"))
    cls = load("rdf")["document_classes"].get(kind or "", None)
    g.add((node, RDF.type, BOMAY[cls] if cls else BOMAY.LegalDocument))
    g.add((node, BOMAY.documentNumber, Literal(doc["number"])))
    label = f"{doc.get('kind') or 'Văn bản'} {doc['number']}"
    g.add((node, RDFS.label, Literal(label, lang="vi")))
    g.add((node, BOMAY.searchKey, Literal(fold(label))))
    if kind:
        g.add((node, BOMAY.documentKind, URIRef(VOCAB[f"document-kind/{kind}"])))
    if doc.get("date"):
        g.add((node, DCTERMS.date, Literal(doc["date"], datatype=XSD.date)))
    if doc.get("issuer"):
        issuer = URIRef(ID[f"agency/{slug(doc['issuer'])}"])
        g.add((node, BOMAY.issuer, issuer))
        g.add((issuer, RDF.type, BOMAY.Agency))
        g.add((issuer, RDFS.label, Literal(doc["issuer"], lang="vi")))
    return node


def _add_evidence(g: Graph, doc_id: str, article: URIRef, text: str, ev: dict) -> URIRef:
    start, end = int(ev["start"]), int(ev["end"])
    node = URIRef(ID[f"evidence/{doc_id}/{start}-{end}"])
    ctx = load("rdf")["quote_context"]
    pos, quote = URIRef(f"{node}/position"), URIRef(f"{node}/quote")
    g.add((node, RDF.type, BOMAY.EvidenceSpan))
    g.add((node, RDF.type, OA.SpecificResource))
    g.add((node, OA.hasSource, article))
    g.add((node, OA.hasSelector, pos))
    g.add((node, OA.hasSelector, quote))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((pos, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(text[start:end])))
    g.add((quote, OA.prefix, Literal(text[max(0, start - ctx):start])))
    g.add((quote, OA.suffix, Literal(text[end:end + ctx])))
    return node


def position_kind(f: dict) -> bool:
    """Concurrent posts keep the article's order of posts; merged parts are a set."""
    return f["kind"] == "concurrent_position"


def facts_to_graph(facts: dict, text: str) -> Graph:
    """The triples of the article's named graph (identifier graph/article/<doc_id>)."""
    doc_id = facts["id"]
    body = prepare(text).text
    g = bind_prefixes(Graph(identifier=article_graph(doc_id)))
    article = URIRef(ID[f"article/{doc_id}"])
    g.add((article, RDF.type, BOMAY.SourceDocument))
    g.add((article, DCTERMS.identifier, Literal(doc_id)))
    if facts.get("title"):
        # the title is the article's label, and found by search like every other label
        g.add((article, DCTERMS.title, Literal(facts["title"], lang="vi")))
        g.add((article, RDFS.label, Literal(facts["title"], lang="vi")))
        g.add((article, BOMAY.searchKey, Literal(fold(facts["title"]))))
    g.add((article, BOMAY.text, Literal(body)))
    legal: dict[str, URIRef] = {}
    for doc in facts.get("documents", []):
        node = _add_legal(g, doc)
        legal[doc["number"]] = node
        g.add((article, DCTERMS.references, node))
    province = facts.get("province")
    models = load("rdf")["model_classes"]
    for n, f in enumerate(facts.get("models", [])):
        model = model_iri(f["kind"], f["level"], model_keys(f["components"]))
        g.add((model, RDF.type, BOMAY[models[f["kind"]]]))
        g.add((model, RDF.type, BOMAY.PilotModel))
        g.add((model, BOMAY.modelKind, URIRef(VOCAB[f"model-kind/{f['kind']}"])))
        if f["level"]:
            g.add((model, BOMAY.level, URIRef(VOCAB[f"level/{f['level']}"])))
        wording = _model_label(f["kind"], f["components"], f.get("result"))
        parts = distinct_components(f["components"])
        label = capitalised(
            _canonical_label(f, [key for _, key in parts])
            or _model_label(f["kind"], [text for text, _ in parts], f.get("result"))
        )
        g.add((model, RDFS.label, Literal(label, lang="vi")))
        g.add((model, BOMAY.searchKey, Literal(fold(label))))
        if wording != label:
            g.add((model, SKOS.altLabel, Literal(wording, lang="vi")))
            g.add((model, BOMAY.searchKey, Literal(fold(wording))))
        position = position_kind(f)
        for text, key in parts:
            g.add((model, BOMAY.component, _add_component(g, text, key, concept_of(text), position)))
        if f.get("result"):
            res = canonical_key(f["result"])
            g.add((model, BOMAY.result, _add_component(g, f["result"], res, None, False)))
        place = place_iri(f["place"], province)
        g.add((place, RDF.type, BOMAY.AdministrativeUnit))
        if f["place"].get("name"):
            g.add((place, RDFS.label, Literal(f["place"]["name"], lang="vi")))
        if f["place"].get("code"):
            g.add((place, BOMAY.unitCode, Literal(f["place"]["code"])))
        model_local = str(model).split("/model/", 1)[1]
        unit_local = str(place).split("/unit/", 1)[1]
        app = URIRef(ID[f"application/{model_local}/{unit_local}"])
        g.add((app, RDF.type, BOMAY.PilotApplication))
        g.add((app, BOMAY.model, model))
        g.add((app, BOMAY.place, place))
        event = URIRef(ID[f"event/{doc_id}/{n}"])
        g.add((app, BOMAY.statusEvent, event))
        g.add((event, RDF.type, BOMAY.StatusEvent))
        g.add((event, BOMAY.status, URIRef(VOCAB[f"status/{f['status']}"])))
        if f.get("when"):
            g.add((event, BOMAY.when, Literal(f["when"])))
            start = _period_start(f["when"])
            if start:
                g.add((event, BOMAY.periodStart, Literal(start, datatype=XSD.date)))
        if f.get("count"):
            g.add((event, BOMAY["count"], Literal(f["count"])))
        if f.get("decided_by") in legal:
            g.add((event, BOMAY.decidedBy, legal[f["decided_by"]]))
        if f.get("rule"):
            g.add((event, BOMAY.rule, Literal(f["rule"])))
            activity = URIRef(ID[f"extraction/{doc_id}"])
            g.add((activity, RDF.type, PROV.Activity))
            g.add((activity, PROV.used, URIRef(ID[f"rule/{f['rule']}"])))
            g.add((URIRef(ID[f"rule/{f['rule']}"]), RDFS.label, Literal(f"mẫu {f['rule']}", lang="vi")))
            g.add((event, PROV.wasGeneratedBy, activity))
        if f.get("confidence") is not None:
            g.add((event, BOMAY.confidence, Literal(f"{f['confidence']:.2f}", datatype=XSD.decimal)))
        ev = _add_evidence(g, doc_id, article, body, f["evidence"])
        g.add((event, BOMAY.evidence, ev))
        g.add((event, PROV.wasDerivedFrom, article))
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", facts.get("source") or ""):
        g.add((article, DCTERMS.source, URIRef(facts["source"])))
    if facts.get("date"):
        g.add((article, DCTERMS.issued, Literal(facts["date"], datatype=XSD.date)))
    if facts.get("province_iri"):
        g.add((article, DCTERMS.spatial, URIRef(facts["province_iri"])))
    return g
