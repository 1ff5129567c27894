"""Write the ontology and vocabulary documentation as HTML with pyLODE: `python -m ontology.docs OUTDIR`.

One page for the OWL ontology (OntPub), one per SKOS scheme (VocPub), and an index page linking them.
The pages are generated, never committed.
"""

from __future__ import annotations

import html
import importlib
import sys
import types
from importlib.metadata import version
from pathlib import Path
from string import Template

from rdflib import DCTERMS, RDF, RDFS, SKOS, Graph, Literal

import ontology


def _pylode() -> types.ModuleType:
    """Import pyLODE's profiles module.

    pyLODE 3.4 reads its version from a pyproject.toml that its wheel does not ship; when that import fails,
    give it a stand-in `pylode.version` module holding the installed distribution's version and retry.
    """
    try:
        return importlib.import_module("pylode.profiles")
    except FileNotFoundError:
        for name in [n for n in sys.modules if n == "pylode" or n.startswith("pylode.")]:
            del sys.modules[name]
        stub = types.ModuleType("pylode.version")
        stub.__version__ = version("pylode")  # type: ignore[attr-defined]
        sys.modules["pylode.version"] = stub
        return importlib.import_module("pylode.profiles")


_JOINED = {RDFS.label: " — ", SKOS.prefLabel: " — ", DCTERMS.title: " — ",
           RDFS.comment: " / ", DCTERMS.description: " / ", SKOS.definition: " / "}


def bilingual(graph: Graph) -> Graph:
    """A copy where each vi + en pair of labels, titles and comments becomes one "vi — en" literal.

    pyLODE shows one value per property (or runs them together); users read Vietnamese first, English second.
    """
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        out.add(triple)
    for prop, sep in _JOINED.items():
        for subject in set(graph.subjects(prop, None)):
            values = {o.language: o for o in graph.objects(subject, prop) if isinstance(o, Literal)}
            if "vi" in values and "en" in values:
                out.remove((subject, prop, values["vi"]))
                out.remove((subject, prop, values["en"]))
                out.add((subject, prop, Literal(f"{values['vi']}{sep}{values['en']}", lang="vi")))
    return out


def _title(graph: Graph) -> str:
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        titles = {t.language: str(t) for t in graph.objects(scheme, DCTERMS.title)}
        return titles.get("vi") or titles.get("en") or str(scheme)
    return "Bộ Máy"


def build(outdir: Path) -> list[Path]:
    """Write index.html, ontology.html and vocab/<file>.html under `outdir`; return the pages written."""
    profiles = _pylode()
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "vocab").mkdir(exist_ok=True)
    written = []

    ontology_page = outdir / "ontology.html"
    profiles.OntPub(bilingual(ontology.terms()), sort_subjects=True).make_html(destination=ontology_page)
    written.append(ontology_page)

    links = []
    for path in ontology.vocab_files():
        graph = Graph().parse(path, format="turtle")
        page = outdir / "vocab" / f"{path.stem}.html"
        profiles.VocPub(bilingual(graph), sort_subjects=True).make_html(destination=page)
        written.append(page)
        links.append(f'<li><a href="vocab/{page.name}">{html.escape(_title(graph))}</a> ({path.name})</li>')

    index = outdir / "index.html"
    template = Template((Path(__file__).parent / "docs_index.html").read_text(encoding="utf-8"))
    index.write_text(template.substitute(links="\n".join(links)), encoding="utf-8")
    written.append(index)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: the single argument is the output folder (default build/docs)."""
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else Path("build/docs")
    for page in build(outdir):
        print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
