"""The store's exception tree: every failure a person may read, in English and Spanish.

::

    StoreError                       base: a stable ``code``, ``message`` and ``message_es``
    ├── StoreUnavailableError        the database cannot be reached or its schema is not Ruta's
    ├── NotFoundError                no such record (draft, version, case, referral, audit…)
    ├── ConflictError                the record changed state meanwhile; what is allowed is named
    │   ├── PreconditionFailedError  a change based on an old revision (If-Match)
    │   ├── InvalidTransitionError   a referral move its status does not allow; ``allowed``
    │   └── ConsentRequiredError     sending a referral without the person's consent
    ├── PermissionDeniedError        a rule of governance refuses this person (e.g. self-approval)
    ├── InvalidRuleBaseError         an edit the loader refuses; ``problems`` lists each one
    ├── InvalidRequestError          a name, role or reference that cannot be used
    │   └── InvalidFieldError        one named field of a request (``field``)
    └── UnauthenticatedError         no valid token

Messages never carry a token or a returnee's data; they name records by id.
"""

from __future__ import annotations

from dataclasses import dataclass

from texts import N_, both, text

__all__ = [
    "ConflictError",
    "ConsentRequiredError",
    "InvalidFieldError",
    "InvalidRequestError",
    "InvalidRuleBaseError",
    "InvalidTransitionError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "Problem",
    "StoreError",
    "StoreUnavailableError",
    "UnauthenticatedError",
]


class StoreError(Exception):
    """Base of the store's errors: the text a person reads, in English and Spanish, as the
    catalogues give it (``StoreError(*both("store.some_kind", name=value))``)."""

    code = "store_error"

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es


class StoreUnavailableError(StoreError):
    """The database cannot be reached, or holds a schema this Ruta cannot use."""

    code = "store_unavailable"


class NotFoundError(StoreError):
    """No record of this kind with this id.

    Said whole, ``NotFoundError(*both("store.no_case", id=case_id))``; or, by the kind of
    record named in each language and its id, ``NotFoundError(what, what_es, identifier)``
    ("no rule in draft … with id '…'")."""

    code = "not_found"

    def __init__(self, what: str, what_es: str, identifier: str | None = None) -> None:
        if identifier is None:
            super().__init__(what, what_es)
        else:
            super().__init__(
                text("store.not_found", "en", what=what, id=identifier),
                text("store.not_found", "es", what=what_es, id=identifier),
            )


class ConflictError(StoreError):
    """The action does not fit the record's present state (HTTP 409)."""

    code = "conflict"


class PreconditionFailedError(ConflictError):
    """The edit was based on an earlier revision of the draft (HTTP 412)."""

    code = "precondition_failed"


class InvalidTransitionError(ConflictError):
    """A referral asked to move to a status its present status does not lead to (HTTP 409);
    ``allowed`` names the statuses it may move to."""

    code = "invalid_transition"

    def __init__(self, message: str, message_es: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message, message_es)
        self.allowed = allowed


class ConsentRequiredError(ConflictError):
    """Sending a referral without the person's consent for that institution (HTTP 409)."""

    code = "consent_required"


class PermissionDeniedError(StoreError):
    """A governance rule refuses this person this action (HTTP 403)."""

    code = "forbidden"


class InvalidRequestError(StoreError):
    """A name, role or reference that cannot be used (HTTP 422)."""

    code = "invalid_request"


class InvalidFieldError(InvalidRequestError):
    """One field of a request that cannot be used, named (HTTP 422)."""

    def __init__(self, field: str, message: str, message_es: str) -> None:
        super().__init__(message, message_es)
        self.field = field


class UnauthenticatedError(StoreError):
    """No token, or one that is unknown, revoked or expired (HTTP 401)."""

    code = "unauthenticated"


@dataclass(frozen=True)
class Problem:
    """One fault of a refused edit: where (file, line, rule, path) and what, in both languages."""

    path: str
    message: str
    message_es: str
    file: str | None = None
    line: int | None = None
    rule_id: str | None = None


class InvalidRuleBaseError(StoreError):
    """An edit the rule-base loader refuses; nothing was stored (HTTP 422)."""

    code = "invalid_rule_base"

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        key = N_("store.rule_base_refused_one") if count == 1 else N_("store.rule_base_refused")
        super().__init__(*both(key, count=count))
        self.problems = problems
