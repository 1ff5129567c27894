"""`bomay` command line: extract, ingest, query, export, validate, serve.

Each command prints one clear line and exits non-zero on bad input, never a traceback.
"""

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
    files: list[str] = typer.Argument(..., help="Bài báo (văn bản hoặc HTML) / article files"),
    format: str = typer.Option("json", "--format", "-f", help="json | table | ttl"),
) -> None:
    """Extract pilot-model facts from articles (JSON per DESIGN.md, a table, or Turtle)."""
    import json

    from loaders.batch import ArticleError, facts_table, read_article
    from loaders.extract import extract_document

    if format not in ("json", "table", "ttl"):
        typer.echo(f"Định dạng không hỗ trợ / unsupported format: {format}", err=True)
        raise typer.Exit(2)
    results, failed = [], False
    for path in files:
        try:
            article = read_article(path)
        except ArticleError as e:
            typer.echo(str(e), err=True)
            failed = True
            continue
        results.append((article, extract_document(article.text, article.doc_id)))
    if format == "json":
        typer.echo(json.dumps([f for _, f in results], ensure_ascii=False, indent=1))
    elif format == "table":
        typer.echo("\n\n".join(facts_table(f) for _, f in results))
    else:
        from rdflib import Graph

        from loaders.rdf import bind_prefixes, facts_to_graph

        merged = bind_prefixes(Graph())
        for article, facts in results:
            for triple in facts_to_graph(facts, article.text):
                merged.add(triple)
        typer.echo(merged.serialize(format="turtle"))
    if failed:
        raise typer.Exit(2)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
