"""What caseworkers use: recommendations for a returnee, services and institutions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

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
