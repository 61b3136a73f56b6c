"""The rules in service, as policy staff read them: grouped by the area of what they
recommend, each with its conditions in words, its legal basis, dates and regions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from store import Principal

from .api_calls import call_api
from .conditions import describe
from .forms import profile_labels
from .language import page_language
from .policy_words import (
    AREAS,
    area_label,
    department_label,
    priority_label,
    service_label,
    services,
)
from .rendering import render
from .session import page_permission

router = APIRouter(include_in_schema=False)

RulesReader = Annotated[Principal, page_permission("read_rules")]


def rule_areas(rule: dict[str, Any], catalogue: dict[str, dict[str, Any]]) -> list[str]:
    """The areas of the services a rule recommends or suppresses, in the pages' order."""
    found: set[str] = set()
    for recommendation in rule.get("recommend") or []:
        entry = catalogue.get(str(recommendation.get("service")))
        if entry:
            found.add(str(entry["area"]))
    suppress = rule.get("suppress") or {}
    for code in suppress.get("services") or []:
        entry = catalogue.get(str(code))
        if entry:
            found.add(str(entry["area"]))
    found.update(str(a) for a in suppress.get("areas") or [])
    return [area for area in AREAS if area in found]


def rule_view(
    rule: dict[str, Any],
    catalogue: dict[str, dict[str, Any]],
    labels: dict[str, str],
    language: str,
) -> dict[str, Any]:
    """What a page shows of one rule, in ``language``."""
    suppress = rule.get("suppress") or {}
    regions = rule.get("regions") or {}
    return {
        "id": rule["id"],
        "title": (rule.get("title") or {}).get(language, rule["id"]),
        "description": (rule.get("description") or {}).get(language),
        "status": rule.get("status"),
        "areas": [area_label(a, language) for a in rule_areas(rule, catalogue)],
        "when": describe(rule.get("when"), labels, language),
        "recommend": [
            {
                "code": r["service"],
                "label": service_label(catalogue, r["service"], language),
                "priority": r.get("priority"),
                "priority_label": priority_label(str(r.get("priority")), language),
                "notes": [
                    {
                        "text": (n.get("text") or {}).get(language, ""),
                        "when": describe(n["when"], labels, language) if n.get("when") else None,
                    }
                    for n in r.get("notes") or []
                ],
            }
            for r in rule.get("recommend") or []
        ],
        "suppress_services": [
            service_label(catalogue, str(c), language) for c in suppress.get("services") or []
        ],
        "suppress_areas": [area_label(str(a), language) for a in suppress.get("areas") or []],
        "suppress_except": [
            service_label(catalogue, str(c), language) for c in suppress.get("except") or []
        ],
        "legal_basis": rule.get("legal_basis") or [],
        "effective_from": rule.get("effective_from"),
        "effective_to": rule.get("effective_to"),
        "departments": [department_label(str(c)) for c in regions.get("departments") or []],
        "municipalities": [str(c) for c in regions.get("municipalities") or []],
    }


@router.get("/rules", response_class=HTMLResponse)
async def rules_page(request: Request, person: RulesReader, area: str | None = None) -> Response:
    """Every rule in service, by area; ``?area=`` shows one area only."""
    language = page_language(request)
    answer = await call_api(request, "GET", "/v1/rules")
    catalogue = await services(request)
    labels = await profile_labels(request, language)
    chosen = area if area in AREAS else None
    groups: list[dict[str, Any]] = []
    listed = answer.body if answer.ok and isinstance(answer.body, list) else []
    for code in [*AREAS, ""]:
        if chosen and code != chosen:
            continue
        members = [
            rule_view(rule, catalogue, labels, language)
            for rule in listed
            if (rule_areas(rule, catalogue) or [""])[0] == code
        ]
        if members:
            groups.append({"code": code, "label": area_label(code, language), "rules": members})
    return render(
        request,
        "rules.html",
        {
            "groups": groups,
            "areas": [(code, area_label(code, language)) for code in AREAS],
            "chosen": chosen,
            "count": sum(len(g["rules"]) for g in groups),
            "error": answer.message(language),
        },
        person=person,
        status_code=200 if answer.ok else answer.status,
    )


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
async def rule_page(request: Request, rule_id: str, person: RulesReader) -> Response:
    """One rule in service: when it applies, what it recommends or removes, and why."""
    language = page_language(request)
    answer = await call_api(request, "GET", f"/v1/rules/{quote(rule_id, safe='')}")
    if not answer.ok:
        return render(
            request,
            "rule.html",
            {"rule": None, "error": answer.message(language)},
            person=person,
            status_code=answer.status,
        )
    catalogue = await services(request)
    labels = await profile_labels(request, language)
    return render(
        request,
        "rule.html",
        {"rule": rule_view(answer.body, catalogue, labels, language), "error": None},
        person=person,
    )
