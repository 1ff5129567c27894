"""Exports of the whole graph or of a subgraph (a province, a model, a place's neighbourhood).

RDF formats (Turtle, N-Triples, JSON-LD; TriG and N-Quads keep the named graphs) come from the store;
graph formats (GraphML for yEd/Gephi, GEXF with a timeline, Cytoscape.js JSON, node-link JSON, DOT, SVG)
come from the networkx projection (graph.projection).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph, URIRef

from graph.formats import GRAPH_FORMATS as RDF
from graph.formats import Format
from graph.named import get
from graph.palette import edge_colour, node_colour, palette, rgb
from graph.projection import project
from graph.store import Store
from graph.terms import IRI

# The RDF formats an export is written in (graph.formats knows their media types and extensions)...
RDF_FORMATS: dict[str, Format] = {k: RDF[k] for k in ("turtle", "ntriples", "jsonld", "trig", "nquads")}
# ...and the graph-visualisation formats of the projection: name → (media type, extension).
GRAPH_FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "cytoscape": ("application/json", "cyjs"),
    "nodelink": ("application/json", "json"),
    "dot": ("text/vnd.graphviz", "dot"),
    "svg": ("image/svg+xml", "svg"),
}
FORMATS = sorted([*RDF_FORMATS, *GRAPH_FORMATS])
ALIASES = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "nq": "nquads", "node-link": "nodelink",
           "cyjs": "cytoscape", "graphviz": "dot", "yed": "graphml"}

STATUS_COLOURS: dict[str, str] = palette()["status"]


class ExportTooLarge(Exception):
    """The export would hold more triples, nodes or edges than the operator's result limit."""


# What run_export raises when the export cannot be made, and the reason the API answers with (404, 400,
# 501): every engine running exports maps them through `refusal`.
REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (LookupError, "nothing_matches"),  # a filter that names nothing
    (ValueError, "bad_filter"),  # a filter or format that cannot be read
    (RuntimeError, "not_available"),  # a tool this machine lacks (graphviz for SVG)
)


def refusal(exc: Exception) -> tuple[str, str] | None:
    """(reason, message) for an exception of REFUSALS, else None (not a refusal: let it through)."""
    for kind, reason in REFUSALS:
        if isinstance(exc, kind):
            return reason, str(exc)
    return None


@dataclass(frozen=True)
class ExportRequest:
    """One export as a user asks for it: the format, and the filters as words, ids or IRIs.

    The CLI runs it on its store, the service in a query worker under the query time limit (a worker
    past the limit is killed, so an export can never outlive it)."""

    format: str
    province: str | None = None
    model: str | None = None
    place: str | None = None
    radius: int | None = None

    def subgraph(self, store: Store) -> Subgraph:
        """The filters resolved to IRIs (LookupError when one names nothing)."""
        from graph import resolve

        return Subgraph(
            province=resolve.unit(store, self.province, province=True) if self.province else None,
            model=resolve.model(store, self.model) if self.model else None,
            place=resolve.unit(store, self.place) if self.place else None,
            radius=(self.radius if self.radius is not None else 1) if self.place else None,
        )


def run_export(store: Store, request: ExportRequest, limit: int | None = None) -> tuple[bytes, str]:
    """The exported file and its media type; ExportTooLarge past `limit` (triples, or nodes + edges)."""
    fmt = ALIASES.get(request.format, request.format)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {request.format!r}; one of {', '.join(FORMATS)}")
    return export(store, fmt, request.subgraph(store), limit=limit), media_type(fmt)


@dataclass
class Subgraph:
    """Which part of the graph to export; all None = everything."""

    province: str | None = None
    model: str | None = None
    place: str | None = None
    radius: int | None = None

    @property
    def whole(self) -> bool:
        return self.province is None and self.model is None and self.place is None


def media_type(fmt: str) -> str:
    """Media type of an export format name."""
    fmt = ALIASES.get(fmt, fmt)
    return RDF_FORMATS[fmt].media if fmt in RDF_FORMATS else GRAPH_FORMATS[fmt][0]


def extension(fmt: str) -> str:
    """Usual file extension of an export format name."""
    fmt = ALIASES.get(fmt, fmt)
    return RDF_FORMATS[fmt].extension if fmt in RDF_FORMATS else GRAPH_FORMATS[fmt][1]


def export(store: Store, fmt: str, sub: Subgraph | None = None, limit: int | None = None) -> bytes:
    """The export in format `fmt` (see FORMATS) of the whole graph or of `sub`."""
    fmt = ALIASES.get(fmt, fmt)
    sub = sub or Subgraph()
    if fmt in RDF_FORMATS:
        return export_rdf(store, fmt, sub, limit)
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    G = project(store, province=sub.province, model=sub.model, place=sub.place, radius=sub.radius)
    _check_size(G.number_of_nodes() + G.number_of_edges(), limit)
    return write_graph(G, fmt)


