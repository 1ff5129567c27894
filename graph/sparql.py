"""Reading SPARQL text just enough to bind parameters safely and to know a query's form.

Parameters are bound with `VALUES` blocks placed at the start of the query's top-level WHERE group: this
works the same on every SPARQL 1.1 engine (Oxigraph, Virtuoso...) and never splices user text into the
query, since each value goes through `terms.sparql_term`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graph.lexer import Token, tokens
from graph.terms import sparql_term

_VAR = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def _tokens(query: str) -> Iterator[Token]:
    return iter(tokens(query))


def query_form(query: str) -> str:
    """`SELECT`, `CONSTRUCT`, `ASK`, `DESCRIBE` or `UPDATE` (first keyword after the prologue)."""
    for m in _tokens(query):
        if m.kind != "word":
            continue
        word = m.text.upper()
        if word in _FORMS:
            return word
        if word in _UPDATES:
            return "UPDATE"
    raise ValueError("not a SPARQL query")


def where_brace(query: str) -> int:
    """Offset just after the `{` that opens the query's top-level WHERE group."""
    depth = 0
    first_open = None
    after_where = False
    for m in _tokens(query):
        kind = {"{": "open", "}": "close"}.get(m.text, m.kind) if m.kind == "punct" else m.kind
        if kind == "open":
            if depth == 0 and (after_where or first_open is None):
                if after_where:
                    return m.end
                first_open = m.end
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and m.text.upper() == "WHERE":
            after_where = True
    if query_form(query) in ("SELECT", "ASK") and first_open is not None:
        return first_open  # WHERE keyword is optional for SELECT/ASK
    if first_open is not None and re.search(r"(?i)\bCONSTRUCT\s+WHERE\b", query):
        return first_open
    raise ValueError("query has no WHERE group to bind parameters in")


def subquery_where_brace(query: str) -> int:
    """Offset just after the `{` opening the WHERE group of the query's first nested SELECT: where a
    paged query binds its resource, since a subquery does not see bindings from outside it."""
    depth, in_select = 0, False
    for m in _tokens(query):
        kind = {"{": "open", "}": "close"}.get(m.text, m.kind) if m.kind == "punct" else m.kind
        if kind == "open":
            if in_select:  # a projection holds no braces: the first one opens the WHERE group
                return m.end
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth > 0 and m.text.upper() == "SELECT":
            in_select = True
    raise ValueError("query has no subquery to bind parameters in")


_SLICE = re.compile(r"(?i)\bLIMIT\s+\d+\s+OFFSET\s+\d+")


def set_slice(query: str, limit: int, offset: int) -> str:
    """The query with its first `LIMIT n OFFSET m` (outside comments and strings) set to the given page."""
    if limit < 0 or offset < 0:
        raise ValueError("LIMIT and OFFSET must not be negative")
    for m in _tokens(query):
        if m.kind == "word" and m.text.upper() == "LIMIT":
            found = _SLICE.match(query, m.start)
            if found:
                return f"{query[: m.start]}LIMIT {int(limit)} OFFSET {int(offset)}{query[found.end() :]}"
    raise ValueError("query has no LIMIT ... OFFSET ... to page")


def values_row(bindings: Mapping[str, Any]) -> str:
    """`VALUES (?a ?b) { (t1 t2) }` binding each variable to one term (graph.terms.sparql_term: an IRI,
    a string, a number...), to go at the head of a group; "" when nothing is bound. One row, so an
    engine reads it as one lookup; `bind` gives each variable its own block and several values."""
    if not bindings:
        return ""
    for name in bindings:
        if not _VAR.fullmatch(name):
            raise ValueError(f"bad variable name {name!r}")
    names = " ".join(f"?{var}" for var in bindings)
    terms = " ".join(sparql_term(v) for v in bindings.values())
    return f"\n  VALUES ({names}) {{ ({terms}) }}\n"


def bind(query: str, bindings: Mapping[str, Any] | None = None) -> str:
    """Query text with one `VALUES ?name { ... }` per binding; `None` values leave a variable free.

    A list or tuple value gives several alternatives (`VALUES ?status { a b }`).
    """
    if not bindings:
        return query
    blocks = []
    for name, value in bindings.items():
        if value is None:
            continue
        if not _VAR.fullmatch(name):
            raise ValueError(f"bad variable name {name!r}")
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        if not values:
            continue
        blocks.append(f"VALUES ?{name} {{ {' '.join(sparql_term(v) for v in values)} }}")
    if not blocks:
        return query
    at = where_brace(query)
    return f"{query[:at]}\n  {' '.join(blocks)}\n{query[at:]}"


def _top_modifiers(query: str) -> tuple[dict[str, tuple[int, int, int]], int]:
    """The query's own top-level LIMIT and OFFSET ({word: (start, end, value)}) and where a new one goes
    (before a trailing VALUES clause, else at the end)."""
    depth, found, insert = 0, {}, len(query)
    toks = list(_tokens(query))
    for i, m in enumerate(toks):
        if m.kind == "punct" and m.text == "{":
            depth += 1
        elif m.kind == "punct" and m.text == "}":
            depth -= 1
            if depth == 0:
                found = {}  # a CONSTRUCT template closes before its WHERE group: only the last group counts
        elif depth == 0 and m.kind == "word":
            word = m.text.upper()
            if word == "VALUES" and any(t.text == "}" for t in toks[:i]):
                insert = m.start
                break
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if word in ("LIMIT", "OFFSET") and nxt is not None and nxt.kind == "number":
                found[word] = (m.start, nxt.end, int(float(nxt.text)))
    return found, insert


def slice_query(query: str, limit: int, offset: int = 0) -> str:
    """The query answering at most `limit` of its solutions from `offset` on, composed with its own
    top-level LIMIT/OFFSET (which are replaced): how named queries page in SPARQL and how an answer is
    cut at the result limit."""
    if limit < 0 or offset < 0:
        raise ValueError("LIMIT and OFFSET must not be negative")
    found, insert = _top_modifiers(query)
    own_offset = found["OFFSET"][2] if "OFFSET" in found else 0
    if "LIMIT" in found:
        limit = max(0, min(limit, found["LIMIT"][2] - offset))
    clause = f"LIMIT {int(limit)} OFFSET {int(own_offset + offset)}"
    out, at = query[:insert], insert
    for start, end, _ in sorted(found.values(), reverse=True):
        out = out[:start] + out[end:]
        at -= end - start
    return f"{out[:at].rstrip()}\n{clause}\n{query[insert:]}"


def prologue_end(query: str) -> int:
    """Offset of the query form's keyword (SELECT, CONSTRUCT, ASK, DESCRIBE): the BASE/PREFIX prologue
    (and leading comments) end there."""
    for m in _tokens(query):
        if m.kind == "word" and m.text.upper() in _FORMS:
            return m.start
    raise ValueError("not a SPARQL query")


def count_query(query: str) -> str:
    """`SELECT (COUNT(*) AS ?total)` over the solutions of SELECT `query` (bind its parameters first: a
    subquery sees nothing bound outside it)."""
    at = prologue_end(query)
    return f"{query[:at]}SELECT (COUNT(*) AS ?total) WHERE {{\n{{ {query[at:]}\n}}\n}}"
