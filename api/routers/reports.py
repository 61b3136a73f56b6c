"""Referral reports and the access log: statistics with no identity in them, for offices,
policy staff and auditors; and, for auditors, who read which case."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from store import DIMENSIONS, Principal

from ..auth import require
from ..deps import StoreDep
from ..moments import Moment, day_start
from ..schemas import SEQUENCE_MAX, Day, error_responses

router = APIRouter(prefix="/v1", tags=["reports"])

ReportReader = Annotated[Principal, Depends(require("read_reports"))]
LogReader = Annotated[Principal, Depends(require("read_access_log"))]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
By = Annotated[
    str,
    Query(
        max_length=120,
        description=f"Comma-separated dimensions to group by: {', '.join(DIMENSIONS)}.",
    ),
]
Since = Annotated[Day | None, Query(description="Referrals made on or after this day.")]
Until = Annotated[Day | None, Query(description="Referrals made before this day.")]

_CSV_EXAMPLE = "office,service,referrals\noam-cucuta,HUM_FOOD_AID,12\n"


def _answer(rows: list[dict[str, Any]], fmt: str) -> Any:
    if fmt == "json":
        return {"rows": rows}
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {"rows": [{"office": "oam-cucuta", "referrals": 12}]},
            },
            "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
        }
    },
    **error_responses(422),
}


@router.get("/reports/referrals", responses=_RESPONSES)
async def referral_counts(
    store: StoreDep,
    _: ReportReader,
    by: By = "office,status",
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> Any:
    """How many referrals, grouped by office, department (of the person), area, service,
    institution, status or month."""
    rows = await run_in_threadpool(
        lambda: store.reports.counts(by.split(","), since=day_start(since), until=day_start(until))
    )
    return _answer(rows, format)


@router.get("/reports/outcomes", responses=_RESPONSES)
async def outcomes(
    store: StoreDep,
    _: ReportReader,
    by: By = "office",
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> Any:
    """Per group: referrals sent, accepted and rejected, the acceptance rate, attended and
    not attended, and the days from sending to attendance (median and mean)."""
    rows = await run_in_threadpool(
        lambda: store.reports.outcomes(
            by.split(","), since=day_start(since), until=day_start(until)
        )
    )
    return _answer(rows, format)


@router.get("/reports/open-referrals", responses=_RESPONSES)
async def open_referrals(
    store: StoreDep,
    _: ReportReader,
    older_than_days: Annotated[int, Query(ge=0, le=3650)] = 14,
    format: Format = "json",
) -> Any:
    """Open referrals (proposed, sent, accepted) whose last step is older than N days,
    oldest first: where referrals get stuck."""
    rows = await run_in_threadpool(store.reports.stale, older_than_days)
    return _answer(rows, format)


@router.get(
    "/access-log",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "entries": [
                            {
                                "seq": 1,
                                "at": "2026-12-02T10:00:00+00:00",
                                "actor": "carla",
                                "role": "caseworker",
                                "case_id": "9f1c2a7b3d4e5f60",
                                "action": "read_case",
                            }
                        ],
                        "next_after": None,
                    },
                }
            }
        },
        **error_responses(422),
    },
)
async def access_log(
    store: StoreDep,
    _: LogReader,
    case: Annotated[str | None, Query(max_length=32)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[
        Moment | None, Query(description="ISO 8601; UTC when no time zone is given.")
    ] = None,
    until: Annotated[Moment | None, Query()] = None,
    after: Annotated[int, Query(ge=0, le=SEQUENCE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Every read of a case (Ley 1581 de 2012): who, when, which case (by its pseudonymous
    id), and what for; oldest first. Never an identity."""
    entries = await run_in_threadpool(
        lambda: store.access_log.entries(
            case_id=case, actor=actor, since=since, until=until, after=after, limit=limit
        )
    )
    return {
        "entries": [e.to_json() for e in entries],
        "next_after": entries[-1].seq if len(entries) == limit else None,
    }
