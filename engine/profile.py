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

from .errors import FieldProblem, ProfileError
from .messages import bilingual, looks_like_a_field_name
from .vocabulary import DEPARTMENTS

__all__ = ["Profile", "parse_profile"]

_MUNICIPALITY = r"^[0-9]{5}$"


def _labels(es: str, en: str) -> dict[str, Any]:
    return {"json_schema_extra": {"labels": {"es": es, "en": en}}}


Flag = Annotated[bool, Field(strict=True)]


class Profile(BaseModel):
    """A returnee's situation as recorded at the office (protocols §1).

    Instances built through validation (:func:`parse_profile`) are valid and immutable:
    department and municipality are real DIVIPOLA codes and agree with each other. Beyond
    protocols §1, numbers have plausibility ceilings (120 years abroad, 1,440 months since
    return, 30 children) so that a typing slip is caught at intake instead of silently matching
    no rule.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    age: int = Field(ge=0, le=120, **_labels("Edad (años cumplidos)", "Age (whole years)"))
    pregnant: Flag = Field(False, **_labels("Embarazo", "Pregnant"))
    department: str = Field(
        pattern=r"^[0-9]{2}$",
        **_labels(
            "Departamento de residencia (código DIVIPOLA)",
            "Department of residence (DIVIPOLA code)",
        ),
    )
    municipality: str = Field(
        pattern=_MUNICIPALITY,
        **_labels(
            "Municipio de residencia (código DIVIPOLA)", "Municipality of residence (DIVIPOLA code)"
        ),
    )
    origin_municipality: str | None = Field(
        None,
        pattern=_MUNICIPALITY,
        **_labels("Municipio de origen al que desea llegar", "Municipality of origin to reach"),
    )
    years_abroad: float = Field(
        ge=0,
        le=120,
        allow_inf_nan=False,
        **_labels("Años continuos en el exterior", "Continuous years abroad"),
    )
    months_since_return: float = Field(
        ge=0,
        le=1440,
        allow_inf_nan=False,
        **_labels("Meses desde el regreso", "Months since return"),
    )
    return_kind: Literal["voluntary", "deported", "expelled"] = Field(
        **_labels("Forma de retorno", "How the person returned")
    )
    rur_status: Literal["not_registered", "registered", "beneficiary"] = Field(
        "not_registered",
        **_labels("Estado en el Registro Único de Retorno", "Return Registry status"),
    )
    rur_type: Literal["none", "solidario", "humanitario", "laboral", "productivo"] = Field(
        "none", **_labels("Tipo de retorno en el RUR", "Return type in the Registry")
    )
    has_id_document: Flag = Field(
        True, **_labels("Tiene cédula colombiana vigente", "Holds a valid Colombian ID card")
    )
    id_document_cancelled: Flag = Field(
        False,
        **_labels("Cédula o registro civil anulado", "ID card or civil registration annulled"),
    )
    children_unregistered: int = Field(
        0,
        ge=0,
        le=30,
        **_labels(
            "Hijos nacidos en el exterior sin registro civil",
            "Children born abroad without civil registration",
        ),
    )
    school_age_children: int = Field(
        0,
        ge=0,
        le=30,
        **_labels(
            "Niños de 5 a 17 años sin escolarizar", "Children aged 5–17 not enrolled in school"
        ),
    )
    unaccompanied_minor: Flag = Field(
        False, **_labels("Menor de edad no acompañado", "Unaccompanied minor")
    )
    conflict_victim: Literal["none", "registered", "unregistered"] = Field(
        "none", **_labels("Víctima del conflicto armado", "Victim of the armed conflict")
    )
    extreme_poverty: Flag = Field(False, **_labels("Pobreza extrema", "Extreme poverty"))
    sentence_in_force: Flag = Field(
        False, **_labels("Condena privativa de la libertad vigente", "Custodial sentence in force")
    )
    convicted_public_administration: Flag = Field(
        False,
        **_labels(
            "Condenado por delitos contra la administración pública",
            "Convicted of crimes against the public administration",
        ),
    )
    health_coverage: Literal["none", "subsidized", "contributory"] = Field(
        "none", **_labels("Afiliación en salud", "Health coverage")
    )
    urgent_medical_need: Flag = Field(
        False, **_labels("Necesidad médica urgente", "Urgent medical need")
    )
    chronic_condition: Flag = Field(False, **_labels("Enfermedad crónica", "Chronic condition"))
    disability: Flag = Field(False, **_labels("Discapacidad", "Disability"))
    psychosocial_distress: Flag = Field(
        False, **_labels("Afectación psicosocial", "Psychosocial distress")
    )
    foreign_studies: Literal["none", "school", "higher"] = Field(
        "none",
        **_labels("Estudios en el exterior sin convalidar", "Studies abroad not yet recognised"),
    )
    degree_field: Literal["none", "law", "accounting", "education", "health", "other"] = Field(
        "none", **_labels("Área del título extranjero", "Field of the foreign degree")
    )
    employment: Literal["employed", "unemployed", "self_employed", "not_seeking"] = Field(
        "unemployed", **_labels("Situación laboral", "Employment situation")
    )
    wants_business: Flag = Field(
        False,
        **_labels("Quiere crear o fortalecer un negocio", "Wants to start or grow a business"),
    )
    has_trade_skills: Flag = Field(
        False,
        **_labels(
            "Tiene oficio o experiencia adquirida en el exterior", "Has trade skills gained abroad"
        ),
    )
    importing_goods: Flag = Field(
        False,
        **_labels(
            "Trae menaje doméstico o herramientas de trabajo",
            "Bringing household goods or work tools",
        ),
    )
    bringing_capital: Flag = Field(
        False, **_labels("Trae capital del exterior", "Bringing capital from abroad")
    )
    has_shelter: Flag = Field(
        True,
        **_labels(
            "Tiene dónde dormir de forma segura los próximos 7 días",
            "Has a safe place to sleep for the next 7 days",
        ),
    )
    has_funds: Flag = Field(
        True,
        **_labels(
            "Puede cubrir alimentación y necesidades básicas 7 días",
            "Can cover food and basic needs for 7 days",
        ),
    )
    protection_risk: Literal["none", "threats", "trafficking", "gbv"] = Field(
        "none", **_labels("Riesgo de protección", "Protection risk")
    )
    wants_travel_to_origin: Flag = Field(
        False,
        **_labels(
            "Quiere viajar a su municipio de origen",
            "Wants to travel on to the municipality of origin",
        ),
    )

    @field_validator("department")
    @classmethod
    def _known_department(cls, code: str) -> str:
        if code not in DEPARTMENTS:
            raise ValueError("not a DIVIPOLA department code; use one of " + ", ".join(DEPARTMENTS))
        return code

    @field_validator("municipality", "origin_municipality")
    @classmethod
    def _in_a_known_department(cls, code: str | None) -> str | None:
        if code is not None and code[:2] not in DEPARTMENTS:
            raise ValueError("its first two digits are not a DIVIPOLA department code")
        return code

    @model_validator(mode="after")
    def _codes_agree(self) -> Profile:
        if not self.municipality.startswith(self.department):
            raise ValueError("municipality: its first two digits must equal the department code")
        return self


def parse_profile(data: Any) -> Profile:
    """Validate ``data`` as a :class:`Profile`, or raise :class:`ProfileError` naming each field.

    The error never contains the submitted values.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, dict):
        raise ProfileError(
            [
                FieldProblem(
                    "profile",
                    "must be an object of profile fields",
                    "debe ser un objeto con los campos del perfil",
                )
            ]
        )
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
            message = "unknown field; the profile vocabulary has no such field"
            spanish = "campo desconocido: el perfil no tiene este campo"
            if not looks_like_a_field_name(loc):
                loc = "(unknown field)"
            elif hint := _suggestion(loc):
                message += f" (did you mean '{hint}'?)"
                spanish += f" (¿quiso decir '{hint}'?)"
        elif kind == "string_pattern_mismatch":
            digits = 2 if loc == "department" else 5
            example = '"54"' if digits == 2 else '"54001"'
            message = f"must be a {digits}-digit DIVIPOLA code written as text, e.g. {example}"
            spanish = (
                f"debe ser un código DIVIPOLA de {digits} dígitos escrito como texto,"
                f" p. ej. {example}"
            )
        elif kind == "value_error":
            message = item["msg"].removeprefix("Value error, ")
            if not loc:
                # The cross-field check names its field first: "field: message".
                loc, _, message = message.partition(": ")
            spanish = next(
                (es for en, es in _OWN_MESSAGES if message.startswith(en)), "valor no válido"
            )
            if message.startswith("not a DIVIPOLA department code"):
                spanish += "; use uno de " + ", ".join(DEPARTMENTS)
        problems.append(FieldProblem(loc or "profile", message, spanish))
    return problems


#: Spanish for the checks written in this module.
_OWN_MESSAGES: tuple[tuple[str, str], ...] = (
    ("not a DIVIPOLA department code", "no es un código de departamento DIVIPOLA"),
    (
        "its first two digits are not a DIVIPOLA department code",
        "sus dos primeros dígitos no son un código de departamento DIVIPOLA",
    ),
    (
        "its first two digits must equal the department code",
        "sus dos primeros dígitos deben ser el código del departamento",
    ),
)


def _suggestion(name: str) -> str | None:
    matches = get_close_matches(name, list(Profile.model_fields), n=1)
    return matches[0] if matches else None
