"""The accountability logs an auditor reads: who read which case when (the access log, Ley
1581 de 2012), and every change to the protocols and the tokens (the audit trail, each event
chained to the one before it by its hash). Both are read a page at a time, filtered as the API
filters them."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from store import Principal

from .api_calls import call_api
from .form_problems import form_problems
from .language import page_language
from .rendering import render, role_label
from .session import page_permission

router = APIRouter(include_in_schema=False)

LogReader = Annotated[Principal, page_permission("read_access_log")]
TrailReader = Annotated[Principal, page_permission("read_trail")]

#: Rows per page.
PAGE_SIZE = 50
#: The filters of each page, as the API names them (and the form's fields).
ACCESS_FILTERS = ("case", "actor", "since", "until")
TRAIL_FILTERS = ("rule", "action", "actor")


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """The filters the person filled in (empty fields are no filter)."""
    found = {name: request.query_params.get(name, "").strip() for name in names}
    return {name: value for name, value in found.items() if value}


def _after(request: Request) -> int:
    given = request.query_params.get("after", "0")
    return int(given) if given.isdigit() and len(given) < 20 else 0


async def _log_page(
    request: Request,
    person: Principal,
    *,
    api_path: str,
    rows_key: str,
    names: tuple[str, ...],
    template: str,
    page_path: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    language = page_language(request)
    filters = _filters(request, names)
    after = _after(request)
    params: dict[str, Any] = {**filters, "after": after, "limit": PAGE_SIZE}
    answer = await call_api(request, "GET", api_path, params=params)
    body = answer.body if answer.ok and isinstance(answer.body, dict) else {}
    next_after = body.get("next_after")
    context = {
        "rows": body.get(rows_key, []),
        "filters": filters,
        "after": after,
        "next_link": f"{page_path}?{urlencode({**filters, 'after': next_after})}"
        if next_after is not None
        else None,
        "first_link": f"{page_path}?{urlencode(filters)}" if after else None,
        "problems": form_problems(answer, language),
        "message": answer.message(language),
        "role_name": lambda role: role_label(role, language),
        **(extra or {}),
    }
    return render(request, template, context, person=person, status_code=answer.status)


@router.get("/access-log", response_class=HTMLResponse)
async def access_log(request: Request, person: LogReader) -> Response:
    """Every read of a case, oldest first: who, when, which case (its pseudonymous id), what
    for; filtered by case, person and dates."""
    return await _log_page(
        request,
        person,
        api_path="/v1/access-log",
        rows_key="entries",
        names=ACCESS_FILTERS,
        template="accesslog.html",
        page_path="/access-log",
    )


@router.get("/trail", response_class=HTMLResponse)
async def trail(request: Request, person: TrailReader) -> Response:
    """The audit trail, oldest first, each event with the hash that chains it to the one
    before; filtered by rule, action and person."""
    verification = await call_api(request, "GET", "/v1/audit-trail/verification")
    return await _log_page(
        request,
        person,
        api_path="/v1/audit-trail",
        rows_key="events",
        names=TRAIL_FILTERS,
        template="trail.html",
        page_path="/trail",
        extra={"verification": verification.body if verification.ok else None},
    )
