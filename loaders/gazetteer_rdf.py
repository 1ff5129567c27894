"""The gazetteer as RDF: the named graph https://w3id.org/bomay/graph/gazetteer.

Units of both eras with codes, types, part-of links and validity in time; succession from each
pre-reform unit to the post-reform units that took over its territory; and the reform itself as
`bomay:ReformEvent`s (change events, like org:ChangeEvent) citing the National Assembly resolutions.
The reform acts (dates, numbers, labels) are data in `data/gazetteer_reform.json`.

Build: `python -m loaders.gazetteer_rdf OUT.nt` writes N-Triples (`-` for standard output).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from loaders.gazetteer import POST, PRE, Gazetteer, Unit, unit_iri
from loaders.rdf import legal_iri
from ontology.namespaces import BOMAY, GAZETTEER_GRAPH, ID, PROV, VOCAB
from ontology.text import fold, slug

DCTERMS = Namespace("http://purl.org/dc/terms/")
_REFORM_FILE = Path(__file__).parent / "data" / "gazetteer_reform.json"
_TYPE_CHANGES_FILE = Path(__file__).parent / "data" / "gazetteer_type_changes.json"

# unit type slug -> class local name in bomay:
CLASS_OF = {
    "province": "Province", "central_city": "CentralCity", "district": "District",
    "urban_district": "UrbanDistrict", "town": "Town", "provincial_city": "ProvincialCity",
    "commune": "Commune", "ward": "Ward", "township": "Township", "special_zone": "SpecialZone",
}

Triple = tuple[Node, Node, Node]


def reform_data() -> dict:
    """The reform acts and their legal bases, as kept in data/gazetteer_reform.json."""
    return json.loads(_REFORM_FILE.read_text(encoding="utf-8"))


def _d(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def unit_triples(gz: Gazetteer, unit: Unit, valid_until: str, valid_from: str) -> Iterator[Triple]:
    """Triples describing one unit (identity, type, names, hierarchy, validity, succession)."""
    s = URIRef(unit_iri(unit))
    yield s, RDF.type, BOMAY[CLASS_OF[unit.type]]
    yield s, RDF.type, BOMAY.AdministrativeUnit
    yield s, BOMAY.unitType, VOCAB[f"unit-type/{unit.type}"]
    yield s, BOMAY.unitCode, Literal(unit.code)
    yield s, RDFS.label, Literal(unit.label, lang="vi")
    yield s, BOMAY.name, Literal(unit.name, lang="vi")
    yield s, BOMAY.searchKey, Literal(fold(unit.label))
    if unit.parent:
        yield s, BOMAY.partOf, URIRef(unit_iri(gz.get(unit.parent, unit.era)))
    # the province stated once per unit, so that a query asks one pattern instead of climbing partOf
    yield s, BOMAY.province, URIRef(unit_iri(gz.get(unit.province, unit.era)))  # a province's is its own code
    if unit.era == PRE:
        yield s, BOMAY.validUntil, _d(valid_until)
        for n in gz.successors(unit):
            yield s, BOMAY.successor, URIRef(unit_iri(n))
    else:
        yield s, BOMAY.validFrom, _d(valid_from)
        for o in gz.predecessors(unit):
            yield s, BOMAY.predecessor, URIRef(unit_iri(o))


def version() -> str:
    """What the gazetteer graph is built from (this module, its data files, the units package's version),
    hashed: a store holding another version reloads it, so a new type change or a fix reaches it."""
    import hashlib
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in sorted((Path(__file__).parent / "data").glob("gazetteer_*.json")):
        h.update(f.read_bytes())
    try:
        h.update(package_version("vietnamadminunits").encode())
    except PackageNotFoundError:
        pass
    return h.hexdigest()[:16]


def type_changes() -> list[dict]:
    """Type changes before the 2023 snapshot, as kept in data/gazetteer_type_changes.json."""
    return json.loads(_TYPE_CHANGES_FILE.read_text(encoding="utf-8"))["changes"]


def earlier_label_triples(gz: Gazetteer, changes: list[dict]) -> Iterator[Triple]:
    """Each era-2023 unit whose type changed: its earlier label and the day it stopped applying (a node
    `<unit>/label-until/<date>`), so that a fact dated before reads the unit as it was then."""
    for c in changes:
        unit = gz.get(c["code"], PRE)
        if unit is None or unit.name != c["name"]:
            raise ValueError(f"gazetteer_type_changes.json: no era-2023 unit {c['code']} named {c['name']}")
        s = URIRef(unit_iri(unit))
        node = URIRef(f"{s}/label-until/{c['since']}")
        yield s, BOMAY.earlierLabel, node
        yield node, RDFS.label, Literal(f"{c['before']} {unit.name}", lang="vi")
        yield node, BOMAY.until, _d(c["since"])


def _legal_triples(doc: dict) -> Iterator[Triple]:
    d = legal_iri(doc)
    issuer = URIRef(f"{ID}agency/{slug(doc['issuer'])}")
    yield d, RDF.type, BOMAY[doc["class"]]
    yield d, RDF.type, BOMAY.LegalDocument
    yield d, BOMAY.documentNumber, Literal(doc["number"])
    yield d, BOMAY.documentKind, VOCAB[f"document-kind/{doc['kind_slug']}"]
    yield d, RDFS.label, Literal(f"{doc['kind']} {doc['number']}", lang="vi")
    yield d, BOMAY.searchKey, Literal(fold(f"{doc['kind']} {doc['number']}"))
    yield d, DCTERMS.title, Literal(doc["title"], lang="vi")
    yield d, DCTERMS.date, _d(doc["date"])
    yield d, BOMAY.issuer, issuer
    yield issuer, RDF.type, BOMAY.Agency
    yield issuer, RDFS.label, Literal(doc["issuer"], lang="vi")


def _event(iri: URIRef, label: str | None, date: str, part_of: URIRef | None,
           basis: list[URIRef]) -> Iterator[Triple]:
    yield iri, RDF.type, BOMAY.ReformEvent
    if label:
        yield iri, RDFS.label, Literal(label, lang="vi")
    yield iri, DCTERMS.date, _d(date)
    if part_of is not None:
        yield iri, DCTERMS.isPartOf, part_of
    for b in basis:
        yield iri, BOMAY.legalBasis, b


def reform_triples(gz: Gazetteer, data: dict) -> Iterator[Triple]:
    """The reform as events: one per act, one per new province, one per new commune."""
    date = data["date"]
    acts = {a["id"]: a for a in data["acts"]}
    for a in acts.values():
        ev = URIRef(f"{ID}reform/{a['id']}")
        yield from _event(ev, a["label"], date, None, [legal_iri(d) for d in a["legal_basis"]])
        yield ev, RDFS.label, Literal(a["label_en"], lang="en")
        for d in a["legal_basis"]:
            yield from _legal_triples(d)
    prov_act = URIRef(f"{ID}reform/{data['province_act']}")
    commune_act = URIRef(f"{ID}reform/{data['commune_act']}")
    district_act = URIRef(f"{ID}reform/{data['district_act']}")
    prov_basis = [legal_iri(d) for d in acts[data["province_act"]]["legal_basis"]]
    for p in gz.provinces(POST):
        ev = URIRef(f"{ID}reform/2025/province/{p.code}")
        olds = gz.predecessors(p)
        if len(olds) > 1:
            label = f"Hợp nhất {', '.join(o.label for o in olds)} thành {p.label}"
        else:
            label = f"Tổ chức lại {p.label} (không hợp nhất)"
        yield from _event(ev, label, date, prov_act, prov_basis)
        for o in olds:
            yield ev, BOMAY.originalUnit, URIRef(unit_iri(o))
        yield ev, BOMAY.resultingUnit, URIRef(unit_iri(p))
    for c in gz.units_of(POST):
        if c.level != "commune":
            continue
        ev = URIRef(f"{ID}reform/2025/commune/{c.code}")
        yield from _event(ev, None, date, commune_act, [])
        for o in gz.predecessors(c):
            if o.level == "commune" or not gz.children(o):  # island districts have no communes
                yield ev, BOMAY.originalUnit, URIRef(unit_iri(o))
        yield ev, BOMAY.resultingUnit, URIRef(unit_iri(c))
    for d in gz.units_of(PRE):
        if d.level == "district":
            yield district_act, BOMAY.originalUnit, URIRef(unit_iri(d))


def gazetteer_triples(gz: Gazetteer | None = None) -> Iterator[Triple]:
    """Every triple of the gazetteer graph, in a deterministic order."""
    gz = gz or Gazetteer.default()
    data = reform_data()
    until, since = data["valid_until"], data["date"]
    for era in (PRE, POST):
        for unit in sorted(gz.units_of(era), key=lambda u: (u.level != "province", u.code)):
            yield from unit_triples(gz, unit, until, since)
    yield from earlier_label_triples(gz, type_changes())
    yield from reform_triples(gz, data)
    g = GAZETTEER_GRAPH
    yield g, RDF.type, PROV.Entity
    yield g, DCTERMS.source, URIRef(data["source"])
    yield g, DCTERMS.description, Literal(data["description"], lang="en")
    yield g, OWL.versionInfo, Literal(version())


def gazetteer_graph(gz: Gazetteer | None = None) -> Graph:
    """The named graph of administrative units (identifier GAZETTEER_GRAPH)."""
    graph = Graph(identifier=GAZETTEER_GRAPH)
    graph.bind("bomay", BOMAY)
    for t in gazetteer_triples(gz):
        graph.add(t)
    return graph


def write_ntriples(out, gz: Gazetteer | None = None) -> int:
    """Stream the graph as N-Triples (no rdflib graph in memory); returns the triple count."""
    n = 0
    seen: set[Triple] = set()
    for t in gazetteer_triples(gz):
        if t in seen:
            continue
        seen.add(t)
        out.write(f"{t[0].n3()} {t[1].n3()} {t[2].n3()} .\n")
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """`python -m loaders.gazetteer_rdf OUT.nt`: build the gazetteer graph as N-Triples."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m loaders.gazetteer_rdf OUT.nt  (- for stdout)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    if args[0] == "-":
        n = write_ntriples(sys.stdout)
    else:
        path = Path(args[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            n = write_ntriples(f)
        size = path.stat().st_size
        print(f"{path}: {n} triples, {size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
