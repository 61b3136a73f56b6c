"""The network heatmap: for every department and every service the protocols in service
recommend, the best level at which a returnee living in the department's capital can be
referred, so an auditor sees at a glance where a promise of the protocols has nobody to keep
it. The levels come from ``GET /v1/network/reach`` (no audit needs to run first)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from store import Principal

from .api_calls import call_api
from .language import page_language
from .reach_levels import levels_counted
from .rendering import render
from .session import page_permission

router = APIRouter(include_in_schema=False)

NetworkReader = Annotated[Principal, page_permission("read_network")]


def matrix(reach: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[str], dict[Any, Any]]:
    """The departments (code, name) and services in code order, and each cell's reach."""
    departments = sorted({(r["department"], r["department_name"]) for r in reach})
    services = sorted({r["service"] for r in reach})
    cells = {(r["department"], r["service"]): r for r in reach}
    return departments, services, cells


@router.get("/network-heatmap", response_class=HTMLResponse)
async def heatmap(request: Request, person: NetworkReader) -> Response:
    """The department × service table of the network's reach, with its legend."""
    language = page_language(request)
    answer = await call_api(request, "GET", "/v1/network/reach")
    reach = answer.body if answer.ok and isinstance(answer.body, list) else []
    listed = await call_api(request, "GET", "/v1/services")
    labels = {
        s["code"]: s["label"].get(language, s["code"])
        for s in (listed.body if listed.ok and isinstance(listed.body, list) else [])
    }
    departments, services, cells = matrix(reach)
    levels, counts = levels_counted(reach, language)
    nobody = [r for r in reach if r["level"] == "none"]
    context = {
        "levels": levels,
        "departments": departments,
        "services": services,
        "cells": cells,
        "labels": labels,
        "counts": counts,
        "nobody": nobody,
        "message": answer.message(language),
    }
    return render(request, "heatmap.html", context, person=person, status_code=answer.status)
