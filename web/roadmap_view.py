"""What a roadmap shows beside the API's answer: where each institution is and when it opens.

The answer of ``POST /v1/recommendations`` names each target institution with its contact and
the reason it was chosen; the person also needs its address and opening hours, which the
network's institution records hold (``GET /v1/institutions``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from .api_calls import call_api


async def institutions_by_id(request: Request) -> dict[str, dict[str, Any]]:
    """The network's institutions by id, as the API lists them (empty if it refuses)."""
    answer = await call_api(request, "GET", "/v1/institutions")
    if not answer.ok or not isinstance(answer.body, list):
        return {}
    return {str(found["id"]): found for found in answer.body}


def hours_of(institution: dict[str, Any] | None, language: str) -> str | None:
    """An institution's opening hours in ``language`` (Spanish if not written in it)."""
    hours = (institution or {}).get("hours") or {}
    found = hours.get(language) or hours.get("es")
    return str(found) if found else None
