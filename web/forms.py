"""What a page's form sent, and the profile's schema that intake, case and rule pages are made
from (``GET /v1/profile-schema``), fetched the same way by every page that needs it."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from .api_calls import call_api


async def form_answers(request: Request) -> dict[str, str]:
    """The text fields of the form the request sent, by name (files are left out)."""
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


async def profile_schema(request: Request) -> dict[str, Any]:
    """The profile's JSON Schema, as the API serves it to intake forms (empty if it refuses)."""
    answer = await call_api(request, "GET", "/v1/profile-schema")
    return answer.body if answer.ok and isinstance(answer.body, dict) else {}


def field_labels(schema: dict[str, Any], language: str) -> dict[str, str]:
    """Each profile field's label in ``language``, from the profile schema."""
    found: dict[str, str] = {}
    for name, spec in (schema.get("properties") or {}).items():
        labels = spec.get("labels") or {}
        found[name] = str(labels.get(language) or name)
    return found


async def profile_labels(request: Request, language: str) -> dict[str, str]:
    """Each profile field's label in ``language``, as the API's profile schema gives it."""
    return field_labels(await profile_schema(request), language)
