"""`bomay` command line: extract, ingest, query, export, validate, serve, review, export-gold.

Each command prints one clear line and exits non-zero on bad input, never a traceback.
"""

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Bộ Máy KG command line")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe / bind address"),
    port: int = typer.Option(8000, min=1, max=65535, help="Cổng / port"),
    store: str = typer.Option(None, help="Thư mục kho (mặc định BOMAY_STORE hoặc .bomay/store)"),
    log_level: str = typer.Option("info", help="uvicorn log level"),
) -> None:
    """Run the web service (SPARQL, REST, explorer) with uvicorn."""
    import logging
    import os

    import uvicorn

    if store:
        os.environ["BOMAY_STORE"] = store
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level=log_level)
    except OSError as e:
        typer.echo(f"Không khởi động được máy chủ / cannot start server: {e}", err=True)
        raise typer.Exit(1) from None


@app.command()
def extract(
    files: Annotated[list[str], typer.Argument(help="Bài báo (văn bản hoặc HTML) / article files")],
    format: Annotated[str, typer.Option("--format", "-f", help="json | table | ttl")] = "json",
    explain: Annotated[
        bool, typer.Option("--explain", help="Giải thích từng câu / explain each sentence")
    ] = False,
) -> None:
    """Extract pilot-model facts from articles (the facts JSON of ARCHITECTURE.md, a table, or Turtle)."""
    import json

    from api.pipeline import ArticleRefused, article_facts, article_graph, read_file
    from loaders.batch import facts_table

    if format not in ("json", "table", "ttl"):
        typer.echo(f"Định dạng không hỗ trợ / unsupported format: {format}", err=True)
        raise typer.Exit(2)
    articles, failed = [], False
    for path in files:  # a file that cannot be read gets its line; the others are still processed
        try:
            articles.append(read_file(path))
        except ArticleRefused as e:
            typer.echo(e.message, err=True)
            failed = True
    if explain:
        from loaders.explain import explain as explain_article

        for article in articles:
            typer.echo(explain_article(article.text, article.doc_id) + "\n")
        raise typer.Exit(2 if failed else 0)
    if format == "ttl":
        from rdflib import Graph

        from loaders.rdf import bind_prefixes

        merged = bind_prefixes(Graph())
        for article in articles:
            for triple in article_graph(article.text, article.doc_id).graph:
                merged.add(triple)
        typer.echo(merged.serialize(format="turtle"))
    else:
        results = [article_facts(article.text, article.doc_id) for article in articles]
        if format == "json":
            typer.echo(json.dumps(results, ensure_ascii=False, indent=1))
        else:
            typer.echo("\n\n".join(facts_table(f) for f in results))
    if failed:
        raise typer.Exit(2)


def _open_store(store: str | None, read_only: bool = False):
    """The configured store, or exit 1 with one line (e.g. a running server holds the write lock)."""
    from graph import open_store

    try:
        return open_store(store, read_only=read_only)
    except (OSError, FileNotFoundError) as e:
        from graph.embedded import StoreHeld

        if isinstance(e, StoreHeld):
            typer.echo("Kho đang được một tiến trình khác (máy chủ `bomay serve`?) giữ để ghi: hỏi qua "
                       "/sparql của máy chủ đó (--store http://HOST:PORT/sparql), hoặc dừng nó trước. / The "
                       "store is held for writing by another process (a running `bomay serve`?): ask its "
                       "/sparql (--store http://HOST:PORT/sparql), or stop it first.",
                       err=True)
        elif not read_only and "lock" in str(e).lower():
            typer.echo("Kho đang được một tiến trình khác (máy chủ `bomay serve`?) giữ để ghi: gửi bài qua "
                       "POST /api/articles của máy chủ đó. / The store is held for writing by another "
                       "process (a running `bomay serve`?): send articles with POST /api/articles to it.",
                       err=True)
        else:
            typer.echo(f"Không mở được kho / cannot open store: {e}", err=True)
        raise typer.Exit(1) from None


def _ensure_gazetteer(st) -> None:
    """Load the gazetteer graph (units, part-of, succession) when the store has none, or holds one built
    from other data (loaders.gazetteer_rdf.version)."""
    from rdflib import OWL, Literal, URIRef

    from loaders.gazetteer_rdf import gazetteer_graph, version
    from ontology.namespaces import GAZETTEER_GRAPH

    g = str(GAZETTEER_GRAPH)
    had = st.has_graph(g)
    if had and st.ask("ASK { GRAPH ?g { ?g ?p ?v } }", g=URIRef(g), p=OWL.versionInfo, v=Literal(version())):
        return
    n = st.bulk_replace_graph(g, gazetteer_graph())
    typer.echo(f"{'updated' if had else 'loaded'} gazetteer {g}: {n} triples")


