"""The returnee profile: the facts a caseworker records and the protocols reason about.

The fields, their allowed values and defaults are exactly those of protocols §1. A field that is
not given takes its default; a field the vocabulary does not know is refused. Every field carries
a Spanish and an English label so intake forms can be generated from this model.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from texts import LANGUAGES, N_, both, has_text, text

from .errors import FieldProblem, ProfileError
from .messages import bilingual, looks_like_a_field_name
from .vocabulary import DEPARTMENTS

__all__ = ["Profile", "parse_profile"]

_MUNICIPALITY = r"^[0-9]{5}$"


def _labels(key: str) -> dict[str, Any]:
    """The field's label in each language, from the catalogues (``profile.field.<name>``), as
    the profile schema gives it to intake forms."""
    en, es = both(key)
    return {"json_schema_extra": {"labels": {"es": es, "en": en}}}


Flag = Annotated[bool, Field(strict=True)]

#: The words for each answer of a multiple-choice field (``profile.value.FIELD.VALUE``), marked
#: here so that the catalogues' check finds them; the profile schema serves them as
#: ``value_labels``.
_VALUE_KEYS = (
    N_("profile.value.return_kind.voluntary"),
    N_("profile.value.return_kind.deported"),
    N_("profile.value.return_kind.expelled"),
    N_("profile.value.rur_status.not_registered"),
    N_("profile.value.rur_status.registered"),
    N_("profile.value.rur_status.beneficiary"),
    N_("profile.value.rur_type.none"),
    N_("profile.value.rur_type.solidario"),
    N_("profile.value.rur_type.humanitario"),
    N_("profile.value.rur_type.laboral"),
    N_("profile.value.rur_type.productivo"),
    N_("profile.value.conflict_victim.none"),
    N_("profile.value.conflict_victim.registered"),
    N_("profile.value.conflict_victim.unregistered"),
    N_("profile.value.health_coverage.none"),
    N_("profile.value.health_coverage.subsidized"),
    N_("profile.value.health_coverage.contributory"),
    N_("profile.value.foreign_studies.none"),
    N_("profile.value.foreign_studies.school"),
    N_("profile.value.foreign_studies.higher"),
    N_("profile.value.degree_field.none"),
    N_("profile.value.degree_field.law"),
    N_("profile.value.degree_field.accounting"),
    N_("profile.value.degree_field.education"),
    N_("profile.value.degree_field.health"),
    N_("profile.value.degree_field.other"),
    N_("profile.value.employment.employed"),
    N_("profile.value.employment.unemployed"),
    N_("profile.value.employment.self_employed"),
    N_("profile.value.employment.not_seeking"),
    N_("profile.value.protection_risk.none"),
    N_("profile.value.protection_risk.threats"),
    N_("profile.value.protection_risk.trafficking"),
    N_("profile.value.protection_risk.gbv"),
)


def _value_labels(schema: dict[str, Any]) -> None:
    """Give each multiple-choice field of the profile's JSON Schema the name of each of its
    answers in each language, beside the field's ``labels``: ``value_labels`` is
    ``{"es": {value: name}, "en": {value: name}}``; an answer the catalogues do not name yet
    is named by its value."""
    for name, spec in schema.get("properties", {}).items():
        if "enum" not in spec:
            continue
        spec["value_labels"] = {
            language: {
                str(value): text(key, language) if has_text(key, language) else str(value)
                for value in spec["enum"]
                for key in [f"profile.value.{name}.{value}"]
            }
            for language in LANGUAGES
        }


class Profile(BaseModel):
    """A returnee's situation as recorded at the office (protocols §1).

    Instances built through validation (:func:`parse_profile`) are valid and immutable:
    department and municipality are real DIVIPOLA codes and agree with each other. Beyond
    protocols §1, numbers have plausibility ceilings (120 years abroad, 1,440 months since
    return, 30 children) so that a typing slip is caught at intake instead of silently matching
    no rule.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, json_schema_extra=_value_labels
    )

    age: int = Field(ge=0, le=120, **_labels(N_("profile.field.age")))
    pregnant: Flag = Field(False, **_labels(N_("profile.field.pregnant")))
    department: str = Field(
        pattern=r"^[0-9]{2}$",
        **_labels(N_("profile.field.department")),
    )
    municipality: str = Field(
        pattern=_MUNICIPALITY,
        **_labels(N_("profile.field.municipality")),
    )
    origin_municipality: str | None = Field(
        None,
        pattern=_MUNICIPALITY,
        **_labels(N_("profile.field.origin_municipality")),
    )
    years_abroad: float = Field(
        ge=0,
        le=120,
        allow_inf_nan=False,
        **_labels(N_("profile.field.years_abroad")),
    )
    months_since_return: float = Field(
        ge=0,
        le=1440,
        allow_inf_nan=False,
        **_labels(N_("profile.field.months_since_return")),
    )
    return_kind: Literal["voluntary", "deported", "expelled"] = Field(
        **_labels(N_("profile.field.return_kind"))
    )
    rur_status: Literal["not_registered", "registered", "beneficiary"] = Field(
        "not_registered",
        **_labels(N_("profile.field.rur_status")),
    )
    rur_type: Literal["none", "solidario", "humanitario", "laboral", "productivo"] = Field(
        "none", **_labels(N_("profile.field.rur_type"))
    )
    has_id_document: Flag = Field(True, **_labels(N_("profile.field.has_id_document")))
    id_document_cancelled: Flag = Field(
        False,
        **_labels(N_("profile.field.id_document_cancelled")),
    )
    children_unregistered: int = Field(
        0,
        ge=0,
        le=30,
        **_labels(N_("profile.field.children_unregistered")),
    )
    school_age_children: int = Field(
        0,
        ge=0,
        le=30,
        **_labels(N_("profile.field.school_age_children")),
    )
    unaccompanied_minor: Flag = Field(False, **_labels(N_("profile.field.unaccompanied_minor")))
    conflict_victim: Literal["none", "registered", "unregistered"] = Field(
        "none", **_labels(N_("profile.field.conflict_victim"))
    )
    extreme_poverty: Flag = Field(False, **_labels(N_("profile.field.extreme_poverty")))
    sentence_in_force: Flag = Field(False, **_labels(N_("profile.field.sentence_in_force")))
    convicted_public_administration: Flag = Field(
        False,
        **_labels(N_("profile.field.convicted_public_administration")),
    )
    health_coverage: Literal["none", "subsidized", "contributory"] = Field(
        "none", **_labels(N_("profile.field.health_coverage"))
    )
    urgent_medical_need: Flag = Field(False, **_labels(N_("profile.field.urgent_medical_need")))
    chronic_condition: Flag = Field(False, **_labels(N_("profile.field.chronic_condition")))
    disability: Flag = Field(False, **_labels(N_("profile.field.disability")))
    psychosocial_distress: Flag = Field(False, **_labels(N_("profile.field.psychosocial_distress")))
    foreign_studies: Literal["none", "school", "higher"] = Field(
        "none",
        **_labels(N_("profile.field.foreign_studies")),
    )
    degree_field: Literal["none", "law", "accounting", "education", "health", "other"] = Field(
        "none", **_labels(N_("profile.field.degree_field"))
    )
    employment: Literal["employed", "unemployed", "self_employed", "not_seeking"] = Field(
        "unemployed", **_labels(N_("profile.field.employment"))
    )
    wants_business: Flag = Field(
        False,
        **_labels(N_("profile.field.wants_business")),
    )
    has_trade_skills: Flag = Field(
        False,
        **_labels(N_("profile.field.has_trade_skills")),
    )
    importing_goods: Flag = Field(
        False,
        **_labels(N_("profile.field.importing_goods")),
    )
    bringing_capital: Flag = Field(False, **_labels(N_("profile.field.bringing_capital")))
    has_shelter: Flag = Field(
        True,
        **_labels(N_("profile.field.has_shelter")),
    )
    has_funds: Flag = Field(
        True,
        **_labels(N_("profile.field.has_funds")),
    )
    protection_risk: Literal["none", "threats", "trafficking", "gbv"] = Field(
        "none", **_labels(N_("profile.field.protection_risk"))
    )
    wants_travel_to_origin: Flag = Field(
        False,
        **_labels(N_("profile.field.wants_travel_to_origin")),
    )

    @field_validator("department")
    @classmethod
    def _known_department(cls, code: str) -> str:
        if code not in DEPARTMENTS:
            raise _own_problem("unknown_department")
        return code

    @field_validator("municipality", "origin_municipality")
    @classmethod
    def _in_a_known_department(cls, code: str | None) -> str | None:
        if code is not None and code[:2] not in DEPARTMENTS:
            raise _own_problem("unknown_department_prefix")
        return code

    @model_validator(mode="after")
    def _codes_agree(self) -> Profile:
        if not self.municipality.startswith(self.department):
            raise _own_problem("department_mismatch")
        return self


