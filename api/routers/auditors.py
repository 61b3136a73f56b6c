"""What auditors use: where the network leaves a service uncovered."""

from __future__ import annotations

from fastapi import APIRouter

from .. import examples
from ..deps import NetworkDep
from ..schemas import CoverageGap, error_responses

router = APIRouter(prefix="/v1", tags=["auditors"])


@router.get(
    "/network/gaps",
    response_model=list[CoverageGap],
    responses={
        200: {"content": {"application/json": {"example": examples.GAPS}}},
        **error_responses(),
    },
)
async def gaps(network: NetworkDep) -> list[CoverageGap]:
    """For every department and every service of the catalogue, the best level a returnee
    living in the department's capital can be referred at (municipality, department,
    national, neighbouring department, or none) and how far that provider is."""
    return [
        CoverageGap.model_validate(
            {
                "department": g.department,
                "service": g.service,
                "level": g.level.name.lower(),
                "distance_km": g.distance_km,
                "institution_id": g.institution_id,
            }
        )
        for g in network.gaps()
    ]
