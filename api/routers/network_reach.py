"""How far the partner network carries each service the protocols in service recommend, per
department: the matrix behind the auditors' heatmap, with no audit to run first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from audit import network_reach
from network import Level

from ..auth import require
from ..deps import EngineDep, NetworkDep
from ..schemas import error_responses

__all__ = ["REACH", "ReachOut", "router"]

router = APIRouter(prefix="/v1", tags=["auditors"], dependencies=[Depends(require("read_network"))])

REACH: list[dict[str, Any]] = [
    {
        "department": "05",
        "department_name": "Antioquia",
        "service": "EDU_SCHOOL_ENROLLMENT",
        "level": "municipality",
        "distance_km": 0.0,
        "institution_id": "centro-integrate-medellin",
    },
    {
        "department": "05",
        "department_name": "Antioquia",
        "service": "HUM_FOOD_AID",
        "level": "department",
        "distance_km": 0.0,
        "institution_id": "pastoral-social-medellin",
    },
]


class ReachOut(BaseModel):
    """The best level at which a returnee living in the department's capital can be referred
    for a service some rule in service recommends: municipality, department, national,
    neighbour (over land), nearest (as the crow flies) or none; and how far that provider is."""

    model_config = ConfigDict(json_schema_extra={"examples": [REACH[0]]})

    department: str
    department_name: str
    service: str
    #: The network's levels (``network.Level``), lower-case: one list, so a new level is served.
    level: str = Field(json_schema_extra={"enum": [level.name.lower() for level in Level]})
    distance_km: float | None
    institution_id: str | None


@router.get(
    "/network/reach",
    response_model=list[ReachOut],
    responses={
        200: {"content": {"application/json": {"example": REACH}}},
        **error_responses(),
    },
)
async def reach(engine: EngineDep, network: NetworkDep) -> list[dict[str, Any]]:
    """For every department and every service some rule of the version in service can
    recommend, the best level the network reaches from the department's capital, with the
    department's name: the network section of an audit report (`GET /v1/audits/{id}`), for
    the rule base in service, without running an audit."""
    found = await run_in_threadpool(network_reach, engine.rule_base, network)
    return [r.as_json() for r in found]
