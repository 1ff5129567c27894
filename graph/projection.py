"""networkx projection of the knowledge graph, built from the named `projection_*.rq` queries.

Not rdflib's `rdflib_to_networkx_*` (which turns every literal into a node): nodes here are the things a
reader cares about — pilot models, places, agencies and positions, legal documents, articles — with plain
attributes (str/int only, never None or rdflib terms) so every networkx writer accepts them. The graph is
a MultiDiGraph, node ids are IRIs:

- model → agency/position `component` (and `result`),
- model → place `status`: one edge per status event (key = event IRI) with status, when, start/end
  (ISO dates: `start` = the event's periodStart, `end` = the next event's start on the same application)
  so that GEXF plays the pilots' history on Gephi's timeline,
- legal document → model `decided` (per event), article → model `reports`, article → province `about`,
- place → place `part_of`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.named import get
from graph.palette import node_type
from graph.store import Store
from graph.terms import IRI
from ontology import concept

NODE_TYPES = ("model", "place", "agency", "position", "document", "article")
_CLASS_TYPE = {
    "https://w3id.org/bomay/ontology#Agency": "agency",
    "https://w3id.org/bomay/ontology#Position": "position",
}


def _local(iri: str | None) -> str:
    """Local name of an IRI with `-` as `_` (the facts JSON spelling: not_implemented, central_city)."""
    if not iri:
        return ""
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("-", "_")


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """Drop None/empty values and make sure every value is a plain str, int, float or bool."""
    out = {}
    for k, v in attrs.items():
        if v is None or v == "":
            continue
        out[k] = v if isinstance(v, str | int | float | bool) else str(v)
    return out


def _rows(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a projection query; an empty list parameter means "none of them" (no query at all)."""
    if any(isinstance(v, list) and not v for v in params.values()):
        return []
    bound = {k: ([IRI(x) for x in v] if isinstance(v, list) else IRI(v))
             for k, v in params.items() if v is not None}
    return store.select(get(name).text, **bound)


def project(
    store: Store,
    province: str | None = None,
    model: str | None = None,
    place: str | None = None,
    radius: int | None = None,
    document: str | None = None,
    article: str | None = None,
    component: str | None = None,
) -> nx.MultiDiGraph:
    """The projection of the whole graph, or of a province, a model, or a place's neighbourhood.

    `province`, `model`, `place` are IRIs. With `place` and `radius` k, the result is the place's
    neighbourhood: every node within k edges of it (edges taken in either direction) in the projection
    of the whole graph (or of the province/model when also given). `document`, `article` and
    `component` keep the events a legal document decided, an article reported, or of the models with
    that agency or position.
    """
    # a component's models come from the (small) model rows; a document's or an article's events are kept
    # from the rows, as a FILTER in the query would (a FILTER there slows every other call of it)
    models_of: str | list[str] | None = model
    if component is not None:
        models_of = sorted({r["model"] for r in _rows(store, "projection_models")
                            if component in (r.get("component"), r.get("result"))
                            and model in (None, r["model"])})
    events = _rows(store, "projection_events", model=models_of, inProvince=province,
                   place=place if radius is None else None)
    events = [e for e in events
              if document in (None, e.get("document")) and article in (None, e.get("article"))]
    filtered = any(x is not None for x in (province, model, place, document, article, component))
    G = nx.MultiDiGraph(name="bomay")

    models = sorted({e["model"] for e in events})
    places = sorted({e["place"] for e in events})
    documents = sorted({e["document"] for e in events if e.get("document")})
    articles = sorted({e["article"] for e in events if e.get("article")})

    _add_models(G, _rows(store, "projection_models", model=models if filtered else None), models)
    _add_places(store, G, places, filtered)
    for row in _rows(store, "projection_documents", document=documents if filtered else None):
        G.add_node(row["document"], **_clean({
            "type": "document", "iri": row["document"], "label": row.get("label") or row.get("number"),
            "number": row.get("number"), "date": row.get("date"), "kind": _local(row.get("kind")),
            "issuer": row.get("issuerLabel")}))
    for row in _rows(store, "projection_articles", article=articles if filtered else None):
        G.add_node(row["article"], **_clean({
            "type": "article", "iri": row["article"], "label": row.get("title") or row.get("docId"),
            "doc_id": row.get("docId")}))
        if row.get("spatial") and G.has_node(row["spatial"]):
            G.add_edge(row["article"], row["spatial"], key="about", relation="about", label="về")
    _add_events(G, events)
    timeline(G)

    if place is not None and radius is not None:
        if place not in G:
            return nx.MultiDiGraph(name="bomay")
        G = nx.MultiDiGraph(nx.ego_graph(G, place, radius=radius, undirected=True))
    return G


