"""The office's cases: the list, opening a case, one case, and changing its profile.

A case holds the returnee's identity (shown only on the case's own page, never in an address
or a log) and the profile the rules read, with every earlier version. Everything is read and
changed through ``/v1/cases``: a caseworker sees their office's cases only, and a change made
meanwhile by someone else is refused (``If-Match``) rather than overwritten.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal, access
from texts import text

from .api_calls import ApiAnswer, call_api
from .form_problems import PROFILE, form_problems
from .forms import form_answers, profile_schema
from .intake import form_context
from .language import page_language
from .profile_form import (
    Places,
    form_from_profile,
    places,
    profile_from_form,
    questions,
)
from .rendering import render
from .session import SameSite, page_permission

router = APIRouter(include_in_schema=False)

#: The logged-in person, if their role may read / open / change the office's cases.
Reader = Annotated[Principal, page_permission("read_cases")]
Opener = Annotated[Principal, page_permission("open_cases")]
Editor = Annotated[Principal, page_permission("edit_cases")]
#: A case's pseudonymous id, as the API gives it (never the person's name or document).
CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{8,32}$")]

#: Cases shown on a page of the list.
PAGE_SIZE = 25

#: The identity fields of the form to open a case → the API's names for them.
IDENTITY = {"person_name": "name", "person_document": "document_number", "person_phone": "phone"}


@router.get("/cases", response_class=HTMLResponse)
async def case_list(request: Request, person: Reader, before: str | None = None) -> Response:
    """The office's cases, newest first, a page at a time, without identities."""
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if before:
        params["before"] = before
    answer = await call_api(request, "GET", "/v1/cases", params=params)
    language = page_language(request)
    context = {
        "cases": answer.body.get("cases", []) if answer.ok else [],
        "next": answer.body.get("next") if answer.ok else None,
        "paged": bool(before),
        "error": answer.message(language),
        "place_name": places(request).municipality_name,
    }
    return render(request, "cases.html", context, person=person, status_code=answer.status)


@router.get("/cases/new", response_class=HTMLResponse)
async def new_case_page(request: Request, person: Opener) -> Response:
    return await _new_case(request, person, {}, None)


async def _new_case(
    request: Request, person: Principal, answers: dict[str, str], answer: ApiAnswer | None
) -> Response:
    language = page_language(request)
    schema = await profile_schema(request)
    identity = {f"person.{api_name}": form_name for form_name, api_name in IDENTITY.items()}
    problems = form_problems(answer, language, within=PROFILE, names=identity)
    where = places(request)
    context = {
        "form": form_context(schema, language, answers, problems, None, where),
        "error": answer.message(language) if answer else None,
        # An administrator belongs to no office: they say which office the case is for.
        "offices": where.offices if person.office is None else {},
    }
    status = answer.status if answer else 200
    return render(request, "case_new.html", context, person=person, status_code=status)


@router.post("/cases/new", response_class=HTMLResponse, dependencies=[SameSite])
async def open_case(request: Request, person: Opener) -> Response:
    """Open the case (``POST /v1/cases``) and go to its page."""
    answers = await form_answers(request)
    schema = await profile_schema(request)
    identity = {
        api_name: answers.get(form_name, "").strip() or None
        for form_name, api_name in IDENTITY.items()
    }
    identity["name"] = identity["name"] or ""
    body: dict[str, Any] = {"profile": profile_from_form(answers, schema), "person": identity}
    if person.office is None and answers.get("office"):
        body["office"] = answers["office"]
    answer = await call_api(request, "POST", "/v1/cases", json=body)
    if not answer.ok:
        return await _new_case(request, person, answers, answer)
    return RedirectResponse(f"/cases/{answer.body['id']}", status_code=303)


def profile_rows(
    profile: dict[str, Any], schema: dict[str, Any], language: str, where: Places
) -> list[tuple[str, str]]:
    """The profile as (question, answer) in the page's language, in the schema's order, with
    places by their names."""
    rows: list[tuple[str, str]] = []
    for question in questions(schema, language):
        if question.name not in profile:
            continue
        value = profile[question.name]
        if isinstance(value, bool):
            shown = text("page.intake.yes", language) if value else text("page.intake.no", language)
        elif question.kind == "choice":
            shown = question.choice_label(value)
        elif question.name == "department":
            shown = f"{where.departments.get(str(value), value)} ({value})"
        elif question.name in ("municipality", "origin_municipality") and value:
            shown = f"{where.municipality_name(str(value))} ({value})"
        elif isinstance(value, float):
            shown = format(value, "g")
        else:
            shown = str(value)
        rows.append((question.label, shown))
    return rows


