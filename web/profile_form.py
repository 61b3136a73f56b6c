"""The intake form, made from the profile's JSON Schema (``GET /v1/profile-schema``).

Each field of the schema becomes one question, labelled as the schema labels it in the page's
language: a list of choices where the answer is one of a set, yes/no where it is a flag, a
number box where it is a number, and a department then a municipality (of that department)
for where the person lives. A question left unanswered is not sent, so the API applies its
default and can still name it among the ``open_fields`` that could change the roadmap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

#: The fields that say where the person lives: asked as a choice of places, not as codes.
PLACE_FIELDS = ("department", "municipality")


@dataclass(frozen=True)
class Question:
    """One question of the intake form, as the profile's schema describes the field."""

    name: str
    label: str
    kind: str  # "choice", "flag", "integer", "number", "place", "code"
    required: bool
    choices: tuple[str, ...] = ()
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choice_labels: Mapping[str, str] = field(default_factory=dict)

    def choice_label(self, value: object) -> str:
        """The name of the answer ``value`` as the schema gives it (the value itself if the
        schema does not name it)."""
        return str(self.choice_labels.get(str(value)) or value)


def questions(schema: Mapping[str, Any], language: str) -> list[Question]:
    """The schema's fields as questions, in the schema's order."""
    required = set(schema.get("required", []))
    found: list[Question] = []
    for name, spec in schema.get("properties", {}).items():
        label = str(spec.get("labels", {}).get(language) or spec.get("title") or name)
        kind = _kind(name, spec)
        found.append(
            Question(
                name=name,
                label=label,
                kind=kind,
                required=name in required,
                choices=tuple(str(v) for v in spec.get("enum", [])),
                default=spec.get("default"),
                minimum=spec.get("minimum"),
                maximum=spec.get("maximum"),
                choice_labels=dict(spec.get("value_labels", {}).get(language) or {}),
            )
        )
    return found


def _kind(name: str, spec: Mapping[str, Any]) -> str:
    if name in PLACE_FIELDS:
        return "place"
    if "enum" in spec:
        return "choice"
    kind = spec.get("type")
    if kind == "boolean":
        return "flag"
    if kind in ("integer", "number"):
        return str(kind)
    return "code"


def profile_from_form(form: Mapping[str, str], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The profile the form's answers say, with unanswered questions left out. A number that
    does not read as one is sent as written, so the API names the field and says why."""
    profile: dict[str, Any] = {}
    for question in questions(schema, "es"):
        raw = str(form.get(question.name, "")).strip()
        if question.name == "municipality" and form.get("municipality_other", "").strip():
            raw = str(form["municipality_other"]).strip()
        if raw == "":
            continue
        profile[question.name] = _value(question, raw)
    return profile


def _value(question: Question, raw: str) -> Any:
    if question.kind == "flag":
        return {"yes": True, "no": False}.get(raw, raw)
    if question.kind in ("integer", "number"):
        written = raw.replace(",", ".")
        try:
            number = float(written)
        except ValueError:
            return raw
        if question.kind == "integer" and number.is_integer():
            return int(number)
        return number
    return raw


def form_from_profile(profile: Mapping[str, Any]) -> dict[str, str]:
    """The form's answers that show ``profile`` (a case's, to change it)."""
    answers: dict[str, str] = {}
    for name, value in profile.items():
        if isinstance(value, bool):
            answers[name] = "yes" if value else "no"
        elif value is not None:
            answers[name] = format(value, "g") if isinstance(value, float) else str(value)
    return answers


@dataclass(frozen=True)
class Places:
    """Colombia's departments and the municipalities the network knows, by DIVIPOLA code."""

    departments: dict[str, str]
    municipalities: dict[str, dict[str, str]]  # department code → municipality code → name
    offices: dict[str, str]

    def municipality_name(self, code: str) -> str:
        return self.municipalities.get(code[:2], {}).get(code, code)


def places(request: Request) -> Places:
    """The places of the network in service (``network/data``): the same data the API uses to
    choose where to refer a person."""
    network = request.app.state.service.network
    municipalities: dict[str, dict[str, str]] = {}
    for municipality in network.data.municipalities:
        municipalities.setdefault(municipality.code[:2], {})[municipality.code] = municipality.name
    return Places(
        departments={d.code: d.name for d in network.data.departments},
        municipalities=municipalities,
        offices={o.id: o.name for o in network.data.offices},
    )
