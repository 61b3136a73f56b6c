"""Consents and referrals on a case: the person's consent to share their data with an
institution, and each referral from its proposal until it closes.

The moves a referral may make, the reasons each needs and their names are policy data
(``GET /v1/referral-lifecycle``): the page offers exactly the moves the referral's status
allows, and shows what the API refuses (a missing reason, a missing consent, a change made
meanwhile by someone else) beside the referral it concerns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal

from .api_calls import call_api
from .case_pages import CaseId, Editor, case_page
from .forms import form_answers
from .language import page_language
from .receipt_pages import receipt_page
from .rendering import render
from .session import SameSite, page_permission

router = APIRouter(include_in_schema=False)

#: The logged-in person, if their role may refer.
Referrer = Annotated[Principal, page_permission("refer")]
ReferralId = Annotated[str, Path(pattern=r"^[0-9a-f]{8,32}$")]


@router.post("/cases/{case_id}/consents", response_class=HTMLResponse, dependencies=[SameSite])
async def record_consent(request: Request, person: Editor, case_id: CaseId) -> Response:
    """The person gives or withdraws consent to share their data with an institution."""
    answers = await form_answers(request)
    body = {
        "institution_id": answers.get("institution_id", ""),
        "given": answers.get("given", "yes") != "no",
    }
    answer = await call_api(request, "POST", f"/v1/cases/{case_id}/consents", json=body)
    if not answer.ok:
        return await case_page(request, person, case_id, errors={"consent": answer})
    return RedirectResponse(f"/cases/{case_id}#consents", status_code=303)


@router.post("/cases/{case_id}/referrals", response_class=HTMLResponse, dependencies=[SameSite])
async def propose(request: Request, person: Referrer, case_id: CaseId) -> Response:
    """Propose a referral for a service of the roadmap to one of its institutions."""
    answers = await form_answers(request)
    body = {
        "service": answers.get("service", ""),
        "institution_id": answers.get("institution_id", ""),
    }
    answer = await call_api(request, "POST", f"/v1/cases/{case_id}/referrals", json=body)
    if not answer.ok:
        sent = answers.get("receipt", "")  # the page's hidden field: a number, or nothing
        number = int(sent) if sent.isdigit() and len(sent) < 10 else 0
        if number >= 1:
            return await receipt_page(request, person, case_id, number, refused=answer)
        return await case_page(request, person, case_id, errors={"referral": answer})
    return RedirectResponse(f"/cases/{case_id}#referral-{answer.body['id']}", status_code=303)


@router.post("/referrals/{referral_id}/move", response_class=HTMLResponse, dependencies=[SameSite])
async def move(request: Request, person: Referrer, referral_id: ReferralId) -> Response:
    """Move a referral on (with the ETag of the status it was shown in)."""
    answers = await form_answers(request)
    body = {
        "to": answers.get("to", ""),
        "reason": answers.get("reason") or None,
        "note": answers.get("note", "").strip() or None,
    }
    found = await call_api(request, "GET", f"/v1/referrals/{referral_id}")
    if not found.ok:
        context = {"error": found.message(page_language(request))}
        return render(request, "case_missing.html", context, person=person, status_code=404)
    case_id = str(found.body["case_id"])
    answer = await call_api(
        request,
        "POST",
        f"/v1/referrals/{referral_id}/transitions",
        json=body,
        headers={"If-Match": answers.get("etag", "")},
    )
    if not answer.ok:
        return await case_page(request, person, case_id, errors={referral_id: answer})
    return RedirectResponse(f"/cases/{case_id}#referral-{referral_id}", status_code=303)
