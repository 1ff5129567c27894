"""The one palette of the graph exports, read from palette.json beside this module.

Kept as data so that DOT, GraphML, GEXF and Cytoscape colour a node or an edge the same way, and the
same way as the explorer.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PALETTE_FILE = Path(__file__).with_name("palette.json")
PROVINCE_TYPES = ("province", "central_city")


@cache
def palette() -> dict[str, Any]:
    """The palette as stored (node colours by explorer type, status colours, edge and fallback greys)."""
    return json.loads(PALETTE_FILE.read_text(encoding="utf-8"))


def node_type(d: dict[str, Any]) -> str:
    """The explorer's type of a projection node: a model by its kind, a province apart from other places."""
    kind = d.get("type", "")
    if kind == "model":
        return d.get("kind") if d.get("kind") in palette()["node"] else "model"
    if kind == "place" and d.get("unit_type") in PROVINCE_TYPES:
        return "province"
    return kind


def node_colour(d: dict[str, Any]) -> str:
    """Hex colour of a projection node."""
    return palette()["node"].get(node_type(d), palette()["unknown_node"])


def edge_colour(d: dict[str, Any]) -> str:
    """Hex colour of a projection edge: its status's, or the grey of structural edges."""
    if d.get("status"):
        return palette()["status"].get(d["status"], palette()["unknown_status"])
    return palette()["edge"]


def rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of a `#rrggbb` colour, as GEXF's viz:color wants it."""
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
