"""Versions and drafts for policy staff: the versions and who published them, the drafts and
where each stands, a draft's rules and history, what it changes, and the steps of its review
(submit, send back, withdraw, approve, publish) and rollback to an earlier version.

Each step is the API's: a button shows only to a role that may take it, and when the API
refuses (the four-eyes rule, a draft out of date, failing protocol cases) its message is shown
on the draft's page.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal, access

from .api_calls import ApiAnswer, call_api
from .conditions import describe, test_at
from .forms import profile_labels
from .language import page_language
from .rendering import render
from .session import SameSite, page_permission
from .simulation_form import DEFAULTS as SIMULATION_DEFAULTS

router = APIRouter(include_in_schema=False)

VersionReader = Annotated[Principal, page_permission("read_versions")]
DraftEditor = Annotated[Principal, page_permission("edit_drafts")]
Publisher = Annotated[Principal, page_permission("publish")]

#: The states of a draft still under way: it can be withdrawn, and a simulation of it still
#: tells something.
UNDER_WAY = frozenset({"open", "submitted", "approved"})

#: Each step of a draft's review: the permission it needs and the states it is taken from.
STEPS: dict[str, tuple[str, frozenset[str]]] = {
    "submit": ("submit_drafts", frozenset({"open"})),
    "send-back": ("approve_drafts", frozenset({"submitted"})),
    "approve": ("approve_drafts", frozenset({"submitted"})),
    "publish": ("publish", frozenset({"approved"})),
    "withdraw": ("edit_drafts", UNDER_WAY),
}


def _id(value: str) -> str:
    return quote(value, safe="")


def shown(value: Any) -> str:
    """A value of a rule on one line: ``18``, ``unemployed``, ``["54", "52"]``; absent: ``—``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def steps_for(role: str, status: str) -> list[str]:
    """The review steps ``role`` may take on a draft in ``status``."""
    table = access()
    return [
        step
        for step, (permission, states) in STEPS.items()
        if status in states and table.may(role, permission)
    ]


# -- versions and drafts ---------------------------------------------------------------------


async def _drafts_page(
    request: Request,
    person: Principal,
    *,
    error: ApiAnswer | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    language = page_language(request)
    versions = await call_api(request, "GET", "/v1/rule-bases")
    drafts = await call_api(request, "GET", "/v1/rule-bases/drafts")
    listing = versions.body if versions.ok else {"versions": [], "publications": []}
    table = access()
    return render(
        request,
        "drafts.html",
        {
            "versions": listing.get("versions", []),
            "published": listing.get("published", ""),
            "publications": listing.get("publications", []),
            "drafts": drafts.body if drafts.ok else [],
            "may_create": table.may(person.role, "edit_drafts"),
            "may_publish": table.may(person.role, "publish"),
            "error": (error.message(language) if error else None)
            or versions.message(language)
            or drafts.message(language),
            "problems": error.problems(language) if error else {},
            "form": form or {},
        },
        person=person,
        status_code=error.status if error else 200,
    )


@router.get("/drafts", response_class=HTMLResponse)
async def drafts_page(request: Request, person: VersionReader) -> Response:
    """The versions (which one is in service, who published what), and the drafts."""
    return await _drafts_page(request, person)


@router.post("/drafts", response_class=HTMLResponse, dependencies=[SameSite])
async def create_draft(
    request: Request,
    person: DraftEditor,
    message: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=64)] = "published",
) -> Response:
    """A new draft from the published version (or another one), with what it is for."""
    answer = await call_api(
        request,
        "POST",
        "/v1/rule-bases/drafts",
        json={"from": source or "published", "message": message.strip()},
    )
    if not answer.ok:
        return await _drafts_page(request, person, error=answer, form={"message": message})
    return RedirectResponse(f"/drafts/{_id(answer.body['id'])}", status_code=303)


