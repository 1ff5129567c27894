"""Look at a SPARQL request before any engine sees it: what form it is, and whether it may run.

A small lexer (comments, strings and IRIs skipped) is enough to find the query form and every
SERVICE clause; the engine's own parser still gives the syntax errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w]+)
    | (?P<pname>[A-Za-z_][\w.\-]*:[\w.\-:%]*|:[\w.\-:%]*)
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


class Refused(Exception):
    """The request is well-formed but not allowed on this endpoint (HTTP 403)."""


@dataclass
class QueryInfo:
    form: str | None  # SELECT | CONSTRUCT | DESCRIBE | ASK, or None when unknown (the engine will say why)
    services: list[str]
    has_from: bool = False  # FROM / FROM NAMED in the query: its own dataset, not the union default


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs with comments dropped."""
    out = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append((kind, m.group(0)))
    return out


def inspect(query: str, service_allow: list[str] | tuple[str, ...] = ()) -> QueryInfo:
    """Classify the query and refuse updates, LOAD and SERVICE calls outside the allow-list."""
    toks = tokens(query)
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
    services = []
    for i, (kind, text) in enumerate(toks):
        if kind == "word" and text.upper() == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
                j += 1
            target = toks[j] if j < len(toks) else ("other", "")
            if target[0] != "iri":
                raise Refused(
                    "SERVICE với địa chỉ không cố định bị từ chối. / SERVICE with a non-constant endpoint "
                    "is refused."
                )
            iri = target[1][1:-1]
            if iri not in service_allow:
                raise Refused(
                    f"Truy vấn liên kết SERVICE <{iri}> không được phép (không có trong danh sách cho phép)."
                    f" / SERVICE <{iri}> is not in the operator's allow-list."
                )
            services.append(iri)
    has_from = any(kind == "word" and text.upper() == "FROM" for kind, text in toks)
    return QueryInfo(form=form, services=services, has_from=has_from)


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
