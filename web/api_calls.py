"""The pages act through Ruta's own API, in the same process.

A page that recommends, opens a case or publishes a version sends the same request a
caseworker's tool would, with the logged-in person's token, to the ``/v1`` endpoints of this
very application (no network hop). The pages therefore check nothing the API does not, and
refuse exactly what it refuses, with its bilingual problems shown next to the fields they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2
from fastapi import Request

from .session import session_token

#: The host name of in-process calls (never resolved: the transport is the application).
_INTERNAL = "http://ruta.internal"


def in_language(said: Mapping[str, Any], language: str) -> str:
    """The wording of an error or problem of the API (``message``, ``message_es``) in
    ``language``."""
    return str(said.get("message_es" if language == "es" else "message") or "")


@dataclass(frozen=True)
class ApiAnswer:
    """What the API answered: status, JSON body (or text), headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> dict[str, Any] | None:
        """The API's one error shape, ``{"code", "message", "message_es", "problems"}``."""
        if self.ok or not isinstance(self.body, dict):
            return None
        found = self.body.get("error")
        return found if isinstance(found, dict) else None

    def message(self, language: str) -> str | None:
        """The error's message in ``language``."""
        error = self.error
        if error is None:
            return None
        return in_language(error, language)

    def problems(self, language: str) -> dict[str, list[str]]:
        """The error's problems by the field they name, in ``language``."""
        error = self.error or {}
        found: dict[str, list[str]] = {}
        for problem in error.get("problems") or []:
            found.setdefault(str(problem.get("field", "")), []).append(
                in_language(problem, language)
            )
        return found


async def call_api(
    request: Request,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> ApiAnswer:
    """``method path`` on this application's API as the logged-in person."""
    sent = dict(headers or {})
    token = session_token(request)
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    transport = httpx2.ASGITransport(app=request.app)
    async with httpx2.AsyncClient(transport=transport, base_url=_INTERNAL) as client:
        answer = await client.request(
            method, path, json=json, params=params, headers=sent, content=content
        )
    kind = answer.headers.get("content-type", "")
    body: Any = answer.json() if kind.startswith("application/json") else None
    return ApiAnswer(answer.status_code, body, dict(answer.headers), answer.text)
