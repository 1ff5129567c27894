"""graph/lexer.py, the one SPARQL lexer: Oxigraph's terminals, the grammar's reading of `<`, linear time."""

from __future__ import annotations

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


@pytest.mark.parametrize(("text", "count", "kinds"), [
    ("'\\" * 32_000, 1, {"unterminated"}),  # one string that never closes: the lexing stops there
    ("\"\\" * 32_000, 1, {"unterminated"}),
    ("'''\\" * 16_000, 1, {"unterminated"}),
    ("<a" * 32_000, 64_000, {"punct", "word"}),  # no `>`: each `<` is an operator, never an IRI's start
    ("a:b." * 16_000, 2, {"pname", "punct"}),  # one prefixed name (dots inside a local part), the last `.`
    ("1<" * 32_000, 64_000, {"number", "punct"}),
    ("#\n" * 32_000, 0, set()),  # comments only
    ("(" * 64_000, 64_000, {"punct"}),
])
def test_64_kb_of_adversarial_text_is_read_token_by_token(text: str, count: int, kinds: set[str]):
    """The texts that made the old lexer quadratic read as the grammar says, under both readings of `<`;
    their time per size is bench/lexer.py's table (linear: 8× from 8 to 64 KB)."""
    for lexed in (lex(text), lex(text, less_than="operator")):
        assert len(lexed.tokens) == count
        assert {t.kind for t in lexed.tokens} == kinds
    assert tokens(text) is not None
