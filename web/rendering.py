"""Pages rendered on the server from Jinja2 templates, in the person's language.

Every template receives ``_`` (a text of the catalogue by key, in the page's language),
``lang``, the logged-in ``person`` and their ``menu``, so no template carries a wording of its
own and no page shows a link the person's role may not follow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from store import Principal, access
from texts import LANGUAGES, text

from .language import page_language
from .navigation import menu_for
from .policy_words import AREAS, PRIORITIES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
# The engine's keys of the areas' and priorities' names, for the pages that show a roadmap.
templates.env.globals.update(area_keys=AREAS, priority_keys=PRIORITIES)


def role_label(role: str, language: str) -> str:
    """The role's name in ``language``, as the access policy names it."""
    return access().roles.get(role, {}).get(language, role)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    person: Principal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """``template`` as a page for ``person`` in the request's language."""
    language = page_language(request)

    def say(key: str, **values: object) -> str:
        return text(key, language, **values)

    values: dict[str, Any] = {
        "_": say,
        "lang": language,
        "languages": LANGUAGES,
        "person": person,
        "role_label": role_label(person.role, language) if person else None,
        "menu": menu_for(person.role) if person else [],
        "path": request.url.path,
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    if person is not None:
        # A page for a logged-in person may show a returnee's data: the browser keeps no copy
        # (no Back button into a case after logging out on a shared computer).
        response.headers["Cache-Control"] = "no-store"
    return response
