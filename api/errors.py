"""The one place where failures become HTTP errors, all in one JSON shape.

``{"error": {"code", "message", "message_es", "problems": [{"field", "message", "message_es"}],
"correlation_id"?}}``: ``code`` is stable for programs, the messages are for people, in English
and Spanish. A profile never appears in an error body or a log line: problems name fields and
say what was expected, never what was sent.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import EngineUnavailableError, ProfileError, RutaEngineError
from engine.messages import bilingual
from network import NetworkError, UnknownPlaceError
from store import (
    ConflictError,
    InvalidFieldError,
    InvalidRequestError,
    InvalidRuleBaseError,
    InvalidTransitionError,
    PermissionDeniedError,
    PreconditionFailedError,
    StoreError,
    StoreUnavailableError,
    UnauthenticatedError,
)
from store import (
    NotFoundError as StoreNotFoundError,
)

from .messages import request_problem

__all__ = [
    "ENGINE_UNAVAILABLE",
    "RETRY_AFTER_SECONDS",
    "AuditInputError",
    "AuditNotReadyError",
    "BatchLimitError",
    "BodyTooLargeError",
    "ConflictApiError",
    "ForbiddenError",
    "InvalidCsvError",
    "NoOfficeError",
    "NotFoundError",
    "PreconditionRequiredError",
    "RutaApiError",
    "UnauthenticatedApiError",
    "UnexpectedErrorMiddleware",
    "UnknownFilterError",
    "error_body",
    "install_error_handlers",
    "invalid_profile_body",
]

_log = logging.getLogger("ruta.api")


class RutaApiError(StarletteHTTPException):
    """Base of the API's own errors: an HTTP status, a stable code, a message in each language,
    and the part of the request at fault (``field``) where there is one.

    It is an HTTP exception so that FastAPI passes it through untouched wherever it is raised,
    even while a request body is being read.
    """

    code = "http_error"

    def __init__(
        self, status_code: int, message: str, message_es: str, field: str | None = None
    ) -> None:
        super().__init__(status_code, message)
        self.message = message
        self.message_es = message_es
        self.field = field

    def response(self) -> JSONResponse:
        """The error as answered: its status, and the shared shape naming ``field`` if any."""
        problems = None
        if self.field is not None:
            problems = [
                {"field": self.field, "message": self.message, "message_es": self.message_es}
            ]
        body = error_body(self.code, self.message, self.message_es, problems)
        return JSONResponse(body, self.status_code)


class NotFoundError(RutaApiError):
    """A rule or institution asked for by an id that is not in service."""

    code = "not_found"

    def __init__(self, what: str, what_es: str, identifier: str, listing: str) -> None:
        super().__init__(
            404,
            f"no {what} with id '{identifier}'; GET {listing} lists them all",
            f"no hay ninguna {what_es} con el identificador '{identifier}';"
            f" GET {listing} las lista todas",
        )


class UnknownFilterError(RutaApiError):
    """A query filter naming something that does not exist, e.g. a misspelt service code."""

    code = "invalid_request"

    def __init__(self, parameter: str, message: str, message_es: str) -> None:
        super().__init__(422, message, message_es, field=f"query.{parameter}")


class InvalidCsvError(RutaApiError):
    """A CSV upload that cannot be read as a table: not UTF-8, or broken quoting."""

    code = "invalid_request"

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(422, message, message_es, field="body")


class ConflictApiError(RutaApiError):
    """The request does not fit the record's present state (e.g. a referral before any
    roadmap); the message says what to do first."""

    code = "conflict"

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(409, message, message_es)


class NoOfficeError(RutaApiError):
    """A caseworker whose account names no office cannot open or see cases."""

    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(
            403,
            "your account names no office, so it cannot work on cases; ask an administrator"
            " (`ruta users add NAME --role caseworker --office OFFICE`)",
            "su cuenta no tiene oficina, así que no puede trabajar con casos; pídala a un"
            " administrador (`ruta users add NOMBRE --role caseworker --office OFICINA`)",
        )


class BatchLimitError(RutaApiError):
    """A batch asking more of one request than the service allows: more people than
    ``RUTA_MAX_BATCH_ITEMS``, or more referral targets per service than
    ``RUTA_MAX_BATCH_TARGETS``. Each problem names where, as ``(field, English, Spanish)``."""

    code = "invalid_request"

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(422, *_INVALID_REQUEST)
        self.problems = problems

    def response(self) -> JSONResponse:
        problems = [
            {"field": field, "message": message, "message_es": message_es}
            for field, message, message_es in self.problems
        ]
        return JSONResponse(error_body(self.code, self.message, self.message_es, problems), 422)


class AuditInputError(RutaApiError):
    """An audit's suite or requirements that cannot be read, named by file and line."""

    code = "invalid_audit_input"

    def __init__(self, field: str, message: str, message_es: str) -> None:
        super().__init__(422, message, message_es, field=field)


