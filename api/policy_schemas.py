"""Request and response bodies of the rule-base governance endpoints (versions, drafts,
simulations, publication) and of the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import policy_examples as ex

__all__ = [
    "DiffOut",
    "DraftCreate",
    "DraftOut",
    "PublicationOut",
    "PublishDraft",
    "Rollback",
    "SendBack",
    "SimulationOut",
    "SimulationRequest",
    "SyntheticPopulation",
    "TrailEventOut",
    "TrailOut",
    "TrailVerificationOut",
    "VersionDetail",
    "VersionList",
    "VersionOut",
]

_HASH = r"^[0-9a-f]{7,64}$"


class VersionOut(BaseModel):
    """A rule-base version: immutable, named by the SHA-256 of its content."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.VERSION]})

    hash: str
    version: str = Field(description="The version label, e.g. 2026.11.1.")
    parent: str | None = Field(description="The version it was drafted from.")
    author: str
    created_at: str
    message: str
    draft_id: str | None
    published: bool = Field(description="Whether this is the version in service.")


class PublicationOut(BaseModel):
    """One publication: a version put in service (publish, rollback, or the first seed)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.PUBLICATION]})

    seq: int
    hash: str
    kind: Literal["seed", "publish", "rollback"]
    actor: str
    at: str
    reason: str | None
    override_reason: str | None = Field(
        description="Why it was published although protocol cases failed."
    )
    draft_id: str | None


class VersionList(BaseModel):
    """Every version, the one in service, and the history of publications."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.VERSION_LIST]})

    published: str = Field(description="The hash of the version in service.")
    versions: list[VersionOut] = Field(description="Newest first.")
    publications: list[PublicationOut] = Field(description="Newest first.")


class VersionDetail(VersionOut):
    """A version with its content: manifest, catalogue and rules by file."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.VERSION_DETAIL]})

    manifest: dict[str, Any]
    catalogue: dict[str, Any]
    files: dict[str, Any] = Field(description="Rule file name → its content (`rules: [...]`).")


class DraftCreate(BaseModel):
    """Start a draft from the published version or from any version."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"examples": [ex.DRAFT_CREATE]},
    )

    source: str = Field(
        "published",
        alias="from",
        pattern=r"^(published|[0-9a-f]{7,64})$",
        description="`published`, or the hash of a version.",
    )
    message: str = Field(min_length=1, max_length=2000, description="What the change is for.")


class DraftOut(BaseModel):
    """A draft and where it stands: open → submitted → approved → published (or withdrawn)."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [ex.DRAFT_OUT]})

    id: str
    source: str = Field(alias="from", description="The version it was made from.")
    revision: int = Field(description="Counted up by every edit; the ETag names it.")
    status: Literal["open", "submitted", "approved", "published", "withdrawn"]
    author: str
    editors: list[str]
    message: str
    created_at: str
    updated_at: str
    submitted_by: str | None
    approved_by: str | None
    version: str | None = Field(description="The version approval froze, once approved.")


class SendBack(BaseModel):
    """Why a submitted draft goes back to its authors."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "cite the 2026 decree in P01's legal basis"}]},
    )

    reason: str = Field(min_length=1, max_length=2000)


class PublishDraft(BaseModel):
    """Publish an approved draft; ``override_reason`` is needed if protocol cases fail."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"override_reason": "the 2026 decree"}]}
    )

    override_reason: str | None = Field(None, min_length=1, max_length=2000)


class Rollback(BaseModel):
    """Publish an earlier version again."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "published too early: the decree waits"}]},
    )

    reason: str = Field(min_length=1, max_length=2000)
    expected: str | None = Field(
        None,
        pattern=_HASH,
        description="The hash you believe is in service; refused (409) if another"
        " publication came first.",
    )


class SyntheticPopulation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(ge=1, description="How many profiles.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="The same seed, the same people.")


class SimulationRequest(BaseModel):
    """The population to simulate over: exactly one of ``profiles``, ``cases`` or
    ``synthetic`` (or send CSV with the batch columns instead of JSON)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [ex.SIMULATION_REQUEST]},
    )

    profiles: list[dict[str, Any]] | None = None
    cases: bool | None = Field(None, description="true: the protocol test cases.")
    synthetic: SyntheticPopulation | None = None
    as_of: date | None = Field(None, description="The day to apply the protocols for.")


class ChangeOut(BaseModel):
    path: str
    old: Any = None
    new: Any = None


class DiffOut(BaseModel):
    """What changed between two rule bases, rule by rule, as paths inside each rule."""

    model_config = ConfigDict(
        extra="allow", populate_by_name=True, json_schema_extra={"examples": [ex.DIFF]}
    )

    source: str | None = Field(None, alias="from")
    to: str | None = None
    rules: dict[str, Any]
    catalogue: Any = None
    manifest: Any = None


class SimulationOut(BaseModel):
    """A simulation: queued, running (with progress), done (with its result) or failed."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.SIMULATION]})

    id: str
    draft_id: str
    draft_revision: int
    before: str = Field(description="The published version it compares against.")
    after: str = Field(description="The draft's content hash.")
    source: str
    status: Literal["queued", "running", "done", "failed"]
    progress: dict[str, int]
    created_by: str
    created_at: str
    finished_at: str | None
    result: dict[str, Any] | None = Field(
        description="profiles, changed, services (gained, lost, priority_up, priority_down,"
        " by_department, examples), broken_cases."
    )
    error: dict[str, str] | None


class TrailEventOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    rule_ids: list[str]
    reason: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class TrailVerificationOut(BaseModel):
    """The audit trail's hash chain recomputed from its first event: whether it is whole and,
    if not, the first event where it breaks (altered, removed or inserted) and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.TRAIL_VERIFICATION]})

    ok: bool = Field(description="Whether every event is as written and follows the one before.")
    events: int = Field(description="How many events were found whole before any break.")
    broken_at: int | None = Field(description="The number of the first broken event, if any.")
    message: str = Field(description="Why the chain breaks there (English); empty if whole.")
    message_es: str = Field(description="The same, in Spanish.")
    head: str | None = Field(
        description="The hash of the last whole event: record it elsewhere to detect a chain"
        " rewritten from the start."
    )


class TrailOut(BaseModel):
    """Events of the audit trail, oldest first, a page at a time."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.TRAIL]})

    events: list[TrailEventOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")