def _check_size(n: int, limit: int | None) -> None:
    if limit is not None and n > limit:
        raise ExportTooLarge(limit)


# -- RDF -------------------------------------------------------------------------------------------------
def resources(G: nx.MultiDiGraph) -> list[str]:
    """Every IRI a projection stands for: its nodes, and the events and applications on its edges."""
    out = {d["iri"] for _, d in G.nodes(data=True) if "iri" in d}
    for *_, d in G.edges(data=True):
        out.update(d[k] for k in ("event", "application") if k in d)
    return sorted(out)


def rdf_dataset(store: Store, sub: Subgraph | None = None, limit: int | None = None) -> Dataset:
    """Our named graphs, whole or restricted to the triples about a subgraph's resources.

    Only the graphs that mention one of the resources are read (one query finds them), so the cost
    follows the subgraph, not the number of articles in the store."""
    sub = sub or Subgraph()
    if sub.whole:
        return store.dataset()
    G = project(store, province=sub.province, model=sub.model, place=sub.place, radius=sub.radius)
    iris = [IRI(i) for i in resources(G)]
    ds = Dataset()
    if not iris:
        return ds
    holding = store.select(get("subgraph_graphs").text, s=iris)
    size = 0
    for g in sorted(str(r["g"]) for r in holding):
        part = store.construct(get("subgraph").text, s=iris, g=IRI(g))
        size += len(part)
        _check_size(size, limit)
        if len(part):
            target = ds.graph(URIRef(g))
            for t in part:
                target.add(t)
    return ds


def reviewed_graph(store: Store, sub: Subgraph | None = None, limit: int | None = None) -> Graph:
    """The default graph (the reviewed view), whole or restricted to the triples about a subgraph's
    resources: what a triple format exports, so that an export says what every other answer says."""
    sub = sub or Subgraph()
    if sub.whole:
        out = store.construct(get("subgraph_reviewed").text)
    else:
        G = project(store, province=sub.province, model=sub.model, place=sub.place, radius=sub.radius)
        iris = [IRI(i) for i in resources(G)]
        out = store.construct(get("subgraph_reviewed").text, s=iris) if iris else Graph()
    _check_size(len(out), limit)
    _bind(out)
    return out


def _bind(g: Graph) -> None:
    from ontology.namespaces import PREFIXES

    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)


def export_rdf(store: Store, fmt: str, sub: Subgraph | None = None, limit: int | None = None) -> bytes:
    """Turtle/N-Triples/JSON-LD of the union, or TriG/N-Quads with the named graphs kept."""
    out_format = RDF_FORMATS[fmt]
    rdflib_format = out_format.rdflib
    dump = getattr(store, "dump_rdf", None)
    if dump is not None and (sub is None or sub.whole):
        from ontology.namespaces import PREFIXES

        return dump(out_format.media, {p: str(ns) for p, ns in PREFIXES.items()})
    if out_format.datasets:
        return rdf_dataset(store, sub, limit).serialize(format=rdflib_format, encoding="utf-8")
    g = reviewed_graph(store, sub, limit)
    if fmt == "jsonld":
        from ontology.namespaces import PREFIXES

        return g.serialize(format="json-ld", encoding="utf-8",
                           context={p: str(ns) for p, ns in PREFIXES.items()})
    return g.serialize(format=rdflib_format, encoding="utf-8")