@app.command()
def ingest(
    files: Annotated[list[str], typer.Argument(help="Bài báo / article files")],
    if_empty: bool = typer.Option(False, "--if-empty", help="only when the store holds no article yet"),
    missing: bool = typer.Option(
        False, "--missing", help="only the files whose text is not stored yet (under its id or another)"),
    gazetteer: bool = typer.Option(True, "--gazetteer/--no-gazetteer", help="load the gazetteer if missing"),
    store: str = typer.Option(None, help="store path or SPARQL URL (default BOMAY_SPARQL_URL/BOMAY_STORE)"),
) -> None:
    """Extract, validate (SHACL) and store articles, one named graph each; one line per file.

    A text already stored under another id is stored again (its events then count twice): a warning
    says so."""
    from api.pipeline import ArticleRefused, article_graph, read_file
    from graph.ingest import ingest_graph, same_text

    with _open_store(store) as st:
        if if_empty and (n := len(st.article_graphs())):
            typer.echo(f"store already holds {n} article(s): nothing ingested")
            return
        if gazetteer:
            _ensure_gazetteer(st)
        bad = False
        for path in files:
            try:
                article = read_file(path)
                built = article_graph(article.text, article.doc_id)
            except ArticleRefused as e:
                typer.echo(e.message, err=True)
                bad = True
                continue
            stored = same_text(st, built.text_hash)
            if missing and stored:
                typer.echo(f"{path}: đã có / already stored as {', '.join(stored)}")
                continue
            copies = [i for i in stored if i != built.doc_id]
            report = ingest_graph(st, built.iri, built.graph)
            typer.echo(f"{path}: {report.line()}")
            if copies and report.written:
                ids, times = ", ".join(copies), len(copies) + 1
                typer.echo(f"{path}: cảnh báo: cùng văn bản đã lưu dưới định danh {ids}, sự kiện được đếm "
                           f"{times} lần / warning: the same text is stored as {ids}, its events count "
                           f"{times} times", err=True)
            bad |= not report.written
    if bad:
        raise typer.Exit(2)


@app.command()
def query(
    sparql: str = typer.Argument(..., help="SPARQL text, @FILE, or the name of a graph/queries/*.rq query"),
    format: str = typer.Option("table", "--format", "-f", help="table | json | csv"),
    param: Annotated[list[str] | None,
                     typer.Option("--param", "-p", help="NAME=VALUE for a named query")] = None,
    store: str = typer.Option(None, help="store path or SPARQL URL"),
) -> None:
    """Run a SPARQL query (or a named query) against the store, read-only."""
    from pathlib import Path

    from graph import named, resolve
    from graph.sparql import bind, query_form
    from graph.store import QueryError

    if format not in ("table", "json", "csv"):
        typer.echo(f"Định dạng không hỗ trợ / unsupported format: {format}", err=True)
        raise typer.Exit(2)
    params = dict(p.split("=", 1) for p in (param or []) if "=" in p)
    accept = {"json": "application/sparql-results+json, application/ld+json",
              "csv": "text/csv, application/n-triples",
              "table": "text/tab-separated-values, text/turtle"}[format]
    with _open_store(store, read_only=True) as st:
        try:
            if sparql in named.named_queries():  # parameters naming things: IRI, id or words
                q = named.get(sparql)
                text = bind(q.text, resolve.drive(st, resolve.params_steps(q, params)))
            elif sparql.startswith("@"):
                text = Path(sparql[1:]).read_text(encoding="utf-8")
            else:
                text = sparql
            form = query_form(text)
        except LookupError as e:
            typer.echo(f"Không có gì khớp / nothing matches: {e}", err=True)
            raise typer.Exit(2) from None
        except (ValueError, OSError) as e:
            typer.echo(f"Truy vấn không hợp lệ / bad query: {e}", err=True)
            raise typer.Exit(2) from None
        if form == "UPDATE":
            typer.echo("Chỉ đọc / read-only: use `bomay ingest` to write", err=True)
            raise typer.Exit(2)
        try:
            if format == "table" and form == "SELECT":
                typer.echo(_table(st.select(text)))
                return
            body, _ = st.run(text, accept)
        except QueryError as e:
            typer.echo(f"Truy vấn không hợp lệ / bad query: {e}", err=True)
            raise typer.Exit(2) from None
    typer.echo(body.decode("utf-8").rstrip("\n"))


def _table(rows: list[dict]) -> str:
    if not rows:
        return "(0 rows)"
    cols = list(rows[0])
    cells = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows]
    widths = [min(60, max(len(c), *(len(row[i]) for row in cells))) for i, c in enumerate(cols)]
    line = lambda vals: "  ".join(v[:60].ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(cols), line(["-" * w for w in widths]), *map(line, cells), f"({len(rows)} rows)"])