class AuditNotReadyError(RutaApiError):
    """An audit's report asked for before the audit is done (or after it failed)."""

    code = "audit_not_ready"

    def __init__(self, status: str) -> None:
        if status == "failed":
            message = "the audit failed, so it has no report; GET the audit for why"
            message_es = (
                "la auditoría falló y no tiene informe; consulte la auditoría para ver por qué"
            )
        else:
            message = f"the audit is {status}: its report is ready when its status is done"
            message_es = (
                f"la auditoría está {_STATUS_ES.get(status, status)}: su informe estará listo"
                " cuando su estado sea done"
            )
        super().__init__(409, message, message_es)


_STATUS_ES = {"queued": "en cola", "running": "en curso"}


class BodyTooLargeError(RutaApiError):
    """A request body over the configured limit (setting ``RUTA_MAX_BODY_BYTES``)."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is over {limit} bytes; send fewer profiles per request",
            f"el cuerpo de la solicitud supera {limit} bytes; envíe menos perfiles por solicitud",
        )


class UnauthenticatedApiError(RutaApiError):
    """No token, or one that is unknown, revoked or expired."""

    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__(
            401,
            "send a valid API token: Authorization: Bearer TOKEN (an administrator creates one"
            " with 'ruta users add')",
            "envíe un token de API válido: Authorization: Bearer TOKEN (un administrador lo"
            " crea con 'ruta users add')",
        )
        self.headers = {"WWW-Authenticate": "Bearer"}

    def response(self) -> JSONResponse:
        answer = super().response()
        answer.headers["WWW-Authenticate"] = "Bearer"
        return answer


class ForbiddenError(RutaApiError):
    """The person's role does not hold the permission this endpoint needs."""

    code = "forbidden"

    def __init__(self, permission: str, roles: list[str]) -> None:
        super().__init__(
            403,
            f"your role may not do this ({permission}); it needs one of: {', '.join(roles)}",
            f"su rol no permite hacer esto ({permission}); se necesita uno de: {', '.join(roles)}",
        )


class PreconditionRequiredError(RutaApiError):
    """An edit of a draft without ``If-Match``: it could overwrite someone else's edit."""

    code = "precondition_required"

    def __init__(self, what: str = "draft", what_es: str = "del borrador") -> None:
        super().__init__(
            428,
            f"send If-Match with the {what}'s ETag (from GET), so a change never overwrites"
            " someone else's",
            f"envíe If-Match con la ETag {what_es} (de GET), para que un cambio nunca"
            " sobrescriba el de otra persona",
            field="header.if-match",
        )


#: The HTTP status of each kind of store error.
_STORE_STATUS: dict[type[StoreError], int] = {
    UnauthenticatedError: 401,
    PermissionDeniedError: 403,
    StoreNotFoundError: 404,
    PreconditionFailedError: 412,
    ConflictError: 409,
    InvalidRequestError: 422,
    InvalidRuleBaseError: 422,
    StoreUnavailableError: 503,
}


def store_error_response(error: StoreError) -> JSONResponse:
    """A store error in the shared shape; a refused rule edit lists every problem with its
    file, line, rule and path."""
    status = next((code for kind, code in _STORE_STATUS.items() if isinstance(error, kind)), 500)
    problems: list[dict[str, Any]] | None = None
    if isinstance(error, InvalidFieldError):
        problems = [
            {"field": error.field, "message": error.message, "message_es": error.message_es}
        ]
    if isinstance(error, InvalidTransitionError):
        problems = [
            {
                "field": "to",
                "message": f"allowed: {', '.join(error.allowed) or 'none'}",
                "message_es": f"permitidos: {', '.join(error.allowed) or 'ninguno'}",
                "allowed": list(error.allowed),
            }
        ]
    if isinstance(error, InvalidRuleBaseError):
        problems = [
            {
                "field": p.path or (p.file or ""),
                "message": p.message,
                "message_es": p.message_es,
                "file": p.file,
                "line": p.line,
                "rule": p.rule_id,
            }
            for p in error.problems
        ]
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse(
        error_body(error.code, error.message, error.message_es, problems), status, headers
    )


#: Starlette's own HTTP errors (no route, wrong method): (code, English, Spanish).
_STARLETTE: dict[int, tuple[str, str, str]] = {
    404: (
        "not_found",
        "there is nothing at this address; the API's addresses are listed at /docs",
        "no hay nada en esta dirección; las direcciones de la API están en /docs",
    ),
    405: (
        "method_not_allowed",
        "this address does not take this method; see /docs",
        "esta dirección no admite este método; vea /docs",
    ),
}


