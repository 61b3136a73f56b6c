"""The auditors' audits: start one, follow it while it runs, read its report.

An audit checks one rule-base version with a suite of cases (its coverage, its mutation score,
the verification of the rules with the auditors' requirements). The pages ask the API to start
it (``POST /v1/audits``), poll its stage in place while it runs, and show the report the API
gives as JSON in the site's layout; the one-page offline report is served as the API writes it.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Annotated, Any

from babel import Locale
from babel.numbers import format_percent, parse_pattern
from fastapi import APIRouter, File, Form, Request, UploadFile
from ruamel.yaml import YAML
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal
from texts import N_

from .api_calls import call_api
from .form_problems import form_problems
from .language import page_language
from .reach_levels import levels_counted
from .rendering import render
from .session import SameSite, page_permission

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Principal, page_permission("audit")]

#: What the stages of a running audit are called on the page.
STAGES = {
    "suite": N_("page.audits.stage.suite"),
    "coverage": N_("page.audits.stage.coverage"),
    "mutation": N_("page.audits.stage.mutation"),
    "verification": N_("page.audits.stage.verification"),
    "network": N_("page.audits.stage.network"),
}
STATUSES = {
    "queued": N_("page.audits.status.queued"),
    "running": N_("page.audits.status.running"),
    "done": N_("page.audits.status.done"),
    "failed": N_("page.audits.status.failed"),
}
#: The fields of the start form, as the API names them in its problems.
FORM_FIELDS = ("rule_base", "files", "requirements", "rules")
#: An audit id as the API gives it (anything else is not asked for).
_AUDIT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def as_yaml(data: Any) -> str:
    """``data`` (a witness profile, a suggested case) as YAML, the way case files are written,
    its keys in the API's order."""
    out = StringIO()
    writer = YAML(typ="rt")
    writer.default_flow_style = False
    writer.allow_unicode = True
    writer.dump(data, out)
    return out.getvalue()


def percent(value: float | None, language: str) -> str:
    """A percentage (``96.5`` for 96.5 %) with one decimal, written as the language writes it
    (CLDR's: ``96,5 %`` in Spanish, ``96.5%`` in English)."""
    if value is None:
        return "—"
    locale = Locale.parse(language)
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return format_percent(value / 100, format=pattern, locale=locale)


async def _versions(request: Request) -> list[dict[str, Any]]:
    answer = await call_api(request, "GET", "/v1/rule-bases")
    if not answer.ok or not isinstance(answer.body, dict):
        return []
    return list(answer.body.get("versions", []))


