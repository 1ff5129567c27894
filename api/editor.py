"""The SPARQL editor a browser gets on /sparql: YASGUI, installed at build time, served from here.

`make install` runs `npm ci` on the repository's package.json, which puts `@zazuko/yasgui` under the
git-ignored node_modules/; this module serves its two built files and the page that sets it up
(competency questions as example tabs, this endpoint only, completions from this service, no request
leaving the app). `/sparql` keeps answering machines as before: only a bare GET whose Accept header
prefers HTML over every other type gets the page (api/sparql.py asks `wants_html`).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from rdflib.namespace import OWL, RDF

from api.errors import ApiError
from graph.formats import parse_accept
from ontology.namespaces import PREFIXES

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent / "static"
ROOT = Path(__file__).resolve().parents[1]
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_VENDOR = {"yasgui.min.js", "yasgui.min.css"}
_OWN = {"sparql-editor.js", "sparql-editor.css"}
# YASGUI and CodeMirror set inline styles; every script is a file of this app, every fetch goes to it.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def vendor_dir() -> Path:
    """Where the YASGUI build lies: BOMAY_YASGUI_DIR, else node_modules/ of this checkout."""
    custom = os.environ.get("BOMAY_YASGUI_DIR")
    return Path(custom) if custom else ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"


def installed() -> bool:
    """True when `make install` could fetch the editor (it needs npm)."""
    return all((vendor_dir() / name).is_file() for name in _VENDOR)


def wants_html(accept: str | None) -> bool:
    """A browser navigating here: HTML named in Accept with a weight no other named type beats.

    `*/*` and wildcards do not count, so curl and SPARQL clients keep getting the service description.
    """
    ranges = [(m, q) for m, q, _ in parse_accept(accept) if "*" not in m]
    html = max((q for m, q in ranges if m in _HTML_TYPES), default=0.0)
    return html > 0 and all(q <= html for m, q in ranges if m not in _HTML_TYPES)


def page() -> HTMLResponse:
    """The editor page; without the npm build it still loads and says how to install the editor."""
    html = (STATIC / "sparql.html").read_text(encoding="utf-8")
    return HTMLResponse(
        html,
        headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff", "Vary": "Accept"},
    )


@router.get("/static/vendor/{name}")
async def vendor_file(name: str) -> FileResponse:
    """YASGUI's built script and style sheet (a fixed list: no path from the URL reaches the disk)."""
    path = vendor_dir() / name
    if name not in _VENDOR or not path.is_file():
        raise ApiError(
            404,
            "editor_not_installed",
            "Trình soạn SPARQL chưa được cài: chạy `make install` (cần npm). / The SPARQL editor is not "
            "installed: run `make install` (needs npm).",
        )
    return FileResponse(
        path,
        media_type=_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/editor/prefixes.json")
async def prefixes() -> JSONResponse:
    """The service's prefixes, for the editor's PREFIX completion and the result table's short names
    (YASQE would otherwise offer a bundled list that knows nothing of bomay:)."""
    known = {**PREFIXES, "rdf": RDF, "owl": OWL}
    return JSONResponse({k: str(v) for k, v in sorted(known.items())})


@router.get("/static/editor/{name}")
async def editor_file(name: str) -> FileResponse:
    """The page's own script and style sheet."""
    if name not in _OWN:
        raise ApiError(404, "not_found", "Không tìm thấy. / Not found.")
    return FileResponse(
        STATIC / name, media_type=_TYPES[Path(name).suffix], headers={"X-Content-Type-Options": "nosniff"}
    )
