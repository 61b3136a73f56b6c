"""Who is using the pages: a token given once at the login page, kept in a cookie.

The cookie is ``HttpOnly`` (no script on the page can read the token) and ``SameSite=Strict``
(no other site's page can make the browser send it); forms that change something are also
refused unless they come from a page of this site (``Origin``/``Referer``). The token is the
same one the API takes, so a revoked token ends the page session within the API's token cache
time, and the pages can do no more than the person's role may do through the API.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response

from store import Principal, access

from .errors import CrossSiteError, LoginRequiredError, PageForbiddenError

#: The cookie holding the person's API token.
SESSION_COOKIE = "ruta_session"


def session_token(request: Request) -> str | None:
    """The token of the person using the pages, if they logged in."""
    return request.cookies.get(SESSION_COOKIE) or None


async def current_person(request: Request) -> Principal | None:
    """The person behind the session cookie, or None (no cookie, or a token no longer valid)."""
    token = session_token(request)
    if token is None:
        return None
    person: Principal | None = await request.app.state.service.tokens.principal(token)
    return person


async def _logged_in(request: Request) -> Principal:
    person = await current_person(request)
    if person is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target)
    return person


#: A page handler's parameter: the logged-in person (else a redirect to the login page).
PagePerson = Annotated[Principal, Depends(_logged_in)]


def page_permission(permission: str) -> object:
    """A dependency: the logged-in person, if their role holds ``permission``."""

    async def check(person: PagePerson) -> Principal:
        if not access().may(person.role, permission):
            raise PageForbiddenError(permission)
        return person

    check.__name__ = f"page_{permission}"
    return Depends(check)


def same_site(request: Request) -> None:
    """Refuse a form that was not sent from one of this site's pages."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None or urlsplit(source).netloc != request.headers.get("host"):
        raise CrossSiteError()


#: A changing page handler's dependency: the form comes from this site.
SameSite = Depends(same_site)


def start_session(response: Response, request: Request, token: str) -> None:
    """Keep ``token`` in the browser for the session's length (``RUTA_SESSION_SECONDS``)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        # RUTA_SESSION_SECONDS: a working day unless the office chose otherwise.
        max_age=int(request.app.state.service.settings.session_seconds),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
