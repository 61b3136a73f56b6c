"""The pages everyone shares: logging in and out, the language switch, the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from texts import LANGUAGES

from .language import remember_language
from .navigation import menu_for
from .rendering import render
from .session import PagePerson, SameSite, end_session, safe_next, start_session

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, person: PagePerson) -> Response:
    """The person's pages, grouped by what they are for."""
    return render(request, "home.html", {"entries": menu_for(person.role)}, person=person)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": safe_next(next), "failed": False})


@router.post("/login", response_class=HTMLResponse, dependencies=[SameSite])
async def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the token as the API would, and keep it for the working day."""
    token = token.strip()
    person = await request.app.state.service.tokens.principal(token) if token else None
    if person is None:
        return render(
            request, "login.html", {"next": safe_next(next), "failed": True}, status_code=401
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(response, request, token)
    return response


@router.post("/logout", dependencies=[SameSite])
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response


@router.get("/language/{language}")
async def choose_language(request: Request, language: str, next: str | None = None) -> Response:
    """Switch the pages to ``language`` and go back to the page the person was on."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        remember_language(response, language)
    return response
