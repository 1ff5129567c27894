"""Look at a SPARQL request before any engine sees it: what form it is, whether it may run, and whether
it needs the named graphs.

It reads the query through the project's one lexer (graph.lexer, Oxigraph's terminals), in the grammar's
reading of `<` and in the all-operator one: a SERVICE in either is refused, a GRAPH or FROM in either
sends the query to the replica with the named graphs. Text the lexer cannot finish (an unterminated
string) is refused when it holds the word SERVICE at all. The engine's own parser still gives the
syntax errors; nesting deeper than MAX_DEPTH is refused before it could overflow the parser's stack.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from graph.lexer import Lexed, Token, lex

# pyoxigraph's recursive parser overflows the worker's stack between 3,000 and 5,000 levels of ( { [;
# hand-written queries stay under 20.
MAX_DEPTH = 128
_SERVICE_WORD = re.compile(r"(?i)service")

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


class Refused(Exception):
    """The request is well-formed but not allowed on this endpoint (HTTP 403)."""


class TooDeep(Exception):
    """The query nests deeper than MAX_DEPTH (HTTP 400), refused before the engine parses it."""


@dataclass
class QueryInfo:
    form: str | None  # SELECT | CONSTRUCT | DESCRIBE | ASK, or None when unknown (the engine will say why)
    services: list[str]
    has_from: bool = False  # FROM / FROM NAMED in the query: its own dataset, not the union default
    names_graphs: bool = True  # GRAPH or FROM somewhere: the query needs the replica with named graphs


def readings(query: str) -> list[Lexed]:
    """The query in the grammar's reading of `<`, then in the all-operator one."""
    return [lex(query, max_depth=MAX_DEPTH), lex(query, "operator", max_depth=MAX_DEPTH)]


def inspect(query: str, service_allow: list[str] | tuple[str, ...] = ()) -> QueryInfo:
    """Classify the query and refuse updates, LOAD, SERVICE calls outside the allow-list and nesting
    deeper than MAX_DEPTH."""
    lexed = readings(query)
    if lexed[0].depth > MAX_DEPTH:
        raise TooDeep(
            f"Truy vấn lồng nhau quá sâu (hơn {MAX_DEPTH} cấp ngoặc). / The query nests deeper than "
            f"{MAX_DEPTH} levels of brackets and braces."
        )
    toks = [(t.kind, t.text) for t in lexed[0].tokens]
    form = None
    for i, (kind, text) in enumerate(toks):
        if kind != "word":
            continue
        up = text.upper()
        if up in ("BASE", "PREFIX"):
            continue
        if form is None and up in UPDATE_WORDS and _at_top(toks, i):
            raise Refused(
                f"Cập nhật ({up}) không được phép ở điểm truy vấn này; dịch vụ chỉ đọc. "
                f"/ SPARQL Update ({up}) is refused: this endpoint is read-only."
            )
        if form is None and up in QUERY_FORMS:
            form = up
    services: list[str] = []
    for reading in lexed:
        _check_services(reading, service_allow, services)
    has_from = any(_holds(t, "FROM") for reading in lexed for t in reading.tokens)
    return QueryInfo(form=form, services=services, has_from=has_from, names_graphs=_names_graphs(lexed))


def _holds(tok: Token, keyword: str) -> bool:
    """True when the engine may read `keyword` in this token: Oxigraph matches keywords without a word
    boundary, so `SERVICEep:x` is SERVICE then `ep:x`, and `trueSERVICE` is `true` then SERVICE. Bare
    words and the prefix part of prefixed names count; IRIs, strings, variables and local parts do not."""
    if tok.kind == "word":
        return keyword in tok.text.upper()
    if tok.kind == "pname":
        return keyword in tok.text.split(":", 1)[0].upper()
    return False


def _names_graphs(lexed: list[Lexed]) -> bool:
    """GRAPH or FROM anywhere the engine may read them, in either reading, or an unfinished text."""
    return any(reading.unterminated for reading in lexed) or any(
        _holds(t, "GRAPH") or _holds(t, "FROM") for reading in lexed for t in reading.tokens
    )


@functools.lru_cache(maxsize=256)
def needs_named_graphs(query: str) -> bool:
    """The router's half of `inspect` for the server's own queries (graph/queries/*.rq): GRAPH or FROM in
    either reading, or a text the lexer could not finish. Remembered: the REST layer repeats them."""
    return _names_graphs(readings(query))


def _check_services(reading: Lexed, service_allow: list[str] | tuple[str, ...], services: list[str]) -> None:
    """Refuse a SERVICE of this reading outside the allow-list (noting the allowed ones in `services`),
    and an unfinished reading holding the word SERVICE anywhere after where it stopped."""
    toks: list[Token] = reading.tokens
    if reading.unterminated and _SERVICE_WORD.search(toks[-1].text):
        raise Refused(
            "SERVICE trong văn bản truy vấn chưa kết thúc bị từ chối. / SERVICE in a query text with an "
            "unterminated string is refused."
        )
    for i, tok in enumerate(toks):
        if _holds(tok, "SERVICE") and tok.text.upper() != "SERVICE":
            raise Refused(
                "SERVICE dính liền với từ khác bị từ chối. / SERVICE run together with other text is refused."
            )
        if tok.kind == "word" and tok.text.upper() == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            if j >= len(toks) or toks[j].kind != "iri":
                raise Refused(
                    "SERVICE với địa chỉ không cố định bị từ chối. / SERVICE with a non-constant endpoint "
                    "is refused."
                )
            iri = toks[j].text[1:-1]
            if iri not in service_allow:
                raise Refused(
                    f"Truy vấn liên kết SERVICE <{iri}> không được phép (không có trong danh sách cho phép)."
                    f" / SERVICE <{iri}> is not in the operator's allow-list."
                )
            if iri not in services:
                services.append(iri)


def _at_top(toks: list[tuple[str, str]], i: int) -> bool:
    """True when token i starts an operation (nothing but prologue or ';' before it)."""
    j = i - 1
    while j >= 0:
        kind, text = toks[j]
        if text == ";":
            return True
        if kind in ("iri", "pname") or (kind == "word" and text.upper() in ("BASE", "PREFIX")):
            j -= 1
            continue
        return False
    return True


def undeclared_prefixes(query: str) -> list[str]:
    """Prefixes a query uses in prefixed names without declaring them (`PREFIX p: <...>`), in order of
    first use: what to tell the user for the engine's "Prefix not found" (a list of Unicode ranges)."""
    toks = lex(query).tokens
    declared = {t.text.split(":", 1)[0] for prev, t in zip(toks, toks[1:], strict=False)
                if prev.kind == "word" and prev.text.upper() == "PREFIX" and t.kind == "pname"}
    used = (t.text.split(":", 1)[0] for t in toks if t.kind == "pname")
    return list(dict.fromkeys(p for p in used if p not in declared))
