"""What caseworkers send and get back for cases, receipts, consents and referrals."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from . import examples
from .schemas import Day, Language, ProfileBody, RecommendationResponse

__all__ = [
    "CASE",
    "CASE_REQUEST",
    "CONSENT",
    "EXPORT",
    "RECEIPT",
    "REFERRAL",
    "CaseListOut",
    "CaseOut",
    "CaseRecommendationOut",
    "CaseRecommendationRequest",
    "CaseRequest",
    "ConsentOut",
    "ConsentRequest",
    "PersonIn",
    "ProfileChangeRequest",
    "ReceiptOut",
    "ReferralOut",
    "ReferralRequest",
    "ReplayOut",
    "TransitionRequest",
]

_PROFILE: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
    "has_funds": False,
}

CASE_REQUEST: dict[str, Any] = {
    "profile": _PROFILE,
    "person": {"name": "María Pérez", "document_number": "CC 1.234.567", "phone": "3001234567"},
}

CASE: dict[str, Any] = {
    "id": "9f1c2a7b3d4e5f60",
    "office": "oam-cucuta",
    "revision": 1,
    "profile": _PROFILE,
    "person": CASE_REQUEST["person"],
    "created_by": "carla",
    "created_at": "2026-12-02T10:00:00+00:00",
    "updated_at": "2026-12-02T10:00:00+00:00",
    "erased_at": None,
    "history": [
        {
            "revision": 1,
            "profile": _PROFILE,
            "changed_by": "carla",
            "changed_at": "2026-12-02T10:00:00+00:00",
        }
    ],
}

REFERRAL: dict[str, Any] = {
    "id": "0b7e6d5c4a3f2e1d",
    "case_id": "9f1c2a7b3d4e5f60",
    "office": "oam-cucuta",
    "department": "54",
    "service": "HUM_FOOD_AID",
    "area": "humanitarian",
    "institution_id": "icbf-cucuta",
    "receipt": 1,
    "status": "proposed",
    "status_label": {"es": "propuesta", "en": "proposed"},
    "allowed": ["sent", "cancelled"],
    "revision": 1,
    "created_by": "carla",
    "created_at": "2026-12-02T10:05:00+00:00",
    "updated_at": "2026-12-02T10:05:00+00:00",
    "sent_at": None,
    "steps": [
        {
            "from": None,
            "to": "proposed",
            "reason": None,
            "note": None,
            "by": "carla",
            "at": "2026-12-02T10:05:00+00:00",
        }
    ],
}


RECEIPT: dict[str, Any] = {
    "case_id": CASE["id"],
    "number": 1,
    "profile": _PROFILE,
    "as_of": "2026-12-02",
    "rule_base": "3b8f0c1d…",
    "network_version": "2026.11 (a1b2c3d4e5f6)",
    "answer": {"services": ["…"], "suppressed": []},
    "created_by": "carla",
    "created_at": "2026-12-02T10:01:00+00:00",
}

CONSENT: dict[str, Any] = {
    "institution_id": "icbf-cucuta",
    "given": True,
    "recorded_by": "carla",
    "at": "2026-12-02T10:04:00+00:00",
}

#: What GET /v1/cases/{id}/export answers: everything held about the person.
EXPORT: dict[str, Any] = {
    "case": CASE,
    "receipts": [RECEIPT],
    "consents": [CONSENT],
    "referrals": [REFERRAL],
    "accesses": [
        {
            "seq": 1,
            "at": "2026-12-02T10:00:00+00:00",
            "actor": "carla",
            "role": "caseworker",
            "case_id": CASE["id"],
            "action": "open",
        },
        {
            "seq": 7,
            "at": "2026-12-02T10:09:00+00:00",
            "actor": "carla",
            "role": "caseworker",
            "case_id": CASE["id"],
            "action": "export",
        },
    ],
}


class PersonIn(BaseModel):
    """Who the case is about. Encrypted at rest, never logged, shown only to the office."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    document_number: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=40)


