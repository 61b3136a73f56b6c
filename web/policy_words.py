"""The names policy pages show for codes: service areas, priorities, departments and services.

Services are named by the catalogue in service (``GET /v1/services``), priorities and
departments by the protocols' vocabulary, areas by the text catalogues.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from engine import AREA_KEYS, DEPARTMENTS, PRIORITY_KEYS
from texts import text

from .api_calls import call_api

#: The five service areas, in the order the pages list them, by the engine's text keys.
AREAS: dict[str, str] = {str(area): key for area, key in AREA_KEYS.items()}

#: The priorities, most urgent first, by the engine's text keys.
PRIORITIES: dict[str, str] = {str(priority): key for priority, key in PRIORITY_KEYS.items()}


def area_label(area: str, language: str) -> str:
    """The area's name in ``language`` (its code if the engine does not know it)."""
    return text(AREAS[area], language) if area in AREAS else area


def priority_label(priority: str, language: str) -> str:
    """The priority's name in ``language`` (its code if the engine does not know it)."""
    return text(PRIORITIES[priority], language) if priority in PRIORITIES else priority


def department_label(code: str) -> str:
    """``54`` → ``Norte de Santander (54)``."""
    name = DEPARTMENTS.get(code)
    return f"{name} ({code})" if name else code


async def services(request: Request) -> dict[str, dict[str, Any]]:
    """The catalogue in service by code (empty if the person may not read it)."""
    answer = await call_api(request, "GET", "/v1/services")
    if not answer.ok or not isinstance(answer.body, list):
        return {}
    return {str(entry["code"]): entry for entry in answer.body}


def service_label(catalogue: dict[str, dict[str, Any]], code: str, language: str) -> str:
    entry = catalogue.get(code)
    if entry is None:
        return code
    return str((entry.get("label") or {}).get(language) or code)
