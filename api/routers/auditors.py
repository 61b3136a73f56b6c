"""What auditors use: where the network leaves a service uncovered, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from store import Principal
from texts import N_

from .. import examples
from ..auth import require
from ..deps import NetworkDep, StoreDep
from ..errors import UnknownFilterError
from ..moments import read_moment
from ..policy_schemas import TrailOut, TrailVerificationOut
from ..schemas import SEQUENCE_MAX, CoverageGap, error_responses

router = APIRouter(prefix="/v1", tags=["auditors"], dependencies=[Depends(require("read_network"))])


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
    national, neighbouring department, nearest department as the crow flies once the land
    borders run out, or none) and how far that provider is."""
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


TrailReader = Annotated[Principal, Depends(require("read_trail"))]
#: A moment with its time zone: 2026-12-01T10:00:00-05:00 or 2026-12-01T15:00Z.
_MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"


def _moment(parameter: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return read_moment(text)
    except ValueError:
        raise UnknownFilterError(parameter, N_("error.invalid_request.moment_filter")) from None


@router.get("/audit-trail", response_model=TrailOut, responses=error_responses(422))
async def audit_trail(
    store: StoreDep,
    _: TrailReader,
    since: Annotated[
        str | None,
        Query(pattern=_MOMENT, description="From this moment: ISO 8601 with its time zone."),
    ] = None,
    until: Annotated[
        str | None, Query(pattern=_MOMENT, description="Before this moment (same form).")
    ] = None,
    actor: Annotated[str | None, Query(max_length=64, description="Who acted.")] = None,
    rule: Annotated[str | None, Query(max_length=40, description="Events about this rule.")] = None,
    action: Annotated[str | None, Query(max_length=40, description="e.g. published.")] = None,
    after: Annotated[int, Query(ge=0, le=SEQUENCE_MAX, description="Events after this one.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit trail, oldest first: every draft, edit (with its diff), submission,
    approval, publication, rollback, and token created or revoked — who, when, what and why.
    Each event carries the hash of the one before it (`GET /v1/audit-trail/verification` and
    `ruta audit verify-trail` check the chain)."""
    start, end = _moment("since", since), _moment("until", until)
    events = await run_in_threadpool(
        lambda: store.trail(
            since=start,
            until=end,
            actor=actor,
            rule_id=rule,
            action=action,
            after=after,
            limit=limit,
        )
    )
    return {
        "events": [e.to_json() for e in events],
        "next_after": events[-1].seq if len(events) == limit else None,
    }


@router.get(
    "/audit-trail/verification",
    response_model=TrailVerificationOut,
    responses=error_responses(),
)
async def audit_trail_verification(store: StoreDep, _: TrailReader) -> dict[str, Any]:
    """Recompute the audit trail's hash chain from its first event, changing nothing: whether
    every event is as it was written and follows the one before, and, if not, the number of the
    first event altered, removed or inserted behind the service's back (and why, in English
    and Spanish). The same check as `ruta audit verify-trail`; record the `head` it gives
    elsewhere to detect a chain rewritten from the start."""

    def verify() -> dict[str, Any]:
        verdict = store.verify_trail()
        last_whole = store.trail(after=verdict.events - 1, limit=1) if verdict.events else []
        return {
            "ok": verdict.ok,
            "events": verdict.events,
            "broken_at": verdict.broken_at,
            "message": verdict.message,
            "message_es": verdict.message_es,
            "head": last_whole[-1].hash if last_whole else None,
        }

    return await run_in_threadpool(verify)
