"""Which language the pages speak: Spanish unless the person chose English.

The choice is kept in a cookie, so it holds across pages and logins on that computer.
"""

from __future__ import annotations

from fastapi import Request, Response

from texts import DEFAULT_LANGUAGE, LANGUAGES

LANGUAGE_COOKIE = "ruta_lang"
_YEAR = 365 * 24 * 60 * 60


def page_language(request: Request) -> str:
    """The language of this request's page: ``?lang=``, else the cookie, else Spanish."""
    for choice in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in LANGUAGES:
            return choice
    return DEFAULT_LANGUAGE


def remember_language(response: Response, language: str) -> None:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=_YEAR, samesite="lax", path="/")
