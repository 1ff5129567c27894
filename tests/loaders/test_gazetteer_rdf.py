"""The gazetteer graph: units per era, succession, reform events, and the places-in-time named queries."""

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from loaders.gazetteer import POST, PRE, Gazetteer, unit_iri
from loaders.gazetteer_rdf import gazetteer_triples, main, write_ntriples
from ontology.namespaces import BOMAY, GAZETTEER_GRAPH

QUERIES = Path(__file__).resolve().parents[2] / "graph" / "queries"
B = str(BOMAY)
U = "https://w3id.org/bomay/id/unit/"


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def store() -> ox.Store:
    buf = io.StringIO()
    write_ntriples(buf)
    s = ox.Store()
    s.load(buf.getvalue(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GAZETTEER_GRAPH)))
    # a small article graph: pilots at Kinh Môn and Nam Sách (Hải Dương) and at Bắc Ninh province, 2022
    art = "https://w3id.org/bomay/id/"
    s.load(f"""
        @prefix bomay: <{B}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix vocab: <https://w3id.org/bomay/vocab/> .
        <{art}model/m1> rdfs:label "Trưởng Ban Tổ chức kiêm Trưởng Phòng Nội vụ"@vi .
        <{art}application/a1> bomay:model <{art}model/m1> ; bomay:place <{U}2023/292> ;
            bomay:statusEvent <{art}event/d/0> .
        <{art}event/d/0> bomay:status vocab:status\\/stopped ; bomay:when "2022-10" .
        <{art}application/a2> bomay:model <{art}model/m1> ; bomay:place <{U}2023/291> ;
            bomay:statusEvent <{art}event/d/1> .
        <{art}event/d/1> bomay:status vocab:status\\/stopped ; bomay:when "2022-10" .
        <{art}application/a3> bomay:model <{art}model/m1> ; bomay:place <{U}2023/27> ;
            bomay:statusEvent <{art}event/d/2> .
        <{art}event/d/2> bomay:status vocab:status\\/paused ; bomay:when "2022-09" .
        <{art}application/a4> bomay:model <{art}model/m1> ; bomay:place <{U}2023/30> ;
            bomay:statusEvent <{art}event/d/3> .
        <{art}event/d/3> bomay:status vocab:status\\/ended .
    """, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/bomay/graph/article/d"))
    return s


def _run(store: ox.Store, name: str, **bind: str) -> list[dict]:
    q = (QUERIES / name).read_text(encoding="utf-8")
    values = "".join(f" VALUES ?{k} {{ <{v}> }}" for k, v in bind.items())
    i = q.index("WHERE {") + len("WHERE {")
    res = store.query(q[:i] + values + q[i:], use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in res]


def test_the_places_in_time_queries_are_standard_sparql_another_engine_accepts():
    """They are published for any SPARQL 1.1 server: rdflib's parser (not Oxigraph's) must take them
    (their answers are checked below, on pyoxigraph)."""
    for name in ("pilots_on_territory.rq", "place_lineage.rq"):
        prepareQuery((QUERIES / name).read_text(encoding="utf-8"))


def test_counts_per_era_in_the_graph(store, gz):
    def count(era: str, cls: str) -> int:
        q = f"""SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {{ ?u a <{B}{cls}> .
                FILTER(STRSTARTS(STR(?u), "{U}{era}/")) }}"""
        return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)

    assert count(PRE, "Province") + count(PRE, "CentralCity") == 63
    assert count(POST, "Province") + count(POST, "CentralCity") == 34
    pre_d = sum(count(PRE, c) for c in ("District", "UrbanDistrict", "Town", "ProvincialCity"))
    assert pre_d == len([u for u in gz.units_of(PRE) if u.level == "district"]) == 696
    post_c = sum(count(POST, c) for c in ("Commune", "Ward", "SpecialZone"))
    assert post_c == len([u for u in gz.units_of(POST) if u.level == "commune"])


def test_thuan_thanh_leads_to_the_new_bac_ninh(gz):
    tt = gz.resolve("huyện Thuận Thành", on="2022-09-23")
    succ = gz.successors(tt)
    assert succ and all(s.era == POST and s.level == "commune" for s in succ)
    new_bn = gz.province("Bắc Ninh", on="2025-08-01")
    assert {s.province for s in succ} == {new_bn.code}
    assert "Thuận Thành" in {s.name for s in succ}
    assert tt in gz.predecessors(succ[0])


