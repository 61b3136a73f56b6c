"""Request and response bodies of the HTTP API: the contract caseworker tools are written to.

Field names here are a contract: tools built on the API rely on them, so they change only with
a new API version (``/v2``). Every body has an example in the OpenAPI (``api/examples.py``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from engine import Profile
from engine.vocabulary import Area, Priority

from . import examples

Language = Literal["es", "en"]

#: The profile's JSON Schema, made once: what GET /v1/profile-schema serves for intake forms.
PROFILE_SCHEMA: Final[dict[str, Any]] = Profile.model_json_schema()

#: The profile is checked by the engine (every invalid field reported at once, in both
#: languages); the OpenAPI shows its full schema so that clients can build the intake form.
ProfileBody = Annotated[dict[str, Any], WithJsonSchema(PROFILE_SCHEMA)]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_day(value: Any) -> Any:
    """Only a day written YYYY-MM-DD: pydantic alone would also read a number as seconds since
    1970, so a slip such as ``"as_of": 0`` would silently apply the rules of 1970-01-01."""
    if (
        value is None
        or isinstance(value, date)
        or (isinstance(value, str) and _ISO_DAY.fullmatch(value))
    ):
        return value
    raise PydanticCustomError("date_type", "must be a date written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_written_day)]

#: The largest number a stored sequence (an event, a receipt) can have: what a 64-bit signed
#: column holds in SQLite and PostgreSQL. Larger numbers in a request are refused (422) rather
#: than reaching the database.
SEQUENCE_MAX: Final = 2**63 - 1


class RecommendationRequest(BaseModel):
    """A returnee's profile, the day the protocols are applied for, and the reader's language."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.RECOMMENDATION_REQUEST, examples.ISLAND_REQUEST]},
    )

    profile: ProfileBody = Field(
        description="The returnee's situation (see GET /v1/profile-schema for labels)."
    )
    as_of: Day | None = Field(
        None,
        description="The day whose rules apply, YYYY-MM-DD; by default today in Colombia.",
    )
    lang: Language = Field("es", description="Language of labels, notes and reasons.")
    targets_per_service: int = Field(
        3,
        ge=0,
        le=20,
        strict=True,
        description="Referral institutions per service; 0 for none.",
    )


class Target(BaseModel):
    """An institution of the partner network to refer the person to, and why it was chosen."""

    institution_id: str
    name: str
    municipality: str = Field(description="DIVIPOLA code of where the institution is.")
    contact: dict[str, str | None] = Field(description="phone, email and web, where known.")
    reason: str = Field(description="Why this institution, in the requested language.")


class LegalBasisOut(BaseModel):
    """The legal instrument behind a rule that recommended the service."""

    rule: str
    instrument: str
    article: str | None
    url: str | None


class ConditionOut(BaseModel):
    """One condition a rule tested, whether it held, and the profile's values it read."""

    test: str = Field(description="The condition as written in the rule, e.g. 'age >= 18'.")
    holds: bool
    values: dict[str, Any] = Field(description="The profile's value of each field tested.")
    shown: str = Field(description="The condition with the values, in the requested language.")


class RuleExplanation(BaseModel):
    """Why a rule recommended the service: its title and every condition it tested."""

    rule: str
    title: str
    conditions: list[ConditionOut]


class RecommendedService(BaseModel):
    """One service of the roadmap, at the highest priority any rule gave it."""

    code: str
    area: Area
    priority: Priority
    label: str
    rules: list[str] = Field(description="Every rule that recommended the service.")
    notes: list[str]
    legal_basis: list[LegalBasisOut]
    explanation: list[RuleExplanation]
    targets: list[Target]
    no_target_reason: str | None = Field(
        None,
        description="Why no institution is proposed, in the requested language, when targets"
        " were asked for and none can be given: nobody in the partner network offers the"
        " service, nobody within reach, or everyone within reach has no capacity this week or"
        " is inactive. null whenever there is a target (or none was asked for).",
        examples=[examples.NO_TARGET_SERVICE_REASON],
    )


class SuppressedService(BaseModel):
    """A service a rule recommended but another rule removed (e.g. shelter for the sheltered)."""

    code: str
    rules: list[str] = Field(description="The rules that removed it.")


#: An answer a profile field can hold: yes/no, a number, a word or code, or empty.
FieldValue = bool | int | float | str | None


class OpenService(BaseModel):
    """A service an answer to an open question would add to the roadmap or raise."""

    code: str
    label: str
    priority: Priority = Field(description="The priority the service would have.")
    current_priority: Priority | None = Field(
        description="Its priority on the roadmap now; null when it is not on the roadmap."
    )
    example: FieldValue = Field(description="An answer to the question that would do it.")