def timeline(G: nx.MultiDiGraph) -> None:
    """Give every node and edge the interval it has on the status timeline, for Gephi's timeline.

    Status (and decided) edges hold from their event's start to the next event of the application. A node
    lives from its first timed edge's start, and ends only when every one of those edges has ended. An
    untimed edge (component, part_of, reports, about) lives while both its ends do; a node timed by none
    of the events (an agency, a province) then takes its interval from those edges.
    """
    def span(edges: list[dict[str, Any]]) -> dict[str, str]:
        starts = [d["start"] for d in edges if "start" in d]
        if not starts:
            return {}
        out = {"start": min(starts)}
        ends = [d.get("end") for d in edges if "start" in d]
        if all(ends):
            out["end"] = max(ends)
        return out

    def incident(n: str) -> list[dict[str, Any]]:
        return [d for *_, d in G.in_edges(n, data=True)] + [d for *_, d in G.out_edges(n, data=True)]

    for n, d in G.nodes(data=True):
        d.update(span(incident(n)))
    for u, v, d in G.edges(data=True):
        if "start" in d:
            continue
        ends = [G.nodes[x] for x in (u, v) if "start" in G.nodes[x]]
        if ends:
            d["start"] = max(x["start"] for x in ends)
            closes = [x["end"] for x in ends if "end" in x]
            if closes and min(closes) > d["start"]:
                d["end"] = min(closes)
    for n, d in G.nodes(data=True):
        if "start" not in d:
            d.update(span(incident(n)))


def _add_models(G: nx.MultiDiGraph, rows: list[dict[str, Any]], wanted: list[str]) -> None:
    for row in rows:
        m = row["model"]
        if not G.has_node(m):
            G.add_node(m, **_clean({"type": "model", "iri": m, "label": row.get("label") or _local(m),
                                    "kind": _local(row.get("kind")), "level": _local(row.get("level"))}))
        for rel, node, label, cls in (
            ("component", row.get("component"), row.get("componentLabel"), row.get("componentClass")),
            ("result", row.get("result"), row.get("resultLabel"), None),
        ):
            if not node:
                continue
            if not G.has_node(node):
                kind = _CLASS_TYPE.get(cls or "") or ("position" if "/position/" in node else "agency")
                G.add_node(node, **_clean({"type": kind, "iri": node, "label": label or _local(node)}))
            if not G.has_edge(m, node, key=rel):
                G.add_edge(m, node, key=rel, relation=rel,
                           label="thành phần" if rel == "component" else "kết quả")


def _add_places(store: Store, G: nx.MultiDiGraph, places: list[str], filtered: bool) -> None:
    """Places of the events and their ancestors (part_of edges), with type and code."""
    todo, seen = list(places), set()
    info: dict[str, dict[str, Any]] = {}
    while todo:
        batch = [p for p in todo if p not in seen]
        seen.update(batch)
        if not batch:
            break
        todo = []
        for row in _rows(store, "projection_places", place=batch):
            p = row["place"]
            cur = info.setdefault(p, {"label": row.get("label"), "parents": set(), "class": None})
            cls = _local(row.get("class"))
            if cls and cls != "AdministrativeUnit":
                cur["class"] = cls
            cur["unit_type"] = _local(row.get("unitType")) or cur.get("unit_type")
            cur["code"] = row.get("code") or cur.get("code")
            if row.get("parent"):
                cur["parents"].add(row["parent"])
                todo.append(row["parent"])
    for p in sorted(info):
        d = info[p]
        G.add_node(p, **_clean({"type": "place", "iri": p, "label": d["label"] or _local(p),
                                "unit_type": d.get("unit_type") or _snake(d["class"]),
                                "code": d.get("code")}))
    for p in sorted(info):
        for parent in sorted(info[p]["parents"]):
            if parent in info:
                G.add_edge(p, parent, key="part_of", relation="part_of", label="thuộc")


def status_label(status: str) -> str:
    """The status's Vietnamese prefLabel, the label the explorer shows; the key itself when unknown."""
    try:
        return concept("status", status).pref_vi or status
    except KeyError:
        return status


def _snake(name: str | None) -> str | None:
    if not name:
        return None
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _add_events(G: nx.MultiDiGraph, events: list[dict[str, Any]]) -> None:
    """model → place edge per status event, with start/end for the timeline; decided/reports edges."""
    by_app: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_app[e["app"]].append(e)
    for app_events in by_app.values():
        dated = sorted({e["periodStart"] for e in app_events if e.get("periodStart")})
        for e in app_events:
            start = e.get("periodStart")
            later = [d for d in dated if start and d > start]
            status = _local(e["status"])
            vi = status_label(status)
            attrs = _clean({
                "relation": "status", "status": status, "status_label": vi,
                "label": f"{vi} {e.get('when') or ''}".strip(),
                "when": e.get("when"), "start": start, "end": later[0] if later else None,
                "count": e.get("count"), "document": e.get("document"), "article": e.get("article"),
                "evidence": e.get("exact"), "event": e["event"], "application": e["app"],
            })
            G.add_edge(e["model"], e["place"], key=e["event"], **attrs)
            if e.get("document") and G.has_node(e["document"]):
                G.add_edge(e["document"], e["model"], key=e["event"] + "#decided", relation="decided",
                           label=vi, status=status, status_label=vi,
                           **_clean({"start": start, "end": attrs.get("end")}))
            if e.get("article") and G.has_node(e["article"]) and not G.has_edge(e["article"], e["model"],
                                                                                  key="reports"):
                G.add_edge(e["article"], e["model"], key="reports", relation="reports", label="đưa tin")