class CaseRequest(BaseModel):
    """A new case: the returnee's profile and identity (and, for an administrator, the
    office; a caseworker's cases belong to their own office)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CASE_REQUEST]})

    profile: ProfileBody
    person: PersonIn
    office: str | None = Field(
        None, max_length=64, description="The office (administrators only; ids of GET /v1/offices)."
    )


class ProfileChangeRequest(BaseModel):
    """The case's whole new profile (send If-Match with the case's ETag)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"profile": _PROFILE}]}
    )

    profile: ProfileBody


class CaseOut(BaseModel):
    """A case; ``person`` only when the reader may see it, ``null`` once erased."""

    model_config = ConfigDict(json_schema_extra={"examples": [CASE]})

    id: str
    office: str
    revision: int
    profile: dict[str, Any]
    person: dict[str, str | None] | None
    created_by: str
    created_at: str
    updated_at: str
    erased_at: str | None
    history: list[dict[str, Any]]


class CaseListOut(BaseModel):
    """Cases of the reader's office, newest first, without identities."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"cases": [{**CASE, "person": None, "history": []}], "next": None}]
        }
    )

    cases: list[CaseOut]
    next: str | None = Field(description="Pass as `before` for the next page.")


class CaseRecommendationRequest(BaseModel):
    """A roadmap for the case's profile, kept as a receipt."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"lang": "es", "targets_per_service": 3}]}
    )

    as_of: Day | None = Field(None, description="The day whose rules apply (default: today).")
    lang: Language = "es"
    targets_per_service: int = Field(3, ge=0, le=20, strict=True)


class CaseRecommendationOut(RecommendationResponse):
    """The roadmap, as for POST /v1/recommendations, and the number of its receipt."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**examples.RECOMMENDATION_RESPONSE, "receipt": 1}]}
    )

    receipt: int = Field(description="The receipt's number within the case.")


class ReceiptOut(BaseModel):
    """A roadmap as it was given, with what it was computed from."""

    model_config = ConfigDict(json_schema_extra={"examples": [RECEIPT]})

    case_id: str
    number: int
    profile: dict[str, Any]
    as_of: str
    rule_base: str
    network_version: str
    answer: dict[str, Any]
    created_by: str
    created_at: str


class ReplayOut(BaseModel):
    """A receipt evaluated again with the rule-base version it was given with."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"receipt": 1, "rule_base": "3b8f0c1d…", "same": True, "differences": []}]
        }
    )

    receipt: int
    rule_base: str
    same: bool = Field(description="The services, priorities, notes and suppressions agree.")
    differences: list[str]
    answer: dict[str, Any] = Field(description="The answer given now (targets as of today).")


class ConsentRequest(BaseModel):
    """The person's consent (or its withdrawal) to share their data with an institution."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"institution_id": "icbf-cucuta", "given": True}]},
    )

    institution_id: str = Field(min_length=1, max_length=80)
    given: StrictBool = Field(True, description="false withdraws consent.")


class ConsentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CONSENT]})

    institution_id: str
    given: bool
    recorded_by: str
    at: str


class ReferralRequest(BaseModel):
    """Refer the case for a service its latest roadmap recommends, to a chosen institution."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"service": "HUM_FOOD_AID", "institution_id": "icbf-cucuta"}]
        },
    )

    service: str = Field(min_length=1, max_length=64)
    institution_id: str = Field(min_length=1, max_length=80)


class TransitionRequest(BaseModel):
    """Move a referral on (send If-Match with the referral's ETag)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "rejected", "reason": "no_capacity"}]},
    )

    to: str = Field(min_length=1, max_length=16)
    reason: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=2000)


class ReferralOut(BaseModel):
    """A referral: where it stands, what it may become, and every step so far."""

    model_config = ConfigDict(json_schema_extra={"examples": [REFERRAL]})

    id: str
    case_id: str
    office: str
    department: str
    service: str
    area: str
    institution_id: str
    receipt: int
    status: str
    status_label: dict[str, str]
    allowed: list[str]
    revision: int
    created_by: str
    created_at: str
    updated_at: str
    sent_at: str | None
    steps: list[dict[str, Any]]