async def _audits_page(
    request: Request,
    person: Principal,
    *,
    sent: dict[str, Any] | None = None,
    problems: dict[str, list[str]] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    listed = await call_api(request, "GET", "/v1/audits", params={"limit": 20})
    audits = listed.body.get("audits", []) if listed.ok and isinstance(listed.body, dict) else []
    language = page_language(request)
    found = problems or {}
    other = [m for name, ms in found.items() if name not in FORM_FIELDS for m in ms]
    context = {
        "audits": audits,
        "versions": await _versions(request),
        "sent": sent or {"rule_base": "published", "suite": "cases", "rules": ""},
        "problems": found,
        "other_problems": other,
        "message": message or listed.message(language),
        "statuses": STATUSES,
        "stages": STAGES,
    }
    return render(request, "audits.html", context, person=person, status_code=status_code)


@router.get("/audits", response_class=HTMLResponse)
async def audits(request: Request, person: Auditor) -> Response:
    """The latest audits and the form to start one."""
    return await _audits_page(request, person)


@router.post("/audits", response_class=HTMLResponse, dependencies=[SameSite])
async def start(
    request: Request,
    person: Auditor,
    rule_base: Annotated[str, Form(max_length=64)] = "published",
    suite: Annotated[str, Form(max_length=10)] = "cases",
    files: Annotated[list[UploadFile] | None, File()] = None,
    requirements: Annotated[UploadFile | None, File()] = None,
    rules: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Ask the API for an audit and go to its page, or show the form again with the API's
    problems next to the fields they name."""
    body: dict[str, Any] = {"rule_base": rule_base.strip() or "published"}
    if suite == "files":
        body["files"] = {
            upload.filename or "": (await upload.read()).decode("utf-8", "replace")
            for upload in files or []
            if upload.filename
        }
    else:
        body["cases"] = True
    if requirements is not None and requirements.filename:
        body["requirements"] = (await requirements.read()).decode("utf-8", "replace")
    chosen = [r for r in re.split(r"[\s,]+", rules) if r]
    if chosen:
        body["rules"] = chosen
    answer = await call_api(request, "POST", "/v1/audits", json=body)
    if answer.ok:
        return RedirectResponse(f"/audits/{answer.body['id']}", status_code=303)
    language = page_language(request)
    sent = {"rule_base": body["rule_base"], "suite": suite, "rules": rules}
    return await _audits_page(
        request,
        person,
        sent=sent,
        problems=form_problems(answer, language),
        message=answer.message(language),
        status_code=answer.status,
    )


async def _audit(request: Request, audit_id: str) -> tuple[int, Any, str | None]:
    """The API's answer about one audit: status code, body, error message."""
    if not _AUDIT_ID.match(audit_id):
        return 404, None, None
    answer = await call_api(request, "GET", f"/v1/audits/{audit_id}")
    return answer.status, answer.body, answer.message(page_language(request))


def _missing(request: Request, person: Principal, status: int, message: str | None) -> Response:
    context = {"message": message, "statuses": STATUSES}
    return render(request, "audit_missing.html", context, person=person, status_code=status)


@router.get("/audits/{audit_id}", response_class=HTMLResponse)
async def audit(request: Request, audit_id: str, person: Auditor) -> Response:
    """An audit: its stage while it runs (updated in place), its report once done."""
    status, found, message = await _audit(request, audit_id)
    if status != 200:
        return _missing(request, person, status, message)
    language = page_language(request)
    levels, counts = levels_counted((found.get("result") or {}).get("network") or [], language)
    context = {
        "audit": found,
        "result": found.get("result"),
        "stages": STAGES,
        "statuses": STATUSES,
        "levels": levels,
        "counts": counts,
        "as_yaml": as_yaml,
        "as_case": lambda case: as_yaml([case]),
        "percent": lambda value: percent(value, language),
    }
    template = "audit_report.html" if found["status"] == "done" else "audit_progress.html"
    return render(request, template, context, person=person)


@router.get("/audits/{audit_id}/progress", response_class=HTMLResponse)
async def progress(request: Request, audit_id: str, person: Auditor) -> Response:
    """The stage of a running audit, for the page to update in place; once the audit is done
    or failed, the whole page is loaded again to show its outcome."""
    status, found, _ = await _audit(request, audit_id)
    finished = status != 200 or found["status"] in ("done", "failed")
    if request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/audits/{audit_id}", status_code=303)
    if finished:
        return Response(status_code=204, headers={"HX-Redirect": f"/audits/{audit_id}"})
    context = {"audit": found, "stages": STAGES, "statuses": STATUSES}
    return render(request, "audit_stage.html", context, person=person)


@router.get("/audits/{audit_id}/report.html", response_class=HTMLResponse)
async def offline_report(request: Request, audit_id: str, person: Auditor) -> Response:
    """The audit's one-page report, self-contained (it opens offline once saved), as the API
    writes it, in the page's language first."""
    if not _AUDIT_ID.match(audit_id):
        return _missing(request, person, 404, None)
    language = page_language(request)
    answer = await call_api(
        request, "GET", f"/v1/audits/{audit_id}/report.html", params={"lang": language}
    )
    if not answer.ok:
        return _missing(request, person, answer.status, answer.message(language))
    disposition = answer.headers.get("content-disposition", "")
    headers = {"Content-Disposition": disposition} if disposition else {}
    return HTMLResponse(answer.text, headers=headers)
