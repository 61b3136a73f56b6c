"""What policy staff use: the rules in service and the profile vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from engine import Profile

from ..deps import EngineDep

router = APIRouter(prefix="/v1", tags=["policy staff"])


@router.get("/rules")
async def rules(engine: EngineDep) -> list[dict[str, Any]]:
    """Every rule in service, as written."""
    return [r.model_dump(mode="json", by_alias=True) for r in engine.rule_base.rules]


@router.get("/rules/{rule_id}")
async def rule(rule_id: str, engine: EngineDep) -> dict[str, Any]:
    found = engine.rule_base.rules_by_id.get(rule_id)
    if found is None:
        raise HTTPException(404, f"no rule with id '{rule_id}'")
    return found.model_dump(mode="json", by_alias=True)


@router.get("/profile-schema")
async def profile_schema() -> dict[str, Any]:
    """JSON Schema of the profile with Spanish and English labels, to build intake forms."""
    return Profile.model_json_schema()
