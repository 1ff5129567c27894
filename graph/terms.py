"""RDF term conversions shared by both stores, so that results look the same whichever engine answers.

Results leave the store as plain Python values (JSON-ready): IRIs as `str`, blank nodes as `"_:id"`,
literals as `str` except integers (`int`), decimals/doubles (`float`) and booleans (`bool`).
Parameters enter queries only through `sparql_term()`, which escapes literals and refuses bad IRIs:
user input is never pasted into query text.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

# Characters an IRI reference may not contain (RFC 3987 / SPARQL IRIREF).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

_INT_TYPES = {
    str(XSD[t])
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
        "unsignedByte",
    )
}
_FLOAT_TYPES = {str(XSD.decimal), str(XSD.double), str(XSD.float)}
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


class IRI(str):
    """A string meant as an IRI when passed as a query parameter (a plain `str` is a literal)."""


def check_iri(value: str) -> str:
    """Return `value` if it is a usable absolute IRI, else raise ValueError."""
    if not value or _BAD_IRI.search(value) or ":" not in value:
        raise ValueError(f"not an IRI: {value!r}")
    return value


def _escape(text: str) -> str:
    return "".join(_STRING_ESCAPES.get(c, c) for c in text)


def sparql_term(value: Any) -> str:
    """Serialise one parameter value as a SPARQL term (IRI, literal or UNDEF), safely escaped.

    `IRI`/`URIRef` → `<...>`; `rdflib.Literal` keeps its language/datatype; `bool`, `int`, `float` → typed
    literals; any other `str` → a plain string literal; `None` → `UNDEF`.
    """
    if value is None:
        return "UNDEF"
    if isinstance(value, URIRef | IRI):
        return f"<{check_iri(str(value))}>"
    if isinstance(value, BNode):
        raise ValueError("blank nodes cannot be query parameters")
    if isinstance(value, Literal):
        body = f'"{_escape(str(value))}"'
        if value.language:
            if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", value.language):
                raise ValueError(f"bad language tag {value.language!r}")
            return f"{body}@{value.language}"
        if value.datatype:
            return f"{body}^^<{check_iri(str(value.datatype))}>"
        return body
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD.boolean}>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD.integer}>'
    if isinstance(value, float):
        return f'"{value!r}"^^<{XSD.double}>'
    if isinstance(value, str):
        return f'"{_escape(value)}"'
    raise TypeError(f"cannot bind {type(value).__name__} in a query")


def literal_value(lexical: str, datatype: str | None) -> Any:
    """Plain Python value of a literal: numbers and booleans typed, everything else its lexical form."""
    if datatype in _INT_TYPES:
        try:
            return int(lexical)
        except ValueError:
            return lexical
    if datatype in _FLOAT_TYPES:
        try:
            return float(lexical)
        except ValueError:
            return lexical
    if datatype == str(XSD.boolean):
        return lexical in ("true", "1")
    return lexical


def json_binding_value(cell: dict) -> Any:
    """Plain value of one SPARQL-results-JSON cell (any engine's dialect, e.g. Virtuoso's `typed-literal`)."""
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return value
    if kind == "bnode":
        return "_:" + value.removeprefix("nodeID://")
    return literal_value(value, cell.get("datatype"))


def json_binding_term(cell: dict) -> Node:
    """rdflib term of one SPARQL-results-JSON cell."""
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value.removeprefix("nodeID://"))
    lang = cell.get("xml:lang")
    datatype = cell.get("datatype")
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)
