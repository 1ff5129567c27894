"""graph/lexer.py, the one SPARQL lexer: Oxigraph's terminals, the grammar's reading of `<`, linear time."""

from __future__ import annotations

import time

import pytest

from graph.lexer import lex, tokens


def kinds(query: str, **kw: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(query, **kw).tokens]


def test_escaped_iri_and_local_name_keep_their_hash():
    assert ("iri", "<urn:x\\u0041#>") in kinds("?a <urn:x\\u0041#> ?b SERVICE")
    assert ("pname", "e:b\\#") in kinds("?a e:b\\# ?b SERVICE")
    assert ("word", "SERVICE") in kinds("?a e:b\\# ?b SERVICE")
    assert ("pname", "e:b\\'") in kinds("?a e:b\\' ?b")


def test_less_than_after_an_operand_in_an_expression_is_the_operator():
    q = "{ FILTER(1<2#>'''\n) SERVICE <urn:x> {} } # '''"
    assert ("word", "SERVICE") in kinds(q)
    assert ("iri", "<2#>") in kinds(q.replace("FILTER(1", "?s ?p (1"))  # a collection: an IRI
    assert ("iri", "<urn:p#x>") in kinds("{ ?s <urn:p#x> ?o }")  # after a variable in a pattern
    assert kinds("{ ?s <urn:p#x> ?o }", less_than="operator")[2] == ("punct", "<")


def test_comments_end_at_cr_and_strings_hold_escapes():
    assert ("word", "SERVICE") in kinds("# comment\rSERVICE")
    assert kinds('"a\\"#" SERVICE')[0] == ("string", '"a\\"#"')
    assert kinds("'''a''b#''' x")[0] == ("string", "'''a''b#'''")


def test_unterminated_string_stops_the_lexing():
    lexed = lex("SELECT 'abc SERVICE")
    assert lexed.unterminated and lexed.tokens[-1].text == "'abc SERVICE"


def test_depth_and_early_stop():
    assert lex("{ { ( [ ] ) } }").depth == 4
    assert lex("(" * 10_000, max_depth=100).depth == 101


@pytest.mark.parametrize("text", ["'\\" * 32_000, "\"\\" * 32_000, "'''\\" * 16_000, "<a" * 32_000,
                                  "a:b." * 16_000, "1<" * 32_000, "#\n" * 32_000, "(" * 64_000])
def test_64_kb_is_lexed_in_linear_time(text: str):
    """Issue 16: the old lexer took 26 s on 64 KB of quotes and backslashes (quadratic); this one is
    linear (tens of ms for 64 KB even of one-character tokens, on a loaded 2-core machine)."""
    start = time.perf_counter()
    lex(text)
    lex(text, less_than="operator")
    assert time.perf_counter() - start < 1.5
    assert tokens(text) is not None