@app.command()
def export(
    format: str = typer.Option(..., "--format", "-f", help="turtle|ntriples|jsonld|trig|nquads|graphml|gexf|"
                               "cytoscape|nodelink|dot|svg"),
    output: str = typer.Option(..., "--output", "-o", help="file to write ('-' for standard output)"),
    province: str = typer.Option(None, help="province name or IRI"),
    model: str = typer.Option(None, help="pilot model IRI or words of its label"),
    place: str = typer.Option(None, help="place name or IRI (with --radius)"),
    radius: int = typer.Option(None, min=0, help="neighbourhood radius around --place"),
    store: str = typer.Option(None, help="store path or SPARQL URL"),
) -> None:
    """Export the graph or a subgraph for RDF tools, yEd, Gephi, Cytoscape.js or Graphviz."""
    import sys

    from graph import exports

    fmt = exports.ALIASES.get(format, format)
    if fmt not in exports.FORMATS:
        typer.echo(f"Định dạng không hỗ trợ / unsupported format: {format} ({', '.join(exports.FORMATS)})",
                   err=True)
        raise typer.Exit(2)
    with _open_store(store, read_only=True) as st:
        try:
            data, _ = exports.run_export(
                st, exports.ExportRequest(fmt, province=province, model=model, place=place, radius=radius)
            )
        except (LookupError, RuntimeError, ValueError) as e:
            typer.echo(f"Không xuất được / cannot export: {e}", err=True)
            raise typer.Exit(2) from None
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        from pathlib import Path

        Path(output).write_bytes(data)
        typer.echo(f"wrote {output} ({fmt}, {len(data)} bytes)")


@app.command()
def validate(store: str = typer.Option(None, help="store path or SPARQL URL")) -> None:
    """Validate every article graph in the store against the SHACL shapes; exit 1 if any fails."""
    from graph.ingest import validate_store

    with _open_store(store, read_only=True) as st:
        reports = validate_store(st)
    for iri, report in reports.items():
        typer.echo(f"{iri}: {report.summary()}")
    typer.echo(f"{sum(r.conforms for r in reports.values())}/{len(reports)} article graphs valid")
    if not all(r.conforms for r in reports.values()):
        raise typer.Exit(1)


@app.command()
def review(
    file: Annotated[str, typer.Argument(help="YAML/JSON: a list of {fact, verdict, fields?, reason?} or "
                                              "{article, add: {start, end, kind, components, place, ...}}")],
    reviewer: str = typer.Option(..., help="Tên người duyệt / reviewer's name, recorded with each review"),
    store: str = typer.Option(None, help="store path (default BOMAY_STORE)"),
) -> None:
    """Apply a batch of reviews (confirm, correct, reject, add) to the store; one line each, exit 2 when
    any is refused (a refused review stores nothing)."""
    import yaml
    from pydantic import ValidationError

    from api.reviews import FactIn, ReviewError, ReviewIn, add_fact, review_fact
    from ontology.namespaces import ID

    try:
        items = yaml.safe_load(open(file, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        typer.echo(f"{file}: không đọc được / cannot read: {e}", err=True)
        raise typer.Exit(1) from None
    if not isinstance(items, list) or not reviewer.strip():
        typer.echo(f"{file}: cần một danh sách lượt duyệt và --reviewer / expected a list of reviews",
                   err=True)
        raise typer.Exit(1)
    bad = False
    with _open_store(store) as st:
        for n, item in enumerate(items, 1):
            where = f"{file}:{n}"
            try:
                if not isinstance(item, dict):
                    raise ReviewError("cần một đối tượng / expected a mapping")
                if "add" in item:
                    out = add_fact(st, str(item.get("article")), FactIn(**item["add"]), reviewer.strip())
                else:
                    fact = str(item.get("fact") or "")
                    body = ReviewIn(**{k: v for k, v in item.items() if k != "fact"})
                    out = review_fact(st, fact if fact.startswith(str(ID)) else str(ID[fact]), body,
                                      reviewer.strip())
            except ValidationError as e:
                typer.echo(f"{where}: {e.errors()[0]['loc']} {e.errors()[0]['msg']}", err=True)
                bad = True
                continue
            except ReviewError as e:
                typer.echo(f"{where}: {e}", err=True)
                bad = True
                continue
            except LookupError:
                typer.echo(f"{where}: không có dữ kiện hay bài báo này / no such fact or article", err=True)
                bad = True
                continue
            if not out.written:
                typer.echo(f"{where}: {out.validation.summary()}", err=True)
                bad = True
                continue
            last = out.reviews[-1]
            typer.echo(f"{where}: {last.verdict} {last.applies_to or last.fact} ({last.state})")
    if bad:
        raise typer.Exit(2)


@app.command("export-gold")
def export_gold(
    articles: Annotated[list[str], typer.Argument(help="Định danh bài báo / article ids")],
    output: str = typer.Option("-", "-o", help="YAML file (default: standard output)"),
    store: str = typer.Option(None, help="store path or SPARQL URL"),
) -> None:
    """Write the reviewed facts of ARTICLES in the shared scorer's gold format (../shared/eval)."""
    from pathlib import Path

    import yaml

    from graph.reviews import article_graph_iri, gold

    with _open_store(store, read_only=True) as st:
        missing = [a for a in articles if not st.has_graph(article_graph_iri(a))]
        if missing:
            typer.echo(f"không có bài báo / no such article: {', '.join(missing)}", err=True)
            raise typer.Exit(1)
        data = {a: gold(st, a) for a in articles}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    if output == "-":
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(articles)} article(s), "
                   f"{sum(len(d['models']) for d in data.values())} facts)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
