"""Who is asking, and whether their role may do it.

Every ``/v1`` endpoint needs ``Authorization: Bearer TOKEN``; the role a token belongs to must
hold the endpoint's permission, as ``store/access.yaml`` grants them. A token checked once is
trusted for ``RUTA_TOKEN_CACHE_SECONDS`` (2 s by default) without asking the store again, so
a revocation reaches every process within that time; revoking through the API takes effect at
once in the process that did it. A token is never logged, and never kept in memory whole:
the cache is keyed by its SHA-256.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from store import Principal, Store, access, digest

from .errors import ForbiddenError, UnauthenticatedApiError

__all__ = ["TokenCache", "principal", "require"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`ruta users add NAME --role ROLE` prints one).",
)
#: At most this many checked tokens are kept; the oldest go first.
_CACHE_SIZE = 10_000


class TokenCache:
    """Tokens recently found valid, by their hash, with the moment they were checked."""

    def __init__(self, store: Store, seconds: float) -> None:
        self._store = store
        self._seconds = seconds
        self._known: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    async def principal(self, token: str) -> Principal | None:
        key = digest(token)
        now = time.monotonic()
        with self._lock:
            found = self._known.get(key)
        if found is not None and now - found[1] < self._seconds:
            return found[0]
        person = await run_in_threadpool(self._store.authenticate, token)
        with self._lock:
            if person is None:
                self._known.pop(key, None)
            else:
                if len(self._known) >= _CACHE_SIZE:
                    self._known.pop(next(iter(self._known)))
                self._known[key] = (person, now)
        return person

    def forget(self) -> None:
        """Drop every checked token (after a revocation in this process)."""
        with self._lock:
            self._known.clear()


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The person behind the request's token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthenticatedApiError()
    cache: TokenCache = request.app.state.service.tokens
    person = await cache.principal(credentials.credentials)
    if person is None:
        raise UnauthenticatedApiError()
    request.state.principal = person
    return person


def require(permission: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the person asking, if their role holds ``permission`` (else 403)."""

    async def check(person: Annotated[Principal, Depends(principal)]) -> Principal:
        if not access().may(person.role, permission):
            raise ForbiddenError(permission, access().roles_for(permission))
        return person

    check.__name__ = f"require_{permission}"
    return check
