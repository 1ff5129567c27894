"""graph.resolve driven through the query workers: REST and export parameters name things the same way
the CLI does (IRI, id or words), with the same queries and the same choice."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.errors import ApiError
from api.sparql import run_engine
from graph import resolve as gr
from graph.named import get
from graph.sparql import bind


async def drive(request: Request, gen: gr.Steps) -> Any:
    """Run resolver steps (graph.resolve) on the query workers; what they settle on."""
    try:
        lookup = next(gen)
        while True:
            job = {"kind": "rows", "query": bind(get(lookup.query).text, lookup.bindings)}
            lookup = gen.send(await run_engine(request, job))
    except StopIteration as done:
        return done.value


async def resolve(request: Request, kind: str, text: str, field: str | None = None, status: int = 404) -> str:
    """IRI of the `kind` thing `text` names; `status` (404, or 422 for a list's filter) naming the
    parameter when nothing matches."""
    try:
        return await drive(request, gr.steps(kind, text))
    except LookupError as e:
        name = f"'{field}': " if field else ""
        raise ApiError(status, "nothing_matches", f"{name}không có gì khớp / nothing matches: {e}") from None


async def resolve_optional(
    request: Request, kind: str, text: str | None, field: str, status: int = 404
) -> str | None:
    """`resolve` for an optional parameter: None stays None."""
    return None if text is None else await resolve(request, kind, text, field, status)