def parse_profile(data: Any) -> Profile:
    """Validate ``data`` as a :class:`Profile`, or raise :class:`ProfileError` naming each field.

    The error never contains the submitted values.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, dict):
        raise ProfileError([FieldProblem("profile", *both("profile.not_an_object"))])
    problems: list[FieldProblem] = []
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        problems = _field_problems(error)
    # Raised outside the handler, so the exception chain does not carry pydantic's error (which
    # holds the submitted values) to any tool that walks it.
    raise ProfileError(problems)


def _field_problems(error: ValidationError) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for item in error.errors(include_input=False, include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        message, spanish = bilingual(kind, item.get("ctx"), item["msg"])
        if kind == "extra_forbidden":
            # A key is named only when it looks like a field name, never free text (a name).
            message, spanish = both("profile.unknown_field")
            if not looks_like_a_field_name(loc):
                loc = "(unknown field)"
            elif hint := _suggestion(loc):
                message, spanish = both("profile.unknown_field_did_you_mean", suggestion=hint)
        elif kind == "string_pattern_mismatch":
            digits = 2 if loc == "department" else 5
            example = '"54"' if digits == 2 else '"54001"'
            message, spanish = both("profile.divipola_code_form", digits=digits, example=example)
        elif kind in _OWN_PROBLEMS:
            key, field = _OWN_PROBLEMS[kind]
            loc = loc or field
            message, spanish = both(key, departments=", ".join(DEPARTMENTS))
        problems.append(FieldProblem(loc or "profile", message, spanish))
    return problems


#: The checks written in this module, by their error type: the message, and the field a
#: check of the whole profile names.
_OWN_PROBLEMS: dict[str, tuple[str, str]] = {
    "unknown_department": (N_("profile.unknown_department"), "department"),
    "unknown_department_prefix": (N_("profile.unknown_department_prefix"), "municipality"),
    "department_mismatch": (N_("profile.department_mismatch"), "municipality"),
}


def _own_problem(kind: str) -> PydanticCustomError:
    """The error one of this module's checks raises; its words are in the catalogues."""
    key, _ = _OWN_PROBLEMS[kind]
    return PydanticCustomError(kind, text(key, "en", departments=", ".join(DEPARTMENTS)))


def _suggestion(name: str) -> str | None:
    matches = get_close_matches(name, list(Profile.model_fields), n=1)
    return matches[0] if matches else None
