"""Property-based fuzzing (hypothesis, bounded): the extractor on hostile and mutated Vietnamese text, the
SPARQL guard against the engine it protects, and /sparql request parsing over real HTTP."""

from __future__ import annotations

import re
import unicodedata

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import seed_text
from tests.reliability.netutil import Trap

SEED0, SEED1 = seed_text(0), seed_text(1)
FRAGMENTS = sorted({s.strip() for s in re.split(r"(?<=[.;:])\s+|\n", SEED0 + "\n" + SEED1) if s.strip()})
DOMAIN = [
    "Mô hình tạm dừng thí điểm:", "Mô hình tiếp tục thí điểm:", "đồng thời là", "kiêm", "hợp nhất",
    "Văn phòng Huyện ủy – HĐND – UBND", "huyện Thuận Thành", "thị xã Kinh Môn", "tỉnh Hải Dương",
    "Kế hoạch số 68-KH/TU ngày 23/9/2022", "Kết luận 34-KL/TW", "quý III/2023", "tháng 10/2022", "10/12",
    "20,4%", "cấp tỉnh, cấp huyện", "Trưởng Ban Tổ chức Tỉnh ủy", "Giám đốc Sở Nội vụ", "Bí thư", "Chủ tịch",
    "toàn quốc", "Bộ Chính trị", "- ", "* ", "1.", "a)", "(", ")", "“", "”", "…", "\u00a0", "\t",
    "uỷ", "ủy", "Uỷ ban", "Ủy ban", "HOÀ", "hòa", "<p>", "</div>", "&amp;", "\u200b", "\ufeff", "\u202e",
    "68-KH/TU", "/", "//", "--", "ngày 32/13/2022", "năm 99999", "quý V/2023", "9999/9999",
]
STATUSES = {"continued", "researching", "planned", "implemented", "not_implemented", "paused", "stopped",
            "ended"}
WHEN = re.compile(r"^\d{4}(-Q[1-4]|-\d{2}(-\d{2})?)?$")
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

piece = st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(DOMAIN),
                  st.text(max_size=30), st.sampled_from([" ", "\n", "\n\n", ": ", ", "]))
domain_text = st.lists(piece, max_size=60).map(" ".join)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([SEED0, SEED1]))
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 400)))
        op = draw(st.sampled_from(["cut", "dup", "insert", "nfd"]))
        if op == "cut":
            text = text[:i] + text[j:]
        elif op == "dup":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(piece) + text[i:]
        else:
            text = text[:i] + unicodedata.normalize("NFD", text[i:j]) + text[j:]
    return text


def check_facts(text: str, facts: dict, doc_id: str) -> None:
    from loaders.extract import extract_document

    assert facts["id"] == doc_id
    assert {"province", "documents", "models"} <= set(facts)
    nfc = unicodedata.normalize("NFC", text)
    for m in facts["models"]:
        assert m["kind"] in ("merger", "concurrent_position", "other"), m
        assert m["status"] in STATUSES, m
        assert m["level"] in ("province", "district", "commune", "village", None), m
        assert m["when"] is None or WHEN.match(m["when"]), m["when"]
        assert isinstance(m["components"], list) and all(isinstance(c, str) for c in m["components"])
        ev = m["evidence"]
        assert 0 <= ev["start"] <= ev["end"] <= len(nfc), ev
        assert nfc[ev["start"]:ev["end"]] == ev["text"], ev
        assert isinstance(m["place"], dict) and m["place"].get("name"), m["place"]
    for d in facts["documents"]:
        assert d.get("number"), d
        assert d.get("date") is None or re.match(r"^\d{4}-\d{2}-\d{2}$", d["date"]), d
    assert extract_document(text, doc_id) == facts, "extraction is not deterministic"


def extract_and_rdf(text: str) -> None:
    from loaders.extract import extract_document
    from loaders.rdf import facts_to_graph

    facts = extract_document(text, "fuzz_doc")
    check_facts(text, facts, "fuzz_doc")
    graph = facts_to_graph(facts, unicodedata.normalize("NFC", text))
    assert len(graph) > 0
    for s, p, _o in graph:
        for term in (s, p):
            assert not any(c in str(term) for c in ' <>"{}|^`\\'), term


@FUZZ
@given(domain_text)
def test_extractor_on_domain_fragments(text: str) -> None:
    extract_and_rdf(text)


@FUZZ
@given(mutated_seed())
def test_extractor_on_mutated_seeds(text: str) -> None:
    extract_and_rdf(text)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.text(max_size=500))
def test_extractor_on_arbitrary_unicode(text: str) -> None:
    extract_and_rdf(text)


# --- the SPARQL guard against the engine it protects ----------------------------------------------------

@pytest.fixture(scope="module")
def trap():
    t = Trap()
    yield t
    t.close()


def sparql_tokens(trap_url: str) -> list[str]:
    return [
        "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", "?ep", "SERVICE", "service", "SILENT",
        f"<{trap_url}>", "<urn:x>", "ep:", "ep:x", f"PREFIX ep: <{trap_url}>", f"BASE <{trap_url}>", "<>",
        "<sparql>", "#", "\n", '"', "'", '"""', "'''", "\\", "\\n", "\\u0053", "OPTIONAL", "UNION",
        "FILTER", "(", ")", "EXISTS", "BIND", "AS", "VALUES", ";", ".", ",", "<", ">", "1", "=", "&&",
        "GRAPH", "FROM", "NAMED", "ASK", "CONSTRUCT", "DESCRIBE", "LIMIT", "IRI", f'"{trap_url}"',
        " ", "", "a", "^^", "@vi", "$x", "ex:a.SERVICE", "\r",
    ]


