"""API documentation pages (/docs, /redoc) served from local files, never from a CDN.

FastAPI's own pages load Swagger UI and ReDoc from jsDelivr and fonts from Google, so they are blank
offline or behind a firewall. The same pages are built here with FastAPI's HTML helpers, pointed at the
copies of Swagger UI and ReDoc that the `fastapi-offline` package ships (a pyproject dependency, so
`make install` brings them; nothing of theirs is in this repository).
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from api.errors import ApiError

router = APIRouter(include_in_schema=False)
ASSET_PREFIX = "/static/docs"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
_TITLE = "Bộ Máy KG — tài liệu API / API documentation"
# Nothing but this app: ReDoc's sidebar footer always asks cdn.redoc.ly for a logo (hidden when it fails),
# and an offline page must not reach out for it. Inline script: FastAPI's few bootstrap lines.
_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _page(html: HTMLResponse) -> HTMLResponse:
    html.headers["Content-Security-Policy"] = _CSP
    html.headers["X-Content-Type-Options"] = "nosniff"
    return html


@functools.cache
def asset_dir() -> Path:
    """Folder of the packaged Swagger UI and ReDoc builds (looked up once)."""
    return Path(str(importlib.resources.files("fastapi_offline") / "static"))


def _openapi_url(request: Request) -> str:
    """The schema URL as the browser must ask for it (behind a proxy's root_path too)."""
    return request.scope.get("root_path", "").rstrip("/") + (request.app.openapi_url or "/openapi.json")


def _asset(request: Request, name: str) -> str:
    return request.scope.get("root_path", "").rstrip("/") + f"{ASSET_PREFIX}/{name}"


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on local assets; the online validator badge (a request to swagger.io) is off."""
    return _page(
        get_swagger_ui_html(
            openapi_url=_openapi_url(request),
            title=_TITLE,
            swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
            swagger_css_url=_asset(request, "swagger-ui.css"),
            swagger_favicon_url=_asset(request, "favicon.png"),
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
        )
    )


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc on local assets, without the Google Fonts link FastAPI adds by default."""
    return _page(
        get_redoc_html(
            openapi_url=_openapi_url(request),
            title=_TITLE,
            redoc_js_url=_asset(request, "redoc.standalone.js"),
            redoc_favicon_url=_asset(request, "favicon.png"),
            with_google_fonts=False,
        )
    )


@router.get(ASSET_PREFIX + "/{name}")
async def docs_asset(name: str) -> FileResponse:
    """One of the four packaged files; a fixed list, so no path from the URL reaches the disk."""
    media = _ASSETS.get(name)
    path = asset_dir() / name
    if media is None or not path.is_file():
        raise ApiError(404, "not_found", "Không tìm thấy. / Not found.")
    return FileResponse(
        path,
        media_type=media,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