def test_hai_duong_districts_lead_to_hai_phong(gz):
    hp = gz.province("Hải Phòng", on="2025-07-01")
    hd = gz.province("Hải Dương", on="2022")
    assert gz.successors(hd) == [hp]
    assert {p.name for p in gz.predecessors(hp)} == {"Hải Dương", "Hải Phòng"}
    for d in gz.children(hd):
        assert gz.successors(d), d.label
        assert {s.province for s in gz.successors(d)} == {hp.code}, d.label


def test_every_old_unit_has_a_successor_and_every_new_one_a_predecessor(gz):
    assert all(gz.successors(u) for u in gz.units_of(PRE))
    assert all(gz.predecessors(u) for u in gz.units_of(POST))


def test_unit_triples_use_the_era_iri(gz):
    tt = gz.resolve("huyện Thuận Thành")
    s = unit_iri(tt)
    mine = {(str(p), str(o)) for x, p, o in gazetteer_triples(gz) if str(x) == s}
    assert (f"{B}unitCode", "262") in mine
    assert (f"{B}partOf", f"{U}2023/27") in mine
    assert (f"{B}validUntil", "2025-06-30") in mine
    assert (f"{B}unitType", "https://w3id.org/bomay/vocab/unit-type/town") in mine
    assert any(p == f"{B}successor" and o.startswith(f"{U}2025/") for p, o in mine)


def test_pilots_on_territory_of_hai_phong(store):
    rows = _run(store, "pilots_on_territory.rq", province=f"{U}2025/31")
    places = {r["placeLabel"] for r in rows}
    assert places == {"thị xã Kinh Môn", "huyện Nam Sách", "tỉnh Hải Dương"}
    assert {r["status"].rsplit("/", 1)[-1] for r in rows} == {"stopped", "ended"}


def test_pilots_on_territory_of_bac_ninh(store):
    rows = _run(store, "pilots_on_territory.rq", province=f"{U}2025/24")
    assert [(r["placeLabel"], r["when"]) for r in rows] == [("tỉnh Bắc Ninh", "2022-09")]


def test_place_lineage_both_ways(store):
    rows = _run(store, "place_lineage.rq", unit=f"{U}2023/292")
    assert {r["relation"] for r in rows} == {"successor"} and len(rows) >= 7
    assert "phường Kinh Môn" in {r["otherLabel"] for r in rows}
    rows = _run(store, "place_lineage.rq", unit=f"{U}2025/31")
    assert {r["otherLabel"] for r in rows} == {"tỉnh Hải Dương", "thành phố Hải Phòng"}
    assert {r["basisLabel"] for r in rows} == {"Nghị quyết 202/2025/QH15"}


def test_cli_writes_ntriples(tmp_path, capsys):
    out = tmp_path / "g.nt"
    assert main([str(out)]) == 0
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"<{U}2023/01> ") and first.endswith(" .")
    assert main([]) == 2


def test_every_unit_names_the_province_its_part_of_chain_reaches(store):
    """bomay:province is what queries read instead of climbing partOf, so it must say what the climb says:
    one province per unit, of the unit's own era, the unit itself at province level."""
    rows = store.query(f"""
        PREFIX bomay: <{B}>
        SELECT ?u (COUNT(DISTINCT ?p) AS ?n) (SAMPLE(?p) AS ?stated) (SAMPLE(?climbed) AS ?top) WHERE {{
          GRAPH <{GAZETTEER_GRAPH}> {{
            ?u a bomay:AdministrativeUnit .
            OPTIONAL {{ ?u bomay:province ?p }}
            OPTIONAL {{ ?u bomay:partOf* ?climbed . FILTER NOT EXISTS {{ ?climbed bomay:partOf ?up }} }}
          }}
        }} GROUP BY ?u""")
    seen = 0
    for row in rows:
        seen += 1
        assert row["n"].value == "1", row["u"]
        assert row["stated"] == row["top"], row["u"]
        assert row["stated"].value.split("/")[-2] == row["u"].value.split("/")[-2]  # the same era
    assert seen > 10_000
    province = ox.NamedNode(f"{B}province")
    for unit, expected in (("2023/262", "2023/27"), ("2023/27", "2023/27")):
        stated = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(U + unit), province, None)]
        assert stated == [U + expected]