# -- the explorer's view of a projection ------------------------------------------------------------------
_EXPLORER_RELATIONS = {"status", "component", "result", "decided", "part_of", "reports"}


@dataclass
class ExplorerView:
    """The projection as the explorer draws it: typed nodes, labelled edges, and the facts (one per
    status event) its detail panel and timeline list. Plain JSON values only."""

    focus: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"focus": self.focus, "nodes": self.nodes, "edges": self.edges, "facts": self.facts}


def _article_id(iri: str | None) -> str | None:
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else None


def explorer_view(G: nx.MultiDiGraph, focus: str) -> ExplorerView:
    """Nodes, edges and facts of projection `G` for the explorer, around the resource `focus`.

    A place carries every status reported for it (not only the last one), a model its level, a place its
    parent unit (the explorer groups places by it). Articles are sources, shown with the facts; only a
    focused article is drawn, with its `reports` edges.
    """
    view = ExplorerView(focus=focus)
    label = {n: d.get("label") or n for n, d in G.nodes(data=True)}
    status_edges = sorted(
        ((u, v, d) for u, v, d in G.edges(data=True) if d.get("relation") == "status"),
        key=lambda t: (t[2].get("start") or t[2].get("when") or "", t[2].get("event", "")),
    )
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[str, str] = {}
    for _, place, d in status_edges:
        statuses[place][d["status"]] += 1
        latest[place] = d["status"]
    for n, d in sorted(G.nodes(data=True), key=lambda t: t[0]):
        if d.get("type") == "article" and n != focus:
            continue
        node: dict[str, Any] = {"id": n, "label": label[n], "type": node_type(d)}
        if d.get("type") == "model" and d.get("level"):
            node["level"] = d["level"]
        if d.get("type") == "place":
            parents = sorted(v for _, v, rel in G.out_edges(n, data="relation") if rel == "part_of")
            node["parent"] = parents[0] if parents else None
            node["status"] = latest.get(n)
            node["statuses"] = [
                {"status": st, "label": status_label(st), "count": c}
                for st, c in sorted(statuses[n].items(), key=lambda sc: (-sc[1], sc[0]))
            ]
        if n == focus:
            node["focus"] = True
        view.nodes.append(node)
    drawn = {n["id"] for n in view.nodes}
    for u, v, d in G.edges(data=True):
        if d.get("relation") not in _EXPLORER_RELATIONS or u not in drawn or v not in drawn:
            continue
        edge = {"source": u, "target": v, "relation": d["relation"], "label": d.get("label", "")}
        for key in ("status", "when", "start", "event"):
            if key in d:
                edge[key] = d[key]
        view.edges.append(edge)
    for model, place, d in status_edges:
        doc = d.get("document")
        view.facts.append({
            "event": d["event"], "model": model, "model_label": label[model],
            "place": place, "place_label": label[place],
            "status": d["status"], "status_label": d.get("status_label") or status_label(d["status"]),
            "when": d.get("when"), "start": d.get("start"), "end": d.get("end"), "count": d.get("count"),
            "document": doc, "document_label": label.get(doc) if doc else None,
            "article_id": _article_id(d.get("article")),
            "evidence": {"text": d.get("evidence")},
        })
    return view


# The explorer's id prefixes (after `id/`) and the projection filter each one names.
FOCUS_FILTERS = {"model/": "model", "legal/": "document", "article/": "article", "agency/": "component",
                 "position/": "component"}


def neighbourhood(store: Store, focus_id: str, iri: str) -> dict[str, Any]:
    """The explorer's view around one resource (`focus_id` as the explorer names it, `iri` its IRI): a
    province's whole graph, a place's neighbourhood, or the facts of a model, document, article or
    component. Run in a query worker, so the time limit stops it like a query."""
    if focus_id.startswith("unit/"):
        from graph import resolve

        try:
            resolve.unit(store, iri, province=True)
            G = project(store, province=iri)
        except LookupError:
            G = project(store, place=iri)
    else:
        G = project(store, **{FOCUS_FILTERS[focus_id[: focus_id.index("/") + 1]]: iri})
    return explorer_view(G, iri).as_json()