#: How long a client waits before asking again after a 503: the engine rebuilds itself in
#: milliseconds, within the call that failed.
RETRY_AFTER_SECONDS = 1
#: The 503 answered when the rule engine failed part-way and is rebuilding itself.
ENGINE_UNAVAILABLE = (
    "the rule engine failed while answering and is being restarted; nothing was decided for this"
    " request: send it again in a moment",
    "el motor de reglas falló al responder y se está reiniciando; no se decidió nada para esta"
    " solicitud: envíela de nuevo en un momento",
)

_INVALID_REQUEST = (
    "the request is invalid; correct the fields listed",
    "la solicitud no es válida; corrija los campos señalados",
)
_NOT_JSON = bilingual("json_invalid", None, "")


def error_body(
    code: str,
    message: str,
    message_es: str,
    problems: list[dict[str, Any]] | None = None,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """The shared error shape."""
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "message_es": message_es,
        "problems": problems or [],
    }
    if correlation_id is not None:
        error["correlation_id"] = correlation_id
    return {"error": error}


def invalid_profile_body(error: ProfileError) -> dict[str, Any]:
    """The error of one invalid profile, also used per item in a batch answer: each invalid
    field in both languages (fields are named, values never)."""
    return error_body(
        "invalid_profile",
        "the profile is invalid; correct the fields listed",
        "el perfil no es válido; corrija los campos señalados",
        [
            {"field": p.field, "message": p.message, "message_es": p.message_es}
            for p in error.problems
        ],
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the shared JSON shape."""

    @app.exception_handler(ProfileError)
    async def _profile(_: Request, error: ProfileError) -> JSONResponse:
        return JSONResponse(invalid_profile_body(error), 422)

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [request_problem(e) for e in error.errors()]
        body = error_body("invalid_request", *_INVALID_REQUEST, problems)
        return JSONResponse(body, 422)

    @app.exception_handler(RutaApiError)
    async def _api(_: Request, error: RutaApiError) -> JSONResponse:
        return error.response()

    @app.exception_handler(EngineUnavailableError)
    async def _unavailable(_: Request, error: EngineUnavailableError) -> JSONResponse:
        # Only whether the engine is already rebuilt: the error's text is durable-rules' own.
        _log.warning("rule engine unavailable (%s)", "rebuilt" if error.rebuilt else "not rebuilt")
        return JSONResponse(
            error_body("engine_unavailable", *ENGINE_UNAVAILABLE),
            503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(StoreError)
    async def _store(_: Request, error: StoreError) -> JSONResponse:
        return store_error_response(error)

    @app.exception_handler(UnknownPlaceError)
    async def _place(_: Request, error: UnknownPlaceError) -> JSONResponse:
        body = error_body(
            "unknown_place",
            str(error),
            "el lugar o el servicio pedido no existe en la red de instituciones aliadas",
        )
        return JSONResponse(body, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8): the same as bad JSON.
            problem = {"field": "body", "message": _NOT_JSON[0], "message_es": _NOT_JSON[1]}
            body = error_body("invalid_request", *_INVALID_REQUEST, [problem])
            return JSONResponse(body, 422)
        code, message, message_es = _STARLETTE.get(
            error.status_code,
            ("http_error", str(error.detail), "la solicitud no pudo atenderse"),
        )
        return JSONResponse(
            error_body(code, message, message_es), error.status_code, headers=error.headers
        )

    # Last added, so outermost of the application's own middleware.
    app.add_middleware(UnexpectedErrorMiddleware)


class UnexpectedErrorMiddleware:
    """Answers any unexpected failure with a 500 and a correlation id, and stops it there.

    Only the exception's type and the correlation id are logged: an exception's text or
    traceback could quote a profile. Starlette's own last-resort handler would answer the 500
    but then raise the exception again for the server to log in full, text and all; this
    middleware sits inside it and lets nothing through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch_start)
        except Exception as error:  # the last resort, by design
            correlation = uuid.uuid4().hex
            _log.error("unexpected %s (correlation id %s)", type(error).__name__, correlation)
            if started:
                return  # the answer is under way: nothing more can be sent
            kind = (
                "engine_error"
                if isinstance(error, (RutaEngineError, NetworkError))
                else "internal_error"
            )
            body = error_body(
                kind,
                "unexpected failure; quote the correlation id when reporting it",
                "fallo inesperado; cite el identificador de correlación al informarlo",
                correlation_id=correlation,
            )
            await JSONResponse(body, 500)(scope, receive, send)
