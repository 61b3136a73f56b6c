"""The one place where failures become HTTP errors, all in one JSON shape.

``{"error": {"code", "message", "message_es", "problems": [{"field", "message", "message_es"}],
"correlation_id"?}}``: ``code`` is stable for programs, the messages are for people, in English
and Spanish. A profile never appears in an error body or a log line: problems name fields and
say what was expected, never what was sent. The words are the catalogues' (:mod:`texts`), keyed
by the situation (``error.<code>.<situation>``), so a translator changes them without touching
this module; each code also has a short title (``error.<code>``, :func:`error_title`).
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
from texts import N_, both, text

from .messages import request_problem

__all__ = [
    "ENGINE_UNAVAILABLE",
    "ERROR_TITLES",
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
    "RutaServiceError",
    "StartupError",
    "UnauthenticatedApiError",
    "UnexpectedErrorMiddleware",
    "UnknownFilterError",
    "error_body",
    "error_title",
    "install_error_handlers",
    "invalid_profile_body",
]

_log = logging.getLogger("ruta.api")


class RutaServiceError(Exception):
    """The root of every error of Ruta's service (this package): the ones answered over HTTP
    (:class:`RutaApiError`) and the ones that stop it from starting (:class:`StartupError`).
    Each carries what went wrong for a person, in English (``message``) and Spanish
    (``message_es``), never a returnee's data."""

    message: str
    message_es: str


class StartupError(RutaServiceError):
    """Ruta cannot start; the message says why and what to do, in English and Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es


class RutaApiError(StarletteHTTPException, RutaServiceError):
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
    """A rule, institution or service asked for by an id that is not in service. ``key`` is
    the catalogue text saying what was not found (``error.not_found.rule``), filled from
    ``values`` (the id asked for: policy data, never a returnee's)."""

    code = "not_found"

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(404, *both(key, **values))


class UnknownFilterError(RutaApiError):
    """A query filter naming something that does not exist, e.g. a misspelt service code;
    ``key`` is the catalogue text saying what the filter should be."""

    code = "invalid_request"

    def __init__(self, parameter: str, key: str, **values: object) -> None:
        super().__init__(422, *both(key, **values), field=f"query.{parameter}")


class InvalidCsvError(RutaApiError):
    """A CSV upload that cannot be read as a table: not UTF-8, or broken quoting."""

    code = "invalid_request"

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(422, message, message_es, field="body")


class ConflictApiError(RutaApiError):
    """The request does not fit the record's present state (e.g. a referral before any
    roadmap); the catalogue text ``key`` says what to do first."""

    code = "conflict"

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(409, *both(key, **values))


class NoOfficeError(RutaApiError):
    """A caseworker whose account names no office cannot open or see cases."""

    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(403, *both("error.forbidden.no_office"))


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
        key = _NOT_READY.get(status, N_("error.audit_not_ready.status"))
        super().__init__(409, *both(key, status=status))


#: Why an audit has no report yet, by its status.
_NOT_READY = {
    "failed": N_("error.audit_not_ready.failed"),
    "queued": N_("error.audit_not_ready.queued"),
    "running": N_("error.audit_not_ready.running"),
}


class BodyTooLargeError(RutaApiError):
    """A request body over the configured limit (setting ``RUTA_MAX_BODY_BYTES``)."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, *both("error.body_too_large.limit", limit=limit))


class UnauthenticatedApiError(RutaApiError):
    """No token, or one that is unknown, revoked or expired."""

    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__(401, *both("error.unauthenticated.token"))
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
            403, *both("error.forbidden.role", permission=permission, roles=", ".join(roles))
        )


class PreconditionRequiredError(RutaApiError):
    """An edit of a draft, case or referral without ``If-Match``: it could overwrite someone
    else's edit. ``key`` is the catalogue text naming the record's kind."""

    code = "precondition_required"

    def __init__(self, key: str = N_("error.precondition_required.draft")) -> None:
        super().__init__(428, *both(key), field="header.if-match")


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
                **_allowed(error.allowed),
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


def _allowed(allowed: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The problem of a refused change of status: the statuses it may go to from here."""
    if not allowed:
        message, message_es = both("error.invalid_transition.none")
    else:
        message, message_es = both("error.invalid_transition.allowed", statuses=", ".join(allowed))
    return {"message": message, "message_es": message_es}


#: Starlette's own HTTP errors (no route, wrong method): (code, catalogue key).
_STARLETTE: dict[int, tuple[str, str]] = {
    404: ("not_found", N_("error.not_found.address")),
    405: ("method_not_allowed", N_("error.method_not_allowed.address")),
}

#: A short title of each error code the API answers with, for people (a page's heading over
#: the message). The codes are stable; the titles are in the catalogues.
ERROR_TITLES: dict[str, str] = {
    "audit_not_ready": N_("error.audit_not_ready"),
    "body_too_large": N_("error.body_too_large"),
    "conflict": N_("error.conflict"),
    "consent_required": N_("error.consent_required"),
    "engine_error": N_("error.engine_error"),
    "engine_unavailable": N_("error.engine_unavailable"),
    "forbidden": N_("error.forbidden"),
    "http_error": N_("error.http_error"),
    "internal_error": N_("error.internal_error"),
    "invalid_audit_input": N_("error.invalid_audit_input"),
    "invalid_profile": N_("error.invalid_profile"),
    "invalid_request": N_("error.invalid_request"),
    "invalid_rule_base": N_("error.invalid_rule_base"),
    "invalid_transition": N_("error.invalid_transition"),
    "method_not_allowed": N_("error.method_not_allowed"),
    "not_found": N_("error.not_found"),
    "precondition_failed": N_("error.precondition_failed"),
    "precondition_required": N_("error.precondition_required"),
    "store_error": N_("error.store_error"),
    "store_unavailable": N_("error.store_unavailable"),
    "unauthenticated": N_("error.unauthenticated"),
    "unknown_place": N_("error.unknown_place"),
}


def error_title(code: str, lang: str) -> str:
    """The short title of an error ``code`` in ``lang``; an unknown code gets the title of
    ``http_error`` (a request that could not be served)."""
    return text(ERROR_TITLES.get(code, ERROR_TITLES["http_error"]), lang)


#: How long a client waits before asking again after a 503: the engine rebuilds itself in
#: milliseconds, within the call that failed.
RETRY_AFTER_SECONDS = 1
#: The 503 answered when the rule engine failed part-way and is rebuilding itself.
ENGINE_UNAVAILABLE = both("error.engine_unavailable.retry")

_INVALID_REQUEST = both("error.invalid_request.fields")
_NOT_JSON = both("problem.json_invalid")


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
        *both("error.invalid_profile.fields"),
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
        # The network says in English what it could not find (a code, never personal data).
        body = error_body("unknown_place", str(error), text("error.unknown_place.network", "es"))
        return JSONResponse(body, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8): the same as bad JSON.
            problem = {"field": "body", "message": _NOT_JSON[0], "message_es": _NOT_JSON[1]}
            body = error_body("invalid_request", *_INVALID_REQUEST, [problem])
            return JSONResponse(body, 422)
        code, key = _STARLETTE.get(error.status_code, ("http_error", N_("error.http_error.failed")))
        message, message_es = both(key)
        if code == "http_error":
            message = str(error.detail)  # Starlette's own words, in English
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
                kind, *both("error.internal_error.correlation"), correlation_id=correlation
            )
            await JSONResponse(body, 500)(scope, receive, send)
