"""Audits for auditors: a rule-base version checked by a suite of cases, in the background.

``POST /v1/audits`` runs what ``ruta audit report`` runs (the suite, its coverage, its mutation
score, the verification of the version with the auditors' requirements, and the network's
reach) and answers at once with the audit's id; ``GET /v1/audits/{id}`` tells its stage and,
when done, gives the report as JSON; ``GET /v1/audits/{id}/report.html`` gives the one-page
report that opens offline, in Spanish and English.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from starlette.concurrency import run_in_threadpool

from audit import shown_first
from store import AuditInfo, Principal

from ..audit_schemas import AUDIT_REQUEST, AuditListOut, AuditOut, AuditRequest
from ..audits import start_audit
from ..auth import require
from ..deps import StateDep, StoreDep
from ..errors import AuditNotReadyError
from ..schemas import error_responses

router = APIRouter(prefix="/v1", tags=["auditors"])

Auditor = Annotated[Principal, Depends(require("audit"))]


def _out(info: AuditInfo) -> dict[str, Any]:
    body = info.to_json()
    body["report_html"] = f"/v1/audits/{info.id}/report.html" if info.status == "done" else None
    return body


@router.post(
    "/audits",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AuditOut,
    responses=error_responses(404),
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"example": AUDIT_REQUEST}},
        }
    },
)
async def request_audit(
    asked: AuditRequest, state: StateDep, person: Auditor, response: Response
) -> dict[str, Any]:
    """Audit a rule-base version (the published one unless `rule_base` names another) with a
    suite: the service's protocol cases (`cases: true`) or YAML case files sent by name
    (`files`). The suite and the requirements are read at once (a fault names its file and
    line, 422); the audit then runs in the background: `GET /v1/audits/{id}` gives its stage
    and, when done, the report."""
    info = await start_audit(state, asked, person.name)
    response.headers["Location"] = f"/v1/audits/{info.id}"
    return _out(info)


@router.get("/audits", response_model=AuditListOut, responses=error_responses())
async def audits(
    store: StoreDep,
    _: Auditor,
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> dict[str, Any]:
    """The latest audits, newest first, with their status (results: GET each one)."""
    found = await run_in_threadpool(store.audits.list, limit)
    return {"audits": [_out(info) for info in found]}


@router.get("/audits/{audit_id}", response_model=AuditOut, responses=error_responses(404))
async def audit(audit_id: str, store: StoreDep, _: Auditor) -> dict[str, Any]:
    """An audit's status and stage; when done, its report as JSON (suite, coverage,
    mutation, verification, network: the shape of `ruta audit report --json`)."""
    return _out(await run_in_threadpool(store.audits.get, audit_id))


@router.get(
    "/audits/{audit_id}/report.html",
    response_class=Response,
    responses={
        200: {
            "description": "One self-contained HTML page (inline style, no outside assets).",
            "content": {
                "text/html": {
                    "schema": {"type": "string"},
                    "example": '<!DOCTYPE html><html lang="es">…</html>',
                }
            },
        },
        **error_responses(404, 409),
    },
)
async def audit_report_page(
    audit_id: str,
    store: StoreDep,
    _: Auditor,
    lang: Annotated[
        Literal["es", "en"], Query(description="The language the page opens in.")
    ] = "es",
) -> Response:
    """The audit's report as one self-contained HTML page (no outside assets; it opens
    offline), in Spanish and English (`lang` is the one shown first). 409 until the audit is
    done."""
    info, page = await run_in_threadpool(store.audits.report_html, audit_id)
    if info.status != "done" or page is None:
        raise AuditNotReadyError(info.status)
    return Response(
        shown_first(page, lang),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="audit-{info.id}.html"'},
    )
