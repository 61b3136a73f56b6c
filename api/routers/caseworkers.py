"""What caseworkers use: recommendations for a returnee, services and institutions."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from engine.rule_model import ServiceEntry
from engine.vocabulary import DEPARTMENTS
from network import Network
from network.models import Institution
from texts import N_

from .. import examples
from ..auth import require
from ..batch import HeaderStyle, answer_header, answer_lines, csv_lines
from ..deps import EngineDep, EvaluationThreadDep, NetworkDep, OccupancyDep, StateDep
from ..errors import NotFoundError, UnknownFilterError
from ..limits import check_batch
from ..recommend import batch_json, recommendation_json
from ..schemas import (
    BatchItemError,
    Language,
    RecommendationRequest,
    RecommendationResponse,
    error_responses,
)
from ..sheets import read_sheet
from ..streaming import streamed_answer

router = APIRouter(prefix="/v1", tags=["caseworkers"], dependencies=[Depends(require("recommend"))])

_BATCH_ITEMS = TypeAdapter(list[RecommendationRequest])
#: Profiles evaluated per turn of the evaluation thread in a batch (about 10 ms of work), and
#: per part of a streamed answer: what the service holds of a batch's answer at a time.
_SLICE = 50


@router.post(
    "/recommendations",
    response_model=RecommendationResponse,
    responses=error_responses(413, 422, 503),
)
async def recommendations(
    body: RecommendationRequest,
    engine: EngineDep,
    network: NetworkDep,
    evaluation: EvaluationThreadDep,
    occupancy: OccupancyDep,
) -> Response:
    """The roadmap for one returnee: services in order (urgent first), the rules that
    recommend each with their legal basis and the conditions they tested, and the partner
    institutions to refer the person to, with the reason for each; then what to ask next
    (`open_fields`): each profile field not sent whose answer could add a service or raise
    one, with those services and an answer that would bring them."""
    answer = await evaluation.run(
        recommendation_json,
        engine,
        network,
        body.profile,
        body.as_of,
        body.lang,
        body.targets_per_service,
        occupancy=occupancy,
    )
    return Response(answer, media_type="application/json")


@router.post(
    "/recommendations/batch",
    responses={
        200: {
            "description": "The answers in the order asked: a roadmap, or an error object in"
            " place of an invalid profile. CSV in gives CSV out, with the sheet's separator:"
            " the sheet's identifier columns, a row per person, a column per service of the"
            " catalogue holding its priority, and an errors column. The answer is sent as it"
            " is worked out; if the rule engine fails part-way and again when asked once more,"
            " the transfer is cut short (never ended as if whole).",
            "model": list[RecommendationResponse | BatchItemError],
            "content": {
                "application/json": {"example": examples.BATCH_RESPONSE},
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": examples.BATCH_CSV_RESPONSE,
                },
            },
        },
        **error_responses(413, 422, 503),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/RecommendationRequest"},
                    },
                    "example": examples.BATCH_REQUEST,
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": examples.BATCH_CSV_REQUEST,
                },
            },
        }
    },
)
async def recommendations_batch(
    request: Request,
    state: StateDep,
    engine: EngineDep,
    network: NetworkDep,
    evaluation: EvaluationThreadDep,
    lang: Annotated[
        Language,
        Query(
            description="Language of the CSV answer's priorities and errors, and of its"
            " column names with headers=labels."
        ),
    ] = "es",
    headers: Annotated[
        HeaderStyle,
        Query(
            description="How the CSV answer's columns are headed: service codes (codes, stable"
            " for programs) or service labels in lang (labels, for people)."
        ),
    ] = HeaderStyle.CODES,
) -> Response:
    """Many returnees at once, for spreadsheets and for intake days: a JSON array of request
    bodies, or a CSV upload (a row per person; columns named as the profile's fields or by
    their Spanish or English labels, plus identifier columns such as id or caso carried through
    to the answer; comma, semicolon or tab between cells; a decimal comma in the fields that
    take fractions; an empty cell takes the field's default). At most RUTA_MAX_BATCH_ITEMS
    people (5,000 by default), each with at most RUTA_MAX_BATCH_TARGETS referral institutions
    per service (5)."""
    settings = state.settings
    body = await request.body()
    if _media_type(request) == "text/csv":
        sheet = await evaluation.run(read_sheet, body)
        check_batch(len(sheet.rows), settings.max_batch_items)
        rows, separator = sheet.rows, sheet.separator
        header = answer_header(engine, sheet.identifier_columns, lang, headers)
        return await streamed_answer(
            evaluation,
            (
                partial(answer_lines, engine, rows[start : start + _SLICE], lang, separator)
                for start in range(0, len(rows), _SLICE)
            ),
            "text/csv",
            opening=csv_lines([header], separator).encode(),
        )
    try:
        items = _BATCH_ITEMS.validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_input=False)) from None
    check_batch(
        len(items),
        settings.max_batch_items,
        [item.targets_per_service for item in items],
        settings.max_batch_targets,
    )
    return await streamed_answer(
        evaluation,
        (
            partial(batch_json, engine, network, items[start : start + _SLICE], state.occupancy)
            for start in range(0, len(items), _SLICE)
        ),
        "application/json",
        opening=b"[",
        separator=b",",
        closing=b"]",
    )


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@router.get(
    "/services",
    response_model=list[ServiceEntry],
    responses={
        200: {"content": {"application/json": {"example": examples.SERVICES}}},
        **error_responses(),
    },
)
async def services(engine: EngineDep) -> list[ServiceEntry]:
    """The service catalogue (protocols §2): code, area, and labels in Spanish and English."""
    return list(engine.rule_base.catalogue.services)


@router.get(
    "/institutions",
    response_model=list[Institution],
    responses={
        200: {"content": {"application/json": {"example": [examples.INSTITUTION]}}},
        **error_responses(422),
    },
)
async def institutions(
    network: NetworkDep,
    service: Annotated[
        str | None, Query(description="A service code of the catalogue, e.g. HUM_FOOD_AID.")
    ] = None,
    department: Annotated[
        str | None, Query(description="DIVIPOLA code of the department, e.g. 54.")
    ] = None,
    municipality: Annotated[
        str | None, Query(description="DIVIPOLA code of the municipality, e.g. 54001.")
    ] = None,
) -> list[Institution]:
    """Partner institutions, filtered by service offered and by where they are located."""
    _check_filters(network, service, department, municipality)
    return network.institutions_for(service, department, municipality)


def _check_filters(
    network: Network, service: str | None, department: str | None, municipality: str | None
) -> None:
    """Refuse a filter that names nothing, instead of answering an empty list that would read
    as 'no institution offers this'."""
    if service is not None and service not in network.services:
        raise UnknownFilterError("service", N_("error.invalid_request.service_filter"))
    for parameter, code, length, key in (
        ("department", department, 2, N_("error.invalid_request.department_filter")),
        ("municipality", municipality, 5, N_("error.invalid_request.municipality_filter")),
    ):
        if code is not None and not (
            len(code) == length and code.isdigit() and code[:2] in DEPARTMENTS
        ):
            raise UnknownFilterError(parameter, key)


@router.get(
    "/institutions/{institution_id}",
    response_model=Institution,
    responses={
        200: {"content": {"application/json": {"example": examples.INSTITUTION}}},
        **error_responses(404, 422),
    },
)
async def institution(institution_id: str, network: NetworkDep) -> Institution:
    """One partner institution: services, area served, contact, hours and weekly capacity."""
    found = network.institutions.get(institution_id)
    if found is None:
        raise NotFoundError(N_("error.not_found.institution"), identifier=institution_id)
    return found