async def case_context(request: Request, case_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
    """Everything the case's page shows, each part as the API answers it."""
    language = page_language(request)
    found = await call_api(request, "GET", f"/v1/cases/{case_id}")
    if not found.ok:
        return found, {}
    schema = await profile_schema(request)
    receipts = await call_api(request, "GET", f"/v1/cases/{case_id}/receipts")
    consents = await call_api(request, "GET", f"/v1/cases/{case_id}/consents")
    referrals = await call_api(request, "GET", f"/v1/cases/{case_id}/referrals")
    lifecycle = await call_api(request, "GET", "/v1/referral-lifecycle")
    institutions = await call_api(request, "GET", "/v1/institutions")
    services = await call_api(request, "GET", "/v1/services")
    case = found.body
    where = places(request)
    history = [
        {**version, "rows": profile_rows(version.get("profile", {}), schema, language, where)}
        for version in case.get("history", [])
    ]
    latest_consent: dict[str, dict[str, Any]] = {}
    for consent in consents.body if consents.ok else []:
        latest_consent[str(consent["institution_id"])] = consent
    named = {str(i["id"]): str(i["name"]) for i in (institutions.body if institutions.ok else [])}
    given = receipts.body[-1].get("answer", {}) if receipts.ok and receipts.body else {}
    suggested = {
        str(target["institution_id"]): str(target["name"])
        for service in given.get("services", [])
        for target in service.get("targets", [])
    }
    return found, {
        "case": case,
        "etag": found.headers.get("etag", ""),
        "office": where.offices.get(case.get("office", ""), case.get("office", "")),
        "profile": profile_rows(case.get("profile", {}), schema, language, where),
        "service_names": {
            str(s["code"]): str(s["label"].get(language, s["code"]))
            for s in (services.body if services.ok else [])
        },
        "history": history,
        "receipts": receipts.body if receipts.ok else [],
        "consents": consents.body if consents.ok else [],
        "latest_consent": latest_consent,
        "referrals": referrals.body if referrals.ok else [],
        "lifecycle": lifecycle.body if lifecycle.ok else {},
        "institution_names": named,
        "suggested": suggested,
        "place_name": where.municipality_name,
        "errors": {},
        "error": None,
    }


async def case_page(
    request: Request,
    person: Principal,
    case_id: str,
    *,
    errors: dict[str, ApiAnswer] | None = None,
) -> Response:
    """The case's page; ``errors``: what the API refused, by the part of the page it concerns
    (``consent``, or a referral's id), shown there."""
    language = page_language(request)
    found, context = await case_context(request, case_id)
    if not found.ok:
        return render(
            request,
            "case_missing.html",
            {"error": found.message(language)},
            person=person,
            status_code=found.status,
        )
    context["errors"] = {
        part: {"message": a.message(language), "problems": a.problems(language)}
        for part, a in (errors or {}).items()
    }
    context["may_edit"] = access().may(person.role, "edit_cases")
    status = next((a.status for a in (errors or {}).values()), 200)
    return render(request, "case.html", context, person=person, status_code=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_view(request: Request, person: Reader, case_id: CaseId) -> Response:
    """A case: identity, profile and its history, roadmaps given, consents and referrals."""
    return await case_page(request, person, case_id)


@router.get("/cases/{case_id}/profile", response_class=HTMLResponse)
async def profile_page(request: Request, person: Editor, case_id: CaseId) -> Response:
    """The case's profile as an intake form, to change it."""
    found = await call_api(request, "GET", f"/v1/cases/{case_id}")
    if not found.ok:
        language = page_language(request)
        context = {"error": found.message(language)}
        return render(request, "case_missing.html", context, person=person, status_code=404)
    answers = form_from_profile(found.body.get("profile", {}))
    return await _profile_form(request, person, case_id, answers, found.headers.get("etag", ""))


async def _profile_form(
    request: Request,
    person: Principal,
    case_id: str,
    answers: dict[str, str],
    etag: str,
    answer: ApiAnswer | None = None,
) -> Response:
    language = page_language(request)
    schema = await profile_schema(request)
    problems = form_problems(answer, language, within=PROFILE)
    context = {
        "form": form_context(schema, language, answers, problems, None, places(request)),
        "case_id": case_id,
        "etag": etag,
        "error": answer.message(language) if answer else None,
    }
    status = answer.status if answer else 200
    return render(request, "case_profile.html", context, person=person, status_code=status)


@router.post("/cases/{case_id}/profile", response_class=HTMLResponse, dependencies=[SameSite])
async def change_profile(request: Request, person: Editor, case_id: CaseId) -> Response:
    """Replace the profile (``PUT`` with the ETag the form was drawn from)."""
    answers = await form_answers(request)
    schema = await profile_schema(request)
    etag = answers.get("etag", "")
    answer = await call_api(
        request,
        "PUT",
        f"/v1/cases/{case_id}/profile",
        json={"profile": profile_from_form(answers, schema)},
        headers={"If-Match": etag},
    )
    if not answer.ok:
        return await _profile_form(request, person, case_id, answers, etag, answer)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
