"""Roadmaps given on a case, kept as receipts: ask for one, read one, replay one, print one.

A receipt is the roadmap exactly as it was given (profile, day, rule-base and network
versions). Replaying it evaluates it again with the rule-base version it was given with and
says whether the decision agrees; its sheet is what the person takes away.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal

from .api_calls import ApiAnswer, call_api
from .case_pages import CaseId, Editor, Reader, case_page
from .language import page_language
from .rendering import render
from .roadmap_view import hours_of, institutions_by_id
from .session import SameSite
from .sheet import render_sheet, sheet_language

router = APIRouter(include_in_schema=False)

#: A receipt's number within its case.
Number = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post("/cases/{case_id}/roadmap", response_class=HTMLResponse, dependencies=[SameSite])
async def ask_roadmap(request: Request, person: Editor, case_id: CaseId) -> Response:
    """A roadmap for the case's profile, kept as a new receipt, then shown."""
    language = page_language(request)
    answer = await call_api(
        request, "POST", f"/v1/cases/{case_id}/recommendations", json={"lang": language}
    )
    if not answer.ok:
        return await case_page(request, person, case_id, errors={"roadmap": answer})
    return RedirectResponse(f"/cases/{case_id}/receipts/{answer.body['receipt']}", 303)


async def receipt_page(
    request: Request,
    person: Principal,
    case_id: str,
    number: int,
    *,
    replayed: ApiAnswer | None = None,
    refused: ApiAnswer | None = None,
) -> Response:
    """A receipt's roadmap, with a referral to propose for each target institution."""
    language = page_language(request)
    found = await call_api(request, "GET", f"/v1/cases/{case_id}/receipts/{number}")
    if not found.ok:
        missing = {"error": found.message(language)}
        return render(request, "case_missing.html", missing, person=person, status_code=404)
    receipts = await call_api(request, "GET", f"/v1/cases/{case_id}/receipts")
    latest = max((int(r["number"]) for r in receipts.body), default=number) if receipts.ok else 0
    context: dict[str, Any] = {
        "case_id": case_id,
        "receipt": found.body,
        "roadmap": found.body.get("answer", {}),
        "latest": number == latest,
        "institutions": await institutions_by_id(request),
        "hours_of": hours_of,
        "replayed": replayed.body if replayed and replayed.ok else None,
        "error": (replayed.message(language) if replayed else None)
        or (refused.message(language) if refused else None),
    }
    status = refused.status if refused else 200
    return render(request, "case_receipt.html", context, person=person, status_code=status)


@router.get("/cases/{case_id}/receipts/{number}", response_class=HTMLResponse)
async def receipt_view(
    request: Request, person: Reader, case_id: CaseId, number: Number
) -> Response:
    return await receipt_page(request, person, case_id, number)


@router.post(
    "/cases/{case_id}/receipts/{number}/replay",
    response_class=HTMLResponse,
    dependencies=[SameSite],
)
async def replay(request: Request, person: Reader, case_id: CaseId, number: Number) -> Response:
    """Evaluate the receipt again with its own rule-base version: does the decision agree?"""
    language = page_language(request)
    answer = await call_api(
        request,
        "POST",
        f"/v1/cases/{case_id}/receipts/{number}/replay",
        params={"lang": language},
    )
    return await receipt_page(request, person, case_id, number, replayed=answer)


@router.get("/cases/{case_id}/receipts/{number}/sheet", response_class=HTMLResponse)
async def receipt_sheet(
    request: Request, person: Reader, case_id: CaseId, number: Number
) -> Response:
    """The receipt's roadmap as a sheet to print for the person (Spanish unless ``?lang=``):
    the roadmap as it was given that day, with no name or document on it."""
    found = await call_api(request, "GET", f"/v1/cases/{case_id}/receipts/{number}")
    if not found.ok:
        context = {"error": found.message(page_language(request))}
        return render(request, "case_missing.html", context, person=person, status_code=404)
    receipt = found.body
    # A caseworker's case is of their own office (another office's is not found), so the sheet
    # needs no read of the case and its identity; an administrator, of no office, reads it.
    office = person.office
    if office is None:
        case = await call_api(request, "GET", f"/v1/cases/{case_id}")
        office = case.body.get("office") if case.ok else None
    return await render_sheet(
        request,
        person,
        receipt.get("answer", {}),
        sheet_language(request.query_params.get("lang")),
        str(receipt.get("created_at", ""))[:10],
        office=office,
        reference=f"{case_id}/{number}",
    )