@router.post(
    "/versions/{version_hash}/publish", response_class=HTMLResponse, dependencies=[SameSite]
)
async def rollback(
    request: Request,
    version_hash: str,
    person: Publisher,
    reason: Annotated[str, Form(max_length=2000)] = "",
    expected: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Put an earlier version in service again, saying why (a rollback)."""
    body: dict[str, Any] = {"reason": reason.strip()}
    if expected:
        body["expected"] = expected
    answer = await call_api(
        request, "POST", f"/v1/rule-bases/{_id(version_hash)}/publish", json=body
    )
    if not answer.ok:
        return await _drafts_page(request, person, error=answer, form={"rollback": version_hash})
    return RedirectResponse("/drafts?published=1", status_code=303)


# -- one draft ---------------------------------------------------------------------------------


def _draft_rules(
    version: dict[str, Any], diff: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """The draft's rules: its source's, less those removed, plus those added, each marked
    unchanged, changed or added."""
    rules = diff.get("rules") or {}
    removed = {entry["id"] for entry in rules.get("removed") or []}
    changed = {entry["id"] for entry in rules.get("changed") or []}
    found: list[dict[str, Any]] = []
    for name, content in sorted((version.get("files") or {}).items()):
        for rule in (content or {}).get("rules") or []:
            if rule.get("id") in removed:
                continue
            found.append(
                {
                    "id": rule["id"],
                    "title": (rule.get("title") or {}).get(language, rule["id"]),
                    "file": name,
                    "state": "changed" if rule["id"] in changed else "unchanged",
                }
            )
    for entry in rules.get("added") or []:
        found.append(
            {
                "id": entry["id"],
                "title": (entry["rule"].get("title") or {}).get(language, entry["id"]),
                "file": entry["file"],
                "state": "added",
            }
        )
    return found


def _history(draft: dict[str, Any], publications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who did what to the draft, as far as the draft's record tells."""
    events: list[dict[str, Any]] = [
        {"what": "created", "who": draft["author"], "at": draft["created_at"]}
    ]
    others = [name for name in draft.get("editors") or [] if name != draft["author"]]
    if draft.get("revision", 1) > 1:
        events.append(
            {
                "what": "edited",
                "who": ", ".join([draft["author"], *others]),
                "at": draft["updated_at"],
            }
        )
    if draft.get("submitted_by"):
        events.append({"what": "submitted", "who": draft["submitted_by"], "at": None})
    if draft.get("approved_by"):
        events.append({"what": "approved", "who": draft["approved_by"], "at": None})
    for publication in publications:
        if publication.get("draft_id") == draft["id"]:
            events.append(
                {"what": "published", "who": publication["actor"], "at": publication["at"]}
            )
    if draft.get("status") == "withdrawn":
        events.append({"what": "withdrawn", "who": None, "at": draft["updated_at"]})
    return events


async def _draft_page(
    request: Request,
    person: Principal,
    draft_id: str,
    *,
    error: ApiAnswer | None = None,
) -> Response:
    language = page_language(request)
    answer = await call_api(request, "GET", f"/v1/rule-bases/drafts/{_id(draft_id)}")
    if not answer.ok:
        return render(
            request,
            "draft.html",
            {"draft": None, "error": answer.message(language)},
            person=person,
            status_code=answer.status,
        )
    draft = answer.body
    diff = await call_api(request, "GET", f"/v1/rule-bases/drafts/{_id(draft_id)}/diff")
    version = await call_api(request, "GET", f"/v1/rule-bases/{_id(draft['from'])}")
    versions = await call_api(request, "GET", "/v1/rule-bases")
    publications = versions.body.get("publications", []) if versions.ok else []
    table = access()
    return render(
        request,
        "draft.html",
        {
            "draft": draft,
            "source": version.body if version.ok else {},
            "rules": _draft_rules(
                version.body if version.ok else {}, diff.body if diff.ok else {}, language
            ),
            "history": _history(draft, publications),
            "steps": steps_for(person.role, draft["status"]),
            "may_edit": draft["status"] == "open" and table.may(person.role, "edit_drafts"),
            "may_simulate": table.may(person.role, "simulate") and draft["status"] in UNDER_WAY,
            "error": error.message(language) if error else None,
            "problems": error.problems(language) if error else {},
            "simulation_form": SIMULATION_DEFAULTS,
            "done": request.query_params.get("done"),
        },
        person=person,
        status_code=error.status if error else 200,
    )


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(request: Request, draft_id: str, person: VersionReader) -> Response:
    """A draft: where it stands, its history, its rules, and the steps the person may take."""
    return await _draft_page(request, person, draft_id)


@router.post(
    "/drafts/{draft_id}/steps/{step}", response_class=HTMLResponse, dependencies=[SameSite]
)
async def take_step(
    request: Request,
    draft_id: str,
    step: str,
    person: VersionReader,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Submit, send back, withdraw, approve or publish the draft, as the API allows."""
    if step not in STEPS:
        return await _draft_page(request, person, draft_id)
    body: dict[str, Any] | None = None
    if step == "send-back":
        body = {"reason": reason.strip()}
    elif step == "publish" and reason.strip():
        body = {"override_reason": reason.strip()}
    answer = await call_api(
        request, "POST", f"/v1/rule-bases/drafts/{_id(draft_id)}/{step}", json=body
    )
    if not answer.ok:
        return await _draft_page(request, person, draft_id, error=answer)
    return RedirectResponse(f"/drafts/{_id(draft_id)}?done={step}", status_code=303)


@router.get("/drafts/{draft_id}/diff", response_class=HTMLResponse)
async def diff_page(request: Request, draft_id: str, person: VersionReader) -> Response:
    """What the draft changes against the version it was made from, rule by rule."""
    language = page_language(request)
    draft = await call_api(request, "GET", f"/v1/rule-bases/drafts/{_id(draft_id)}")
    answer = await call_api(request, "GET", f"/v1/rule-bases/drafts/{_id(draft_id)}/diff")
    if not answer.ok or not draft.ok:
        failed = answer if not answer.ok else draft
        return render(
            request,
            "draft_diff.html",
            {"diff": None, "draft": None, "error": failed.message(language)},
            person=person,
            status_code=failed.status,
        )
    version = await call_api(request, "GET", f"/v1/rule-bases/{_id(draft.body['from'])}")
    titles: dict[str, str] = {}
    olds: dict[str, dict[str, Any]] = {}
    for content in (version.body.get("files") or {}).values() if version.ok else []:
        for rule in (content or {}).get("rules") or []:
            titles[rule["id"]] = (rule.get("title") or {}).get(language, rule["id"])
            olds[rule["id"]] = rule
    rules = answer.body.get("rules") or {}
    for entry in rules.get("added") or []:
        titles[entry["id"]] = (entry["rule"].get("title") or {}).get(language, entry["id"])
    labels = await profile_labels(request, language)
    words: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in rules.get("changed") or []:
        new = await call_api(
            request,
            "GET",
            f"/v1/rule-bases/drafts/{_id(draft_id)}/rules/{_id(entry['id'])}",
        )
        old = olds.get(entry["id"])
        for change in entry["changes"]:
            before = test_at(old, change["path"]) if old else None
            after = test_at(new.body, change["path"]) if new.ok else None
            if before is not None and after is not None:
                words[(entry["id"], change["path"])] = (
                    describe(before, labels, language).words,
                    describe(after, labels, language).words,
                )
    return render(
        request,
        "draft_diff.html",
        {
            "draft": draft.body,
            "diff": answer.body,
            "rules": rules,
            "titles": titles,
            "catalogue": answer.body.get("catalogue") or {},
            "manifest": answer.body.get("manifest") or [],
            "shown": shown,
            "words": words,
            "error": None,
        },
        person=person,
    )
