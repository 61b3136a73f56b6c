"""Request and response bodies of the HTTP API: the contract caseworker tools are written to."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class RecommendationRequest(BaseModel):
    """A returnee's profile, the day the protocols are applied for, and the reader's language."""

    model_config = ConfigDict(extra="forbid")

    profile: dict[str, Any] = Field(
        examples=[
            {
                "age": 34,
                "department": "54",
                "municipality": "54001",
                "years_abroad": 4,
                "months_since_return": 0.5,
                "return_kind": "deported",
                "has_shelter": False,
            }
        ]
    )
    as_of: date | None = None
    lang: Literal["es", "en"] = "es"
    targets_per_service: int = Field(3, ge=0, le=20)


class TargetOut(BaseModel):
    institution_id: str
    name: str
    municipality: str
    contact: dict[str, str | None]
    reason: str


class ServiceOut(BaseModel):
    code: str
    area: str
    priority: str
    label: str
    rules: list[str]
    notes: list[str]
    legal_basis: list[dict[str, str | None]]
    explanation: list[dict[str, Any]]
    targets: list[TargetOut]


class SuppressedOut(BaseModel):
    code: str
    rules: list[str]


class RuleBaseOut(BaseModel):
    version: str
    hash: str


class NetworkOut(BaseModel):
    version: str


class RecommendationResponse(BaseModel):
    rule_base: RuleBaseOut
    network: NetworkOut
    as_of: date
    services: list[ServiceOut]
    suppressed: list[SuppressedOut]
