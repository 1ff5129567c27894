"""`bomay` command line: extract, ingest, query, export, validate, serve.

Each command prints one clear line and exits non-zero on bad input, never a traceback.
"""

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Bộ Máy KG command line")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
