"""What auditors use: where the network leaves a service uncovered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..deps import NetworkDep

router = APIRouter(prefix="/v1", tags=["auditors"])


@router.get("/network/gaps")
async def gaps(network: NetworkDep) -> list[dict[str, Any]]:
    """For every department and service, the best level reachable and the distance."""
    return [
        {
            "department": g.department,
            "service": g.service,
            "level": g.level.name.lower(),
            "distance_km": g.distance_km,
            "institution_id": g.institution_id,
        }
        for g in network.gaps()
    ]
