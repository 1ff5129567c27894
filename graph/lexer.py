"""The one SPARQL lexer of the project: the SERVICE/update guard, the GRAPH router and parameter binding
all read a query through it, so none of them can see a different query than another.

Terminals are SPARQL 1.1's as Oxigraph reads them (checked against pyoxigraph in tests/graph):
`\\u`/`\\U` escapes inside IRIs and strings only (keywords, variables and prefixed names take none),
`\\#`-style escapes and `%XX` inside a prefixed name's local part, comments from `#` to the end of the line
(CR or LF). Whether `<` opens an IRI or is the less-than operator is the grammar's choice; `lex` follows
it (after an operand inside an expression: the operator), and a guard also reads the query with every
`<` after an operand taken as the operator, so that a slip in that rule cannot hide a keyword.

Linear time: every terminal is matched from its own start and stops at the first character it cannot
hold, except strings, whose end is searched once: an unterminated string ends the lexing there (the
engine refuses such a text), so no character is read more than a bounded number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_VARCHARS = _BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_CHARS = _VARCHARS + r"\-"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_VARCHARS}:]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
_IRI = re.compile(f"<(?:[^<>\"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*>")
_LESS = re.compile(r"<=?")
_TERMINAL = re.compile(
    "|".join(
        [
            r"(?P<string>'''|\"\"\"|'|\")",
            f"(?P<var>[?$][{_VARCHARS}]+)",
            f"(?P<bnode>_:[{_VARCHARS}](?:[{_CHARS}.]*[{_CHARS}])?)",
            f"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
        ]
    ),
    re.DOTALL,
)
_STRING_END = {  # the body after each opening quote, up to and including the closing one
    "'''": re.compile(r"(?:(?:''?)?(?:[^'\\]|\\.))*'''", re.DOTALL),
    '"""': re.compile(r'(?:(?:""?)?(?:[^"\\]|\\.))*"""', re.DOTALL),
    "'": re.compile(r"(?:[^'\\\n\r]|\\.)*'", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n\r]|\\.)*"', re.DOTALL),
}
# A word before `(` makes it an expression (FILTER(, BIND(, a built-in call) unless it is one of these.
_NOT_CALLS = {"A", "TRUE", "FALSE", "UNDEF", "VALUES", "WHERE", "OPTIONAL", "MINUS", "GRAPH", "SERVICE",
              "SILENT", "UNION", "NAMED", "FROM", "EXISTS", "NOT", "CONSTRUCT", "DESCRIBE", "ASK", "IN"}
_CLAUSES = {"SELECT", "BY", "HAVING"}  # every top-level `(` of these clauses opens an expression
_CLAUSE_ENDS = {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"}
_OPERANDS = {"var", "number", "string", "iri", "pname", "langtag"}


class Token(NamedTuple):
    kind: str  # string iri var bnode pname word langtag number punct, or "unterminated" (always last)
    text: str
    start: int
    end: int


@dataclass
class Lexed:
    """One reading of a query: its tokens (comments dropped) and its deepest nesting."""

    tokens: list[Token]
    depth: int  # deepest nesting of ( { [
    unterminated: bool  # a string never closes: the lexing stopped there (the engine refuses the text)


def lex(query: str, less_than: str = "context", max_depth: int | None = None) -> Lexed:
    """Tokens of `query`. `less_than="context"` reads `<` as the grammar does; `"operator"` takes every
    `<` after an operand for the less-than operator, wherever it stands. Past `max_depth` levels of
    nesting the lexing stops (`depth` then tells the caller to refuse the text)."""
    out: list[Token] = []
    stack: list[bool] = []  # per open ( { [ : True when it opens an expression
    depth = 0
    clause = False  # inside a SELECT projection, a GROUP/ORDER BY or a HAVING clause
    prev: Token | None = None
    before: Token | None = None
    pos, n = 0, len(query)
    while True:
        skip = _SKIP.match(query, pos)
        if skip:
            pos = skip.end()
        if pos >= n:
            return Lexed(out, depth, False)
        tok: Token | None = None
        if query[pos] == "<":
            after_operand = prev is not None and (prev.kind in _OPERANDS or prev.text == ")")
            if after_operand and ((stack and stack[-1]) or less_than == "operator"):
                m = _LESS.match(query, pos)
                assert m is not None
                tok = Token("punct", m.group(), pos, m.end())
            elif m := _IRI.match(query, pos):
                tok = Token("iri", m.group(), pos, m.end())
        if tok is None:
            m = _TERMINAL.match(query, pos)
            assert m is not None  # the last alternative takes any character
            kind = m.lastgroup or "punct"
            if kind == "string":
                end = _STRING_END[m.group()].match(query, m.end())
                if end is None:
                    out.append(Token("unterminated", query[pos:], pos, n))
                    return Lexed(out, depth, True)
                tok = Token("string", query[pos : end.end()], pos, end.end())
            else:
                tok = Token(kind, m.group(), pos, m.end())
        text = tok.text
        if tok.kind == "word":
            up = text.upper()
            if up in _CLAUSES:
                clause = True
            elif up in _CLAUSE_ENDS:
                clause = False
        elif tok.kind == "punct" and text in "({[":
            if text == "(":
                expr = bool(stack and stack[-1]) or (clause and not stack) or _opens_call(prev, before)
            else:
                expr = False
                if not stack:
                    clause = False
            stack.append(expr)
            depth = max(depth, len(stack))
            if max_depth is not None and depth > max_depth:
                out.append(tok)
                return Lexed(out, depth, False)
        elif tok.kind == "punct" and text in ")}]" and stack:
            stack.pop()
        out.append(tok)
        before, prev = prev, tok
        pos = tok.end


def _opens_call(prev: Token | None, before: Token | None) -> bool:
    """True when a `(` after `prev`, outside any expression, opens one: FILTER(, BIND(, a built-in call,
    or a function IRI right after FILTER (elsewhere an IRI before `(` is followed by a collection)."""
    if prev is None:
        return False
    if prev.kind == "word":
        return prev.text.upper() not in _NOT_CALLS
    if prev.kind in ("iri", "pname"):
        return before is not None and before.kind == "word" and before.text.upper() == "FILTER"
    return False


def tokens(query: str) -> list[Token]:
    """The tokens of `query` as the engine reads them (comments dropped)."""
    return lex(query).tokens
