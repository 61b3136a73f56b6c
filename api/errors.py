"""The one place where domain errors become HTTP errors, all in one JSON shape.

``{"error": {"code": ..., "message": ..., "problems": [...], "correlation_id": ...}}``. A
profile never appears in an error body or a log line: profile problems name fields only.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import ProfileError, RutaEngineError
from network import NetworkError, UnknownPlaceError

_log = logging.getLogger("ruta.api")


def error_body(
    code: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "problems": problems or []}
    if correlation_id is not None:
        error["correlation_id"] = correlation_id
    return {"error": error}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the shared JSON shape."""

    @app.exception_handler(ProfileError)
    async def _profile(_: Request, error: ProfileError) -> JSONResponse:
        problems = [
            {"field": p.field, "message": p.message, "message_es": p.message_es}
            for p in error.problems
        ]
        return JSONResponse(error_body("invalid_profile", "the profile is invalid", problems), 422)

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        return JSONResponse(error_body("invalid_request", "the request is invalid", problems), 422)

    @app.exception_handler(UnknownPlaceError)
    async def _place(_: Request, error: UnknownPlaceError) -> JSONResponse:
        return JSONResponse(error_body("unknown_place", str(error)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            error.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(error.detail)), error.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        correlation = uuid.uuid4().hex
        # The type only: an exception's text could quote a profile.
        _log.error("unexpected %s (correlation id %s)", type(error).__name__, correlation)
        kind = (
            "engine_error"
            if isinstance(error, (RutaEngineError, NetworkError))
            else "internal_error"
        )
        return JSONResponse(
            error_body(
                kind,
                "unexpected failure; quote the correlation id when reporting it",
                correlation_id=correlation,
            ),
            500,
        )
