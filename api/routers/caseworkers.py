"""What caseworkers use: recommendations for a returnee, services and institutions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from engine import ProfileError

from ..batch import batch_csv
from ..deps import EngineDep, NetworkDep
from ..recommend import recommend
from ..schemas import RecommendationRequest, RecommendationResponse

router = APIRouter(prefix="/v1", tags=["caseworkers"])


@router.post("/recommendations", response_model=RecommendationResponse)
async def recommendations(
    body: RecommendationRequest, engine: EngineDep, network: NetworkDep
) -> RecommendationResponse:
    """The roadmap for one returnee: services in order, why, and where to refer them."""
    return await run_in_threadpool(
        recommend,
        engine,
        network,
        body.profile,
        body.as_of,
        body.lang,
        body.targets_per_service,
    )


@router.post(
    "/recommendations/batch",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/RecommendationRequest"},
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
async def recommendations_batch(
    request: Request, engine: EngineDep, network: NetworkDep, lang: str = "es"
) -> Response:
    """Many profiles at once: a JSON array of request bodies (answers in the same order, an
    error object where a profile is invalid), or a CSV upload answered as CSV."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("text/csv"):
        text = await run_in_threadpool(batch_csv, engine, body.decode("utf-8-sig"), lang)
        return Response(text, media_type="text/csv")
    try:
        items = TypeAdapter(list[RecommendationRequest]).validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_input=False)) from None

    def run_all() -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        for item in items:
            try:
                answers.append(
                    recommend(
                        engine,
                        network,
                        item.profile,
                        item.as_of,
                        item.lang,
                        item.targets_per_service,
                    ).model_dump(mode="json")
                )
            except ProfileError as error:
                answers.append(
                    {
                        "error": {
                            "code": "invalid_profile",
                            "problems": [
                                {"field": p.field, "message": p.message, "message_es": p.message_es}
                                for p in error.problems
                            ],
                        }
                    }
                )
        return answers

    return JSONResponse(await run_in_threadpool(run_all))


@router.get("/services")
async def services(engine: EngineDep) -> list[dict[str, Any]]:
    """The service catalogue, with labels in Spanish and English."""
    return [
        {"code": s.code, "area": s.area.value, "label": s.label.model_dump()}
        for s in engine.rule_base.catalogue.services
    ]


@router.get("/institutions")
async def institutions(
    network: NetworkDep,
    service: str | None = None,
    department: str | None = None,
    municipality: str | None = None,
) -> list[dict[str, Any]]:
    """Partner institutions, filtered by service offered and by where they are."""
    return [
        i.model_dump(mode="json")
        for i in network.institutions_for(service, department, municipality)
    ]


@router.get("/institutions/{institution_id}")
async def institution(institution_id: str, network: NetworkDep) -> dict[str, Any]:
    found = network.institutions.get(institution_id)
    if found is None:
        raise HTTPException(404, f"no institution with id '{institution_id}'")
    return found.model_dump(mode="json")