class OpenField(BaseModel):
    """A question the caseworker has not asked (the field was not sent and took its default)
    whose answer could add a service or raise one: what to ask next."""

    field: str = Field(description="The profile field, as sent in a profile.")
    label: str = Field(description="The question, in the requested language.")
    default: FieldValue = Field(description="The answer assumed because none was given.")
    example: FieldValue = Field(description="An answer that would bring the first service.")
    services: list[OpenService] = Field(
        description="Every service some answer would add or raise, most urgent first."
    )


class RuleBaseVersion(BaseModel):
    version: str
    hash: str = Field(description="SHA-256 of the rule files: which exact rules answered.")


class NetworkVersion(BaseModel):
    version: str


class RecommendationResponse(BaseModel):
    """The roadmap for one returnee: services in order, why, and where to refer them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.RECOMMENDATION_RESPONSE, examples.ISLAND_RESPONSE]}
    )

    rule_base: RuleBaseVersion
    network: NetworkVersion
    as_of: date
    services: list[RecommendedService]
    suppressed: list[SuppressedService]
    open_fields: list[OpenField] = Field(
        description="Still to ask: each profile field not sent whose answer could add a"
        " service or raise one, by the most urgent service it could bring."
    )


class Problem(BaseModel):
    """One thing wrong with a request: where (a field path) and what, in both languages."""

    field: str
    message: str
    message_es: str
    file: str | None = Field(None, description="For a refused rule edit: the rule file.")
    line: int | None = Field(None, description="For a refused rule edit: the line, if known.")
    rule: str | None = Field(None, description="For a refused rule edit: the rule's id.")
    allowed: list[str] | None = Field(
        None, description="For a referral move refused (invalid_transition): the moves allowed."
    )


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Stable for programs: invalid_profile, invalid_request, unknown_place,"
        " not_found, method_not_allowed, body_too_large, http_error, internal_error,"
        " engine_error, engine_unavailable."
    )
    message: str
    message_es: str
    problems: list[Problem]
    correlation_id: str | None = Field(
        None, description="Only on 500: quote it when reporting the failure."
    )


class ErrorResponse(BaseModel):
    """The one error shape of every endpoint."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INVALID_PROFILE]})

    error: ErrorDetail


class BatchItemError(BaseModel):
    """In a batch answer, the place of a profile that was invalid."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]


class CoverageGap(BaseModel):
    """How well a department is covered for a service: the best level reachable from its
    capital (municipality, department, national, neighbour — a department reached over land —,
    nearest — once the land borders run out, a department nearest as the crow flies —, or
    none) and the distance."""

    department: str
    service: str
    level: Literal["municipality", "department", "national", "neighbour", "nearest", "none"]
    distance_km: float | None
    institution_id: str | None


_ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    401: ("No valid API token (send Authorization: Bearer TOKEN).", examples.UNAUTHENTICATED),
    403: ("The token's role may not do this.", examples.FORBIDDEN),
    404: ("No such rule, institution or address.", examples.NOT_FOUND),
    409: (
        "The record changed state meanwhile; the message says what is allowed.",
        examples.CONFLICT,
    ),
    412: ("The draft changed since the ETag sent in If-Match.", examples.PRECONDITION_FAILED),
    428: ("An edit must send If-Match with the draft's ETag.", examples.PRECONDITION_REQUIRED),
    413: ("The request body is over the limit.", examples.BODY_TOO_LARGE),
    422: (
        "The profile or the request is invalid: each problem names a field, in English and"
        " Spanish, never the value sent.",
        examples.INVALID_PROFILE,
    ),
    500: ("Unexpected failure, with a correlation id.", examples.INTERNAL_ERROR),
    503: (
        "The rule engine failed while answering and is restarting (engine_unavailable), or the"
        " store cannot be reached (store_unavailable): nothing was decided or stored; send the"
        " request again after the seconds in the Retry-After header.",
        examples.ENGINE_UNAVAILABLE,
    ),
}


def error_responses(*statuses: int, secured: bool = True) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of the errors an endpoint can answer, all in the shared shape; any
    request can be refused for its size (413) or fail unexpectedly (500), and any secured
    one for its token (401, 403) or because the store is out of reach (503)."""
    always = {401, 403, 413, 422, 500, 503} if secured else {413, 500}
    return {
        status: {
            "model": ErrorResponse,
            "description": _ERROR_EXAMPLES[status][0],
            "content": {"application/json": {"example": _ERROR_EXAMPLES[status][1]}},
            **({"headers": _RETRY_AFTER} if status == 503 else {}),
        }
        for status in sorted({*statuses, *always})
    }


_RETRY_AFTER: dict[str, Any] = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "schema": {"type": "integer", "example": 1},
    }
}
