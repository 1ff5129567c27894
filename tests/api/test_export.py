"""GET /export/{format}: whole graph and subgraphs, each format parsed back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib


@pytest.mark.parametrize(
    "fmt, rdflib_format",
    [("turtle", "turtle"), ("ntriples", "nt"), ("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")],
)
def test_rdf_export_of_a_province(http: httpx.Client, fmt: str, rdflib_format: str) -> None:
    r = http.get(f"/export/{fmt}", params={"province": "bac ninh"})
    assert r.status_code == 200, r.text
    ds = rdflib.Dataset()
    ds.parse(data=r.content, format=rdflib_format)
    subjects = {str(s) for s, _, _, _ in ds.quads((None, None, None, None))}
    assert "https://w3id.org/bomay/id/unit/2023/262" in subjects
    assert not any("unit/2023/293" in s for s in subjects)  # Kim Thành is in Hải Dương


def test_whole_graph_nquads_keeps_named_graphs(http: httpx.Client) -> None:
    r = http.get("/export/nquads")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-quads")
    names = {q.graph_name.value for q in ox.parse(r.content, format=ox.RdfFormat.N_QUADS)}  # whole store
    assert "https://w3id.org/bomay/graph/article/000_3db7e80d1100efe9" in names


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape", "nodelink", "dot"])
def test_graph_formats_of_a_province(http: httpx.Client, fmt: str) -> None:
    r = http.get(f"/export/{fmt}", params={"province": "hai duong"})
    assert r.status_code == 200, r.text
    if fmt in ("graphml", "gexf"):
        ET.fromstring(r.content)
    elif fmt in ("cytoscape", "nodelink"):
        data = json.loads(r.content)
        assert data
    else:
        assert r.text.lstrip().startswith(("digraph", "strict digraph"))
    if fmt == "graphml":
        import io

        g = nx.read_graphml(io.BytesIO(r.content))
        assert g.number_of_nodes() > 5


def test_export_filters_and_errors(http: httpx.Client) -> None:
    assert http.get("/export/pdf").status_code == 422
    r = http.get("/export/turtle", params={"province": "không có tỉnh này"})
    assert r.status_code == 404 and r.json()["message"]
    assert http.get("/export/turtle", params={"place": "thuan thanh", "radius": 1}).status_code == 200