DECOYS = ["", " ", "\n", "# } SERVICE\n", "#'\n", '#"\n', ' "}" ', " '{' ", ' """ \'\'\' """ ',
          " '''\"''' ", ' "\\"" ', " <urn:x#y> ", " ?SERVICE ", " \r ", " # \r ", " 'a\\'b' "]


@st.composite
def service_query(draw: st.DrawFn, trap_url: str) -> str:
    """A valid query with a SERVICE call to the trap, dressed in comments, strings and odd spacing."""
    base = trap_url.rsplit("/", 1)[0] + "/"
    target = draw(st.sampled_from([f"<{trap_url}>", "ep:", "?ep", "<sparql>"]))
    prologue = draw(st.sampled_from(["", f"PREFIX ep: <{trap_url}>\n", f"BASE <{base}>\n",
                                     f"PREFIX ep: <{trap_url}> BASE <{base}> "]))
    keyword = draw(st.sampled_from(["SERVICE", "service", "Service", "SERVICE SILENT", "service silent"]))
    binding = f"VALUES ?ep {{ <{trap_url}> }} " if target == "?ep" else ""
    parts = [prologue, "SELECT * WHERE {", binding, "?s ?p ?o", " OPTIONAL {", keyword, target,
             "{ ?s ?p ?o }", "}", "}"]
    if draw(st.booleans()):
        parts[4] = " "
        parts[8] = ""
    out = ""
    for part in parts:
        out += draw(st.sampled_from(DECOYS)) + " " + part
    return out + draw(st.sampled_from(DECOYS))


@st.composite
def sparql_like(draw: st.DrawFn, trap_url: str) -> str:
    if draw(st.integers(0, 2)) == 0:
        return draw(service_query(trap_url))
    toks = sparql_tokens(trap_url)
    body = draw(st.lists(st.sampled_from(toks), max_size=25))
    seps = draw(st.lists(st.sampled_from([" ", "", "\n"]), min_size=len(body), max_size=len(body)))
    inner = "".join(t + s for t, s in zip(body, seps, strict=True))
    shape = draw(st.sampled_from(["raw", "select", "service"]))
    if shape == "select":
        return f"SELECT * WHERE {{ {inner} }}"
    if shape == "service":
        return f"SELECT * WHERE {{ ?s ?p ?o {inner} {{ ?s ?p ?o }} }}"
    return inner


def test_the_guard_never_lets_a_service_call_through(trap: Trap) -> None:
    """Differential: whatever the guard (api.sparql_check) lets through, the engine (pyoxigraph, which does
    call SERVICE endpoints) must not connect to the loopback trap."""
    import pyoxigraph as ox

    from api import sparql_check

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode(trap.url)))
    passed = []

    @settings(max_examples=400, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(sparql_like(trap.url))
    def run(query: str) -> None:
        try:
            sparql_check.inspect(query, [])
        except sparql_check.Refused:
            return
        before = len(trap.hits)
        try:
            result = store.query(query, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                for _ in zip(range(100), result, strict=False):
                    pass
            passed.append(query)
        except (SyntaxError, OSError, ValueError, RuntimeError):
            pass
        assert len(trap.hits) == before, f"guard let a SERVICE call through: {query!r}"

    run()
    assert passed, "no generated query reached the engine: the generator is too weak"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_the_guard_only_ever_refuses_or_classifies(text: str) -> None:
    from api import sparql_check

    try:
        info = sparql_check.inspect(text, [])
    except sparql_check.Refused as e:
        assert str(e)
        return
    assert info.form in (None, "SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


# --- /sparql request parsing over HTTP ------------------------------------------------------------------

CTYPES = ["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
          "text/plain", "application/json", "", "multipart/form-data",
          "application/x-www-form-urlencoded; charset=latin-1"]
ACCEPTS = ["", "*/*", "application/sparql-results+json", "text/turtle;q=0.5, */*;q=0.1", "image/png",
           "text/csv;q=abc", "application/sparql-results+xml, text/tab-separated-values;q=0.9", ",,,;;;"]


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST"]), ctype=st.sampled_from(CTYPES),
       accept=st.sampled_from(ACCEPTS),
       body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                      st.sampled_from([b"query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
                                       b"query=ASK%7B%7D&format=xml", b"query=&query=", b"update=DROP%20ALL",
                                       b"query=%", b"query=SELECT%20*%20%7B%7D&default-graph-uri=%3C"])),
       params=st.dictionaries(st.sampled_from(["query", "format", "default-graph-uri", "named-graph-uri",
                                               "update", "x"]), st.text(max_size=80), max_size=3))
def test_sparql_request_parsing_never_fails_server_side(rhttp: httpx.Client, method: str, ctype: str,
                                                        accept: str, body: bytes, params: dict) -> None:
    headers = {k: v for k, v in (("Content-Type", ctype), ("Accept", accept)) if v}
    if method == "GET":
        r = rhttp.get("/sparql", params=params, headers=headers)
    else:
        r = rhttp.post("/sparql", params=params, content=body, headers=headers)
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.json()["message"]
