"""The form that starts a simulation of a draft (on the draft's page and the simulations page):
what it offers before anything is typed, and how what was typed is sent to the API."""

from __future__ import annotations

from typing import Any

#: What the form holds before anything is typed; a field left empty is sent as this too.
DEFAULTS: dict[str, str] = {"population": "synthetic", "size": "1000", "seed": "7"}


def simulation_request(sent: dict[str, str]) -> dict[str, Any]:
    """The body of ``POST …/simulations`` for the form's fields: the protocol cases, or so
    many synthetic people from a seed."""
    if sent.get("population") == "cases":
        return {"cases": True}
    return {"synthetic": {"size": _whole(sent, "size"), "seed": _whole(sent, "seed")}}


def _whole(sent: dict[str, str], name: str) -> Any:
    """A whole number typed in the form (the default if left empty); what cannot be read goes
    to the API as typed, for it to refuse with its own words."""
    entered = (sent.get(name) or "").strip() or DEFAULTS[name]
    try:
        return int(entered)
    except ValueError:
        return entered
