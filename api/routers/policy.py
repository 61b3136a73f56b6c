"""What policy staff use: the rules in service and the profile vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from engine.rule_model import Rule
from texts import N_

from .. import examples
from ..auth import require
from ..deps import EngineDep
from ..errors import NotFoundError
from ..schemas import PROFILE_SCHEMA, error_responses

router = APIRouter(
    prefix="/v1", tags=["policy staff"], dependencies=[Depends(require("read_rules"))]
)


@router.get(
    "/rules",
    response_model=list[Rule],
    response_model_by_alias=True,
    responses={
        200: {"content": {"application/json": {"example": [examples.RULE]}}},
        **error_responses(),
    },
)
async def rules(engine: EngineDep) -> list[Rule]:
    """Every rule in service, as written in the rule files (see docs/rule-format.md)."""
    return list(engine.rule_base.rules)


@router.get(
    "/rules/{rule_id}",
    response_model=Rule,
    response_model_by_alias=True,
    responses={
        200: {"content": {"application/json": {"example": examples.RULE}}},
        **error_responses(404, 422),
    },
)
async def rule(rule_id: str, engine: EngineDep) -> Rule:
    """One rule in service: its conditions, effects, legal basis and the days it applies."""
    found = engine.rule_base.rules_by_id.get(rule_id)
    if found is None:
        raise NotFoundError(N_("error.not_found.rule"), identifier=rule_id)
    return found


@router.get(
    "/profile-schema",
    responses={
        200: {
            "description": "A JSON Schema (draft 2020-12); each property has `labels` with"
            " `es` and `en`, and `enum` where the answer is one of a set, with `value_labels`"
            " naming each choice in `es` and `en`.",
            "content": {"application/json": {"example": PROFILE_SCHEMA}},
        },
        **error_responses(),
    },
)
async def profile_schema() -> dict[str, Any]:
    """The JSON Schema of a returnee's profile, with Spanish and English labels for each
    field and each choice: enough to build an intake form that asks exactly what the
    protocols need."""
    return PROFILE_SCHEMA
