"""One JSON error shape for every 4xx/5xx answer: {"error": code, "message": Vietnamese / English}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorBody(BaseModel):
    """Body of every error answer."""

    error: str
    message: str


class ApiError(Exception):
    """Raise anywhere in a handler to answer `status` with a clean JSON message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON answer for an error."""
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


_HTTP_MESSAGES = {
    404: ("not_found", "Không tìm thấy. / Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ. / Method not allowed."),
}


def install(app: FastAPI) -> None:
    """Register handlers so that no error reaches the client as a traceback or HTML page."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{where}: {err.get('msg', '')}")
        return error_response(
            422, "invalid_parameter", "Tham số không hợp lệ / invalid parameter — " + "; ".join(parts)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # The log has the traceback (uvicorn's handler); the client gets no class or module name.
        return error_response(500, "internal_error", "Lỗi máy chủ. / Internal server error.")
