"""Exports read back: RDF isomorphic to the store, GraphML/GEXF/node-link with the same nodes and edges."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from graph import exports
from graph.exports import Subgraph, export, read_node_link
from graph.projection import project
from graph.store import BOMAY_GRAPHS

UNION = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }")
U = "https://w3id.org/bomay/id/"


@pytest.mark.parametrize("fmt,parser", [("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")])
def test_rdf_exports_parse_back_isomorphic_to_the_store(mini_store, fmt, parser):
    exported = Graph().parse(data=export(mini_store, fmt), format=parser)
    assert isomorphic(exported, mini_store.construct(UNION, prefix=BOMAY_GRAPHS))


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_dataset_exports_keep_each_named_graph(mini_store, fmt):
    ds = Dataset()
    ds.parse(data=export(mini_store, fmt), format=fmt)
    counts = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert counts == mini_store.graphs()


def test_a_province_export_holds_only_that_province(mini_store):
    data = export(mini_store, "turtle", Subgraph(province=U + "unit/2023/27"))
    g = Graph().parse(data=data, format="turtle")
    text = g.serialize(format="nt")
    assert "Thuận Thành" in text and "Kim Thành" not in text
    assert len(g) > 0


def test_graphml_parses_back_with_the_same_counts_and_yed_labels(mini_store):
    G = project(mini_store)
    data = export(mini_store, "graphml")
    H = nx.read_graphml(io.BytesIO(data))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert H.nodes[U + "unit/2023/262"]["label"] == "huyện Thuận Thành"
    labels = [e.text for e in ET.fromstring(data).iter("{http://www.yworks.com/xml/graphml}NodeLabel")]
    assert "huyện Thuận Thành" in labels and len(labels) == G.number_of_nodes()


def test_gexf_parses_back_and_status_edges_carry_start_and_end(mini_store):
    G = project(mini_store)
    data = export(mini_store, "gexf")
    H = nx.read_gexf(io.BytesIO(data))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    root = ET.fromstring(data)
    graph = root.find("{http://www.gexf.net/1.2draft}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    starts = {e.get("start") for e in root.iter("{http://www.gexf.net/1.2draft}edge") if e.get("start")}
    assert starts == {"2022-09-01", "2022-10-01", "2024-04-01"}


def test_status_edge_ends_when_the_next_event_starts():
    from graph.projection import _add_events

    G = nx.MultiDiGraph()
    rows = [{"event": f"e{i}", "app": "a", "model": "m", "place": "p", "status": f"vocab/status/{s}",
             "periodStart": d, "when": d[:7]} for i, (s, d) in enumerate([("implemented", "2020-01-01"),
                                                                          ("stopped", "2022-10-01")])]
    _add_events(G, rows)
    assert G.edges["m", "p", "e0"]["end"] == "2022-10-01"
    assert "end" not in G.edges["m", "p", "e1"]


def test_node_link_reads_both_edges_and_the_older_links(mini_store):
    data = json.loads(export(mini_store, "nodelink"))
    G = read_node_link(data)
    old = dict(data)
    old["links"] = old.pop("edges")
    H = read_node_link(old)
    assert G.number_of_edges() == H.number_of_edges() == project(mini_store).number_of_edges()


def test_cytoscape_json_has_named_nodes(mini_store):
    data = json.loads(export(mini_store, "cytoscape"))
    names = {n["data"]["name"] for n in data["elements"]["nodes"]}
    assert "Văn phòng Huyện ủy – HĐND – UBND" in names
    assert len(data["elements"]["edges"]) == project(mini_store).number_of_edges()


def test_projection_attributes_are_plain_values(mini_store):
    G = project(mini_store)
    for _, d in G.nodes(data=True):
        assert {"type", "label", "iri"} <= set(d)
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
    for *_, d in G.edges(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
    assert {d["type"] for _, d in G.nodes(data=True)} == {"model", "place", "agency", "position", "document",
                                                          "article"}


def test_neighbourhood_of_a_place_grows_with_the_radius(mini_store):
    place = U + "unit/2023/262"
    one = project(mini_store, place=place, radius=1)
    assert set(one) == {place, U + "unit/2023/27", U + "model/merger/district/van-phong-huyen-uy-hdnd-ubnd"}
    assert set(one) < set(project(mini_store, place=place, radius=2))


def test_dot_and_svg(mini_store):
    dot = export(mini_store, "dot").decode()
    assert dot.startswith("digraph") and '"huyện Thuận Thành"' in dot
    if not exports.dot_available():
        pytest.skip("Graphviz not installed")
    svg = export(mini_store, "svg")
    assert b"<svg" in svg and "Thuận Thành".encode() in svg


def test_seed_exports_of_hai_duong_read_back(seeded_store):
    from graph import resolve

    province = resolve.unit(seeded_store, "Hải Dương", province=True)
    G = project(seeded_store, province=province)
    assert G.number_of_nodes() > 20
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        H = reader(io.BytesIO(export(seeded_store, fmt, Subgraph(province=province))))
        assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())


def test_status_edges_carry_the_vietnamese_label_and_keep_the_key(mini_store):
    G = project(mini_store)
    status = [d for *_, d in G.edges(data=True) if d["relation"] in ("status", "decided")]
    assert status
    for d in status:
        assert d["status"] in exports.STATUS_COLOURS and "_" not in d["label"]
        assert not d["label"].startswith(d["status"])
    labels = {d["label"] for d in status if d["relation"] == "status"}
    assert "Dừng thực hiện 2022-10" in labels
    dot = export(mini_store, "dot").decode()
    assert '"Dừng thực hiện 2022-10"' in dot and '"stopped 2022-10"' not in dot


def test_the_palette_is_the_explorers():
    """The explorer keeps no colour table of its own: it draws with /api/palette, this palette (the
    browser tests compare the drawn colours with it)."""
    import re
    from pathlib import Path

    js = (Path(__file__).parents[2] / "api" / "static" / "explore.js").read_text(encoding="utf-8")
    assert re.findall(r"#[0-9a-fA-F]{6}\b", js) == []
    assert '"/api/palette"' in js


def test_dot_graphml_and_cytoscape_use_the_palette(mini_store):
    from graph.palette import palette

    nodes, stopped = palette()["node"], palette()["status"]["stopped"]
    place, province = nodes["place"], nodes["province"]
    thuan_thanh, bac_ninh = U + "unit/2023/262", U + "unit/2023/27"
    dot = export(mini_store, "dot").decode()
    assert f'"{thuan_thanh}" [label="huyện Thuận Thành", shape=ellipse, fillcolor="{place}"' in dot
    assert f'fillcolor="{province}"' in dot and f'color="{stopped}"' in dot
    y = "{http://www.yworks.com/xml/graphml}"
    root = ET.fromstring(export(mini_store, "graphml"))
    fills = {n.get("id"): n.find(f".//{y}Fill").get("color") for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node")}
    assert fills[thuan_thanh] == place and fills[bac_ninh] == province
    lines = {e.get("color") for e in root.iter(f"{y}LineStyle")}
    assert stopped in lines and palette()["edge"] in lines
    cy = json.loads(export(mini_store, "cytoscape"))["elements"]
    colours = {n["data"]["id"]: n["data"]["color"] for n in cy["nodes"]}
    assert colours[thuan_thanh] == place and colours[bac_ninh] == province
    assert stopped in {e["data"]["color"] for e in cy["edges"]}


def test_gexf_has_viz_and_a_timeline_on_every_timed_node_and_edge(mini_store):
    from graph.palette import palette, rgb

    G = project(mini_store)
    data = export(mini_store, "gexf")
    H = nx.read_gexf(io.BytesIO(data))
    thuan_thanh = U + "unit/2023/262"
    viz = H.nodes[thuan_thanh]["viz"]
    assert H.nodes[thuan_thanh]["label"] == "huyện Thuận Thành"
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == rgb(palette()["node"]["place"])
    assert all({"color", "size", "position"} <= set(d["viz"]) for _, d in H.nodes(data=True))
    sizes = {n: d["viz"]["size"] for n, d in H.nodes(data=True)}
    hub = max(G.nodes, key=G.degree)
    assert sizes[hub] == max(sizes.values()) > min(sizes.values())
    points = {(d["viz"]["position"]["x"], d["viz"]["position"]["y"]) for _, d in H.nodes(data=True)}
    assert len(points) == len(H)
    assert export(mini_store, "gexf").split(b"</meta>")[1] == data.split(b"</meta>")[1]  # seeded layout
    assert all("start" in d for _, d in H.nodes(data=True))
    status = [d for *_, d in H.edges(data=True) if d.get("relation") == "status"]
    assert status and all("start" in d for d in status)
    assert all("start" in d for *_, d in H.edges(data=True) if d.get("relation") != "about")
    for d in status:
        if "end" in d:
            assert d["start"] < d["end"]
    ns = "{http://www.gexf.net/1.2draft}"
    edges = ET.fromstring(data).iter(f"{ns}edge")
    edge_colours = {tuple(int(c.get(k)) for k in "rgb") for e in edges for c in e if c.tag.endswith("color")}
    assert rgb(palette()["status"]["stopped"]) in edge_colours and rgb(palette()["edge"]) in edge_colours


def test_gexf_intervals_follow_the_status_timeline():
    from graph.exports import write_graph
    from graph.projection import _add_events, timeline

    G = nx.MultiDiGraph()
    G.add_node("m", type="model", label="m")
    G.add_node("p", type="place", label="p")
    G.add_node("q", type="place", label="q")
    G.add_node("a", type="agency", label="a")
    G.add_edge("m", "a", key="component", relation="component")
    G.add_edge("p", "q", key="part_of", relation="part_of")
    rows = [{"event": f"e{i}", "app": "a1", "model": "m", "place": "p", "status": f"vocab/status/{s}",
             "periodStart": d, "when": d[:7]} for i, (s, d) in enumerate([("implemented", "2020-01-01"),
                                                                          ("paused", "2021-06-01"),
                                                                          ("ended", "2022-10-01")])]
    _add_events(G, rows)
    timeline(G)
    H = nx.read_gexf(io.BytesIO(write_graph(G, "gexf")))
    spans = {(u, v, d["status"]): (d.get("start"), d.get("end")) for u, v, d in H.edges(data=True)
             if "status" in d}
    assert spans == {("m", "p", "implemented"): ("2020-01-01", "2021-06-01"),
                     ("m", "p", "paused"): ("2021-06-01", "2022-10-01"),
                     ("m", "p", "ended"): ("2022-10-01", None)}
    assert H.nodes["m"]["start"] == "2020-01-01" and "end" not in H.nodes["m"]
    assert H.nodes["a"]["start"] == H.nodes["q"]["start"] == "2020-01-01"


def test_graphml_and_cytoscape_share_the_layout_and_cytoscape_opens_coloured(mini_store):
    from graph.exports import positions

    G = project(mini_store)
    pos = positions(G)
    assert len(set(pos.values())) == len(G)
    data = export(mini_store, "graphml")
    H = nx.read_graphml(io.BytesIO(data))
    y = "{http://www.yworks.com/xml/graphml}"
    geometry = {n.get("id"): n.find(f".//{y}Geometry") for n in ET.fromstring(data).iter(
        "{http://graphml.graphdrawing.org/xmlns}node")}
    cy = json.loads(export(mini_store, "cytoscape"))
    at = {n["data"]["id"]: n["position"] for n in cy["elements"]["nodes"]}
    for n, (x, yy) in pos.items():
        assert (float(H.nodes[n]["x"]), float(H.nodes[n]["y"])) == (x, -yy)  # read from yEd's Geometry
        assert (float(geometry[n].get("x")), float(geometry[n].get("y"))) == (x, -yy)
        assert (at[n]["x"], at[n]["y"]) == (x, -yy)
    assert len({e.text for e in ET.fromstring(data).iter(f"{y}NodeLabel")}) > 1  # yEd labels kept
    style = {s["selector"]: s["css"] for s in cy["style"]}
    assert style["node"]["background-color"] == "data(color)" and style["node"]["label"] == "data(label)"
    assert style["edge"]["line-color"] == "data(color)"
    assert all(n["data"]["color"].startswith("#") and n["data"]["size"] > 0 for n in cy["elements"]["nodes"])
    desktop = exports.cytoscape_style()
    assert desktop[0]["format_version"] == "1.0" and desktop[0]["style"] == cy["style"]


def test_dot_opens_in_graphviz_with_the_labels_and_colours(mini_store):
    import shutil
    import subprocess

    from graph.palette import palette

    if shutil.which("dot") is None:
        pytest.skip("Graphviz not installed (.ci/run installs it)")
    done = subprocess.run(["dot", "-Tjson0"], input=export(mini_store, "dot"), capture_output=True,
                          timeout=60, check=True)
    drawn = json.loads(done.stdout)
    nodes = {o["name"]: o for o in drawn["objects"]}
    thuan_thanh = nodes[U + "unit/2023/262"]
    assert thuan_thanh["label"] == "huyện Thuận Thành"
    assert thuan_thanh["fillcolor"] == palette()["node"]["place"]
    edges = {(e["label"], e["color"]) for e in drawn["edges"]}
    assert ("Dừng thực hiện 2022-10", palette()["status"]["stopped"]) in edges
    assert ("thuộc", palette()["edge"]) in edges
    assert len(drawn["objects"]) == project(mini_store).number_of_nodes()


def test_graphml_read_by_networkx_gives_colours_labels_and_intervals(mini_store):
    from graph.palette import palette

    H = nx.read_graphml(io.BytesIO(export(mini_store, "graphml")))
    assert H.nodes[U + "unit/2023/262"]["color"] == palette()["node"]["place"]
    status = [d for *_, d in H.edges(data=True) if d.get("relation") == "status"]
    assert {"Dừng thực hiện", "stopped"} <= {x for d in status for x in (d["status_label"], d["status"])}
    assert all(d["start"] for d in status) and all("start" in d for _, d in H.nodes(data=True))


def test_cytoscape_json_opens_in_cytoscape_js_coloured_and_laid_out(mini_store):
    import shutil
    import subprocess
    from pathlib import Path

    from graph.exports import positions
    from graph.palette import palette, rgb

    root = Path(__file__).parents[2]
    if shutil.which("node") is None or not (root / "node_modules" / "cytoscape").is_dir():
        pytest.skip("node or the cytoscape npm package (make install: npm ci) is missing")
    done = subprocess.run(["node", str(Path(__file__).with_name("cytoscape_read.js"))],
                          input=export(mini_store, "cytoscape"), capture_output=True, timeout=60,
                          check=True, cwd=root)
    drawn = json.loads(done.stdout)
    G = project(mini_store)
    assert len(drawn["nodes"]) == G.number_of_nodes() and len(drawn["edges"]) == G.number_of_edges()
    thuan_thanh = drawn["nodes"][U + "unit/2023/262"]
    assert thuan_thanh["label"] == "huyện Thuận Thành"
    assert thuan_thanh["colour"] == "rgb({},{},{})".format(*rgb(palette()["node"]["place"]))
    x, y = positions(G)[U + "unit/2023/262"]
    assert (thuan_thanh["position"]["x"], thuan_thanh["position"]["y"]) == (x, -y)
    stopped = "rgb({},{},{})".format(*rgb(palette()["status"]["stopped"]))
    assert {"label": "Dừng thực hiện 2022-10", "colour": stopped} in drawn["edges"]
