"""Request-validation problems in Spanish and English, in the shape of a profile problem.

FastAPI reports a malformed request (not JSON, a missing ``profile``, ``lang`` outside es/en, a
date that is no date…) through pydantic; each error record becomes ``{"field", "message",
"message_es"}`` with the engine's bilingual messages, never the value sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.messages import bilingual, looks_like_a_field_name
from texts import N_, both


def field_path(location: Sequence[int | str]) -> str:
    """Where the problem is, as the client wrote it: ``lang``, ``profile``, ``[2].as_of``, or
    ``query.service`` for a query parameter (``body`` is the default and is left out)."""
    parts = list(location)
    if parts and parts[0] == "body":
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            # A key is named only when it looks like a field name, never free text (a name).
            name = part if looks_like_a_field_name(part) else "(unknown field)"
            path += f".{name}" if path else name
    return path or "body"


#: The API's own kinds of request problem, by type: their catalogue key.
_API_MESSAGES: dict[str, str] = {"csv_encoding": N_("problem.csv_encoding")}


def request_problem(error: Mapping[str, Any]) -> dict[str, str]:
    """One of pydantic's error records as a problem of the API's error body."""
    kind = str(error["type"])
    # A JSON syntax error's location is a character offset, not an item of a list.
    location = ("body",) if kind == "json_invalid" else error["loc"]
    own = _API_MESSAGES.get(kind)
    message, message_es = both(own) if own else bilingual(kind, error.get("ctx"), str(error["msg"]))
    return {"field": field_path(location), "message": message, "message_es": message_es}
