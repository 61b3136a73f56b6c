"""What a person sees when a page is refused: the login page, a page saying their role may
not go there, or a refusal of a form from another site."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from texts import N_

from .errors import CrossSiteError, LoginRequiredError, PageForbiddenError
from .rendering import render
from .session import current_person


def install_page_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, error: LoginRequiredError) -> Response:
        return RedirectResponse(f"/login?next={quote(error.next_path, safe='/')}", 303)

    @app.exception_handler(PageForbiddenError)
    async def forbidden(request: Request, error: PageForbiddenError) -> Response:
        person = await current_person(request)
        return render(
            request,
            "refused.html",
            {"reason": N_("page.refused.role")},
            person=person,
            status_code=403,
        )

    @app.exception_handler(CrossSiteError)
    async def cross_site(request: Request, error: CrossSiteError) -> Response:
        person = await current_person(request)
        return render(
            request,
            "refused.html",
            {"reason": N_("page.refused.cross_site")},
            person=person,
            status_code=403,
        )