# -- graph formats ---------------------------------------------------------------------------------------
def write_graph(G: nx.MultiDiGraph, fmt: str) -> bytes:
    """Serialise a projection in one of GRAPH_FORMATS."""
    if fmt == "graphml":
        return to_graphml(G)
    if fmt == "gexf":
        return to_gexf(G)
    if fmt == "cytoscape":
        return json.dumps(to_cytoscape(G), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "nodelink":
        return json.dumps(nx.node_link_data(G, edges="edges"), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "dot":
        return to_dot(G).encode("utf-8")
    if fmt == "svg":
        return to_svg(G)
    raise ValueError(f"unknown graph format {fmt!r}")


LAYOUT_SEED = 18  # the same graph is laid out the same way in every export and every run
LAYOUT_SCALE = 1000.0


def positions(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Seeded spring-layout positions (undirected, one edge per pair), so every tool opens a laid-out graph.

    networkx lays out 500 nodes or more with scipy; without it such a graph falls back to a circle.
    """
    if not len(G):
        return {}
    H = nx.Graph(G.to_undirected(as_view=True))
    try:
        pos = nx.spring_layout(H, seed=LAYOUT_SEED, scale=LAYOUT_SCALE)
    except ImportError:
        pos = nx.circular_layout(H, scale=LAYOUT_SCALE)
    return {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in pos.items()}


def node_size(G: nx.MultiDiGraph, n: str) -> float:
    """Drawn size of a node: grows with the square root of its degree, so hubs stand out without swamping."""
    return round(10.0 + 6.0 * G.degree(n) ** 0.5, 2)


def to_gexf(G: nx.MultiDiGraph) -> bytes:
    """GEXF for Gephi: viz colour, size and position on every node, viz colour on every edge, and the
    start/end intervals of the projection's timeline (networkx writes them as attributes of the element)."""
    H = G.copy()
    pos = positions(H)
    for n, d in H.nodes(data=True):
        r, g, b = rgb(node_colour(d))
        x, y = pos[n]
        d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": node_size(G, n),
                    "position": {"x": x, "y": y, "z": 0.0}}
    for *_, d in H.edges(data=True):
        r, g, b = rgb(edge_colour(d))
        d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
    buf = BytesIO()
    nx.write_gexf(H, buf)
    return buf.getvalue()


def read_node_link(data: dict[str, Any] | str | bytes) -> nx.MultiDiGraph:
    """Read node-link JSON, whether its edges are under `edges` (networkx ≥ 3.4) or `links` (older)."""
    if isinstance(data, str | bytes):
        data = json.loads(data)
    key = "edges" if "edges" in data else "links"
    return nx.node_link_graph(data, directed=True, multigraph=True, edges=key)


def to_cytoscape(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js elements JSON: every node's `name` is its label, `color`/`size` from the palette and
    its degree, `position` from the shared layout; `style` (cytoscape_style) so it opens coloured."""
    H = G.copy()
    for n, d in H.nodes(data=True):
        d.setdefault("name", d.get("label", ""))
        d["color"] = node_colour(d)
        d["size"] = node_size(G, n)
    for *_, d in H.edges(data=True):
        d["color"] = edge_colour(d)
    out = nx.cytoscape_data(H)
    pos = {str(n): xy for n, xy in positions(G).items()}
    for element in out["elements"]["nodes"]:
        x, y = pos[element["data"]["id"]]
        element["position"] = {"x": x, "y": -y}  # screen y grows downwards
    out["style"] = cytoscape_style()[0]["style"]
    return out


def cytoscape_style() -> list[dict[str, Any]]:
    """A Cytoscape style file (the `cyjs` style JSON Cytoscape desktop imports; its `style` list is what
    cytoscape.js takes): colours, sizes and labels mapped from the element data the export writes."""
    return [{
        "format_version": "1.0",
        "generated_by": "bomay-kg",
        "target_cytoscapejs_version": "~3.0",
        "title": "Bộ Máy KG",
        "style": [
            {"selector": "node", "css": {
                "background-color": "data(color)", "label": "data(label)", "width": "data(size)",
                "height": "data(size)", "font-size": 10, "text-valign": "bottom", "color": "#222222"}},
            {"selector": "node[type = 'place']", "css": {"shape": "ellipse"}},
            {"selector": "node[type != 'place']", "css": {"shape": "round-rectangle"}},
            {"selector": "edge", "css": {
                "line-color": "data(color)", "target-arrow-color": "data(color)",
                "target-arrow-shape": "triangle", "curve-style": "bezier", "width": 1.5}},
            {"selector": "edge[relation = 'status']", "css": {"label": "data(label)", "font-size": 8,
                                                               "width": 3}},
        ],
    }]


_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_Y_NS = "http://www.yworks.com/xml/graphml"
_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _attr_keys(items: list[dict[str, Any]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for d in items:
        for k, v in d.items():
            t = _TYPES.get(type(v), "string")
            if keys.get(k, t) != t:
                t = "string"
            keys[k] = t
    return keys


def to_graphml(G: nx.MultiDiGraph) -> bytes:
    """GraphML with plain data keys (networkx, Gephi: x, y, size, color among them) plus yFiles ShapeNode/
    NodeLabel and PolyLineEdge/EdgeLabel graphics, which is what yEd needs to show labels and positions."""
    ET.register_namespace("", _GRAPHML_NS)
    ET.register_namespace("y", _Y_NS)
    g_ns, y_ns = f"{{{_GRAPHML_NS}}}", f"{{{_Y_NS}}}"
    root = ET.Element(g_ns + "graphml")
    pos = positions(G)
    placed = {n: {"x": pos[n][0], "y": -pos[n][1], "size": node_size(G, n), "color": node_colour(d)}
              for n, d in G.nodes(data=True)}
    node_keys = _attr_keys([{**d, **placed[n]} for n, d in G.nodes(data=True)])
    edge_keys = _attr_keys([d for *_, d in G.edges(data=True)])
    ids: dict[tuple[str, str], str] = {}
    for domain, keys in (("node", node_keys), ("edge", edge_keys)):
        for i, (name, typ) in enumerate(sorted(keys.items())):
            kid = f"{domain[0]}{i}"
            ids[(domain, name)] = kid
            ET.SubElement(root, g_ns + "key", {"id": kid, "for": domain, "attr.name": name, "attr.type": typ})
    ET.SubElement(root, g_ns + "key", {"id": "ng", "for": "node", "yfiles.type": "nodegraphics"})
    ET.SubElement(root, g_ns + "key", {"id": "eg", "for": "edge", "yfiles.type": "edgegraphics"})
    graph = ET.SubElement(root, g_ns + "graph", {"id": "G", "edgedefault": "directed"})

    def data(parent: ET.Element, domain: str, attrs: dict[str, Any]) -> None:
        for name, value in sorted(attrs.items()):
            el = ET.SubElement(parent, g_ns + "data", {"key": ids[(domain, name)]})
            el.text = str(value).lower() if isinstance(value, bool) else str(value)

    for n, d in G.nodes(data=True):
        node = ET.SubElement(graph, g_ns + "node", {"id": str(n)})
        data(node, "node", {**d, **placed[n]})
        label = str(d.get("label", n))
        gfx = ET.SubElement(ET.SubElement(node, g_ns + "data", {"key": "ng"}), y_ns + "ShapeNode")
        width = f"{max(60, 7 * min(len(label), 40))}.0"
        ET.SubElement(gfx, y_ns + "Geometry", {"height": "40.0", "width": width,
                                               "x": str(placed[n]["x"]), "y": str(placed[n]["y"])})
        ET.SubElement(gfx, y_ns + "Fill", {"color": node_colour(d),
                                           "transparent": "false"})
        ET.SubElement(gfx, y_ns + "BorderStyle", {"color": "#000000", "type": "line", "width": "1.0"})
        lab = ET.SubElement(gfx, y_ns + "NodeLabel", {"alignment": "center", "autoSizePolicy": "content",
                                                      "fontSize": "12", "modelName": "internal",
                                                      "modelPosition": "c", "visible": "true"})
        lab.text = label
        shape = "ellipse" if d.get("type") == "place" else "roundrectangle"
        ET.SubElement(gfx, y_ns + "Shape", {"type": shape})
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        edge = ET.SubElement(graph, g_ns + "edge", {"id": f"e{i}", "source": str(u), "target": str(v)})
        data(edge, "edge", d)
        gfx = ET.SubElement(ET.SubElement(edge, g_ns + "data", {"key": "eg"}), y_ns + "PolyLineEdge")
        ET.SubElement(gfx, y_ns + "LineStyle", {"color": edge_colour(d),
                                                "type": "line", "width": "1.0"})
        ET.SubElement(gfx, y_ns + "Arrows", {"source": "none", "target": "standard"})
        lab = ET.SubElement(gfx, y_ns + "EdgeLabel", {"visible": "true"})
        lab.text = str(d.get("label", d.get("relation", "")))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _dot_id(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def to_dot(G: nx.MultiDiGraph) -> str:
    """Graphviz DOT: labelled, coloured nodes; edges labelled with their relation or status."""
    lines = ["digraph bomay {", "  graph [rankdir=LR, fontname=\"DejaVu Sans\"];",
             "  node [style=filled, fontname=\"DejaVu Sans\", fontsize=10];",
             "  edge [fontname=\"DejaVu Sans\", fontsize=8];"]
    for n, d in G.nodes(data=True):
        shape = "ellipse" if d.get("type") == "place" else "box"
        lines.append(f"  {_dot_id(n)} [label={_dot_id(d.get('label', n))}, shape={shape}, "
                     f"fillcolor={_dot_id(node_colour(d))}, fontcolor=\"#ffffff\", "
                     f"tooltip={_dot_id(d.get('type', ''))}];")
    for u, v, d in G.edges(data=True):
        colour = edge_colour(d)
        label = _dot_id(d.get("label", d.get("relation", "")))
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [label={label}, color={_dot_id(colour)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    """Whether Graphviz's `dot` is installed (SVG export needs it)."""
    return shutil.which("dot") is not None


def to_svg(G: nx.MultiDiGraph, timeout: float = 120.0) -> bytes:
    """SVG drawn by Graphviz `dot` from the DOT export; RuntimeError when Graphviz is missing."""
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("SVG export needs Graphviz (`dot`), which is not installed")
    done = subprocess.run([exe, "-Tsvg"], input=to_dot(G).encode("utf-8"), capture_output=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout
