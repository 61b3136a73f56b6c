"""What policy staff use to change the rules: versions, drafts edited rule by rule, the diff,
simulations, submission, approval, publication and rollback.

Every step needs a role that may take it (``store/access.yaml``) and is an event of the audit
trail. Edits name the draft revision they were based on (``If-Match`` with the draft's ETag):
two people editing one draft never overwrite each other.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from engine import RuleBaseDocuments, diff_rule_bases
from simulation import broken_cases
from store import DraftInfo, PreconditionFailedError, Principal, VersionInfo
from texts import N_, both

from .. import examples
from .. import policy_examples as ex
from ..auth import require
from ..deps import StateDep, StoreDep
from ..errors import NotFoundError
from ..policy_schemas import (
    DiffOut,
    DraftCreate,
    DraftOut,
    PublicationOut,
    PublishDraft,
    Rollback,
    SendBack,
    SimulationOut,
    SimulationRequest,
    VersionDetail,
    VersionList,
)
from ..preconditions import IfMatch, if_match_revision
from ..schemas import error_responses
from ..simulations import start_simulation

router = APIRouter(prefix="/v1", tags=["policy staff: rule changes"])

Reader = Annotated[Principal, Depends(require("read_versions"))]
Editor = Annotated[Principal, Depends(require("edit_drafts"))]
Submitter = Annotated[Principal, Depends(require("submit_drafts"))]
Approver = Annotated[Principal, Depends(require("approve_drafts"))]
Publisher = Annotated[Principal, Depends(require("publish"))]
Simulator = Annotated[Principal, Depends(require("simulate"))]

_FILE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.yaml$")


def _draft(info: DraftInfo, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = info.etag
    return info.to_json()


def _version(info: VersionInfo) -> dict[str, Any]:
    return info.to_json()


# -- versions ---------------------------------------------------------------------------------


@router.get("/rule-bases", response_model=VersionList, responses=error_responses())
async def versions(store: StoreDep, _: Reader) -> dict[str, Any]:
    """Every version of the rule base, newest first, the one in service, and the history of
    publications (each publish and rollback, with who, when and why)."""
    listed = await run_in_threadpool(store.rule_bases.versions)
    history = await run_in_threadpool(store.rule_bases.publications)
    published = next(v.hash for v in listed if v.published)
    return {
        "published": published,
        "versions": [_version(v) for v in listed],
        "publications": [p.to_json() for p in history],
    }


# -- drafts (declared before /rule-bases/{hash} so that "drafts" is never read as a hash) -----


@router.post(
    "/rule-bases/drafts",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 422),
)
async def create_draft(
    body: DraftCreate, store: StoreDep, person: Editor, response: Response
) -> dict[str, Any]:
    """A new draft, copied from the published version (`"from": "published"`) or from any
    version by its hash; its version label is the next free one (2026.11 → 2026.11.1)."""
    info = await run_in_threadpool(
        lambda: store.rule_bases.create_draft(
            actor=person.name, source=body.source, message=body.message
        )
    )
    response.headers["Location"] = f"/v1/rule-bases/drafts/{info.id}"
    return _draft(info, response)


@router.get(
    "/rule-bases/drafts",
    response_model=list[DraftOut],
    response_model_by_alias=True,
    responses={
        200: {"content": {"application/json": {"example": [ex.DRAFT_OUT]}}},
        **error_responses(422),
    },
)
async def drafts(
    store: StoreDep,
    _: Reader,
    state: Annotated[
        str | None,
        Query(
            alias="status",
            pattern="^(open|submitted|approved|published|withdrawn)$",
            description="Only drafts in this state.",
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """Every draft, newest first."""
    found = await run_in_threadpool(store.rule_bases.drafts, state)
    return [d.to_json() for d in found]


@router.get(
    "/rule-bases/drafts/{draft_id}",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
async def draft(draft_id: str, store: StoreDep, _: Reader, response: Response) -> dict[str, Any]:
    """A draft's state; its ETag names its revision (send it back as If-Match to edit)."""
    return _draft(await run_in_threadpool(store.rule_bases.draft, draft_id), response)


async def _edit(
    store: Any,
    draft_id: str,
    person: Principal,
    if_match: str | None,
    change: Any,
    action: str,
    subject: str,
    rule_ids: tuple[str, ...],
    response: Response,
) -> DraftInfo:
    revision = if_match_revision(draft_id, if_match, "draft")
    info: DraftInfo = await run_in_threadpool(
        lambda: store.rule_bases.edit(
            draft_id,
            actor=person.name,
            revision=revision,
            change=change,
            action=action,
            subject=subject,
            rule_ids=rule_ids,
        )
    )
    response.headers["ETag"] = info.etag
    return info


@router.get(
    "/rule-bases/drafts/{draft_id}/rules/{rule_id}",
    responses={
        200: {"content": {"application/json": {"example": examples.RULE}}},
        **error_responses(404),
    },
)
async def draft_rule(
    draft_id: str, rule_id: str, store: StoreDep, _: Reader, response: Response
) -> dict[str, Any]:
    """One rule of a draft, as written in the rule files (the body a PUT takes back). The
    header `X-Rule-File` names its file."""
    info = await run_in_threadpool(store.rule_bases.draft, draft_id)
    rule = info.documents.rule(rule_id)
    if rule is None:
        raise _no_rule(rule_id, draft_id)
    response.headers["ETag"] = info.etag
    response.headers["X-Rule-File"] = info.documents.rule_file(rule_id) or ""
    return rule


@router.put(
    "/rule-bases/drafts/{draft_id}/rules/{rule_id}",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def put_draft_rule(
    draft_id: str,
    rule_id: str,
    rule: Annotated[dict[str, Any], Body(openapi_examples={"P27": {"value": examples.RULE}})],
    store: StoreDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
    file: Annotated[
        str | None,
        Query(
            pattern=_FILE.pattern,
            description="For a new rule: the rule file to add it to (default: the file of"
            " the rules with the nearest id).",
        ),
    ] = None,
) -> dict[str, Any]:
    """Replace a rule of the draft, or add it: the body is one rule with the same keys as in
    the rule files. The whole rule base is checked before anything is stored; a refused edit
    answers 422 with every problem (path, message in English and Spanish)."""
    if rule.get("id", rule_id) != rule_id:
        raise PreconditionFailedError(*both("error.precondition_failed.rule_id"))
    body = {"id": rule_id, **rule}

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        return documents.with_rule(rule_id, body, file=file)

    info = await _edit(
        store, draft_id, person, if_match, change, "rule_changed", rule_id, (rule_id,), response
    )
    return info.to_json()


@router.delete(
    "/rule-bases/drafts/{draft_id}/rules/{rule_id}",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def delete_draft_rule(
    draft_id: str,
    rule_id: str,
    store: StoreDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Remove a rule from the draft."""

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        if documents.rule(rule_id) is None:
            raise _no_rule(rule_id, draft_id)
        return documents.without_rule(rule_id)

    info = await _edit(
        store, draft_id, person, if_match, change, "rule_removed", rule_id, (rule_id,), response
    )
    return info.to_json()


@router.get(
    "/rule-bases/drafts/{draft_id}/catalogue/{code}",
    responses={
        200: {"content": {"application/json": {"example": examples.SERVICES[0]}}},
        **error_responses(404),
    },
)
async def draft_service(
    draft_id: str, code: str, store: StoreDep, _: Reader, response: Response
) -> dict[str, Any]:
    """One service of the draft's catalogue, as written in catalogue.yaml."""
    info = await run_in_threadpool(store.rule_bases.draft, draft_id)
    entry = _service(info.documents, code)
    if entry is None:
        raise _no_service(code, draft_id)
    response.headers["ETag"] = info.etag
    return entry


@router.put(
    "/rule-bases/drafts/{draft_id}/catalogue/{code}",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def put_draft_service(
    draft_id: str,
    code: str,
    entry: Annotated[
        dict[str, Any], Body(openapi_examples={"service": {"value": examples.SERVICES[0]}})
    ],
    store: StoreDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Replace or add a service of the catalogue (same keys as in catalogue.yaml)."""
    body = {**entry, "code": code}

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        services = list(documents.catalogue.get("services", []))
        for index, existing in enumerate(services):
            if isinstance(existing, dict) and existing.get("code") == code:
                services[index] = body
                break
        else:
            services.append(body)
        return documents.with_catalogue({**documents.catalogue, "services": services})

    info = await _edit(
        store, draft_id, person, if_match, change, "catalogue_changed", code, (), response
    )
    return info.to_json()


@router.delete(
    "/rule-bases/drafts/{draft_id}/catalogue/{code}",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def delete_draft_service(
    draft_id: str,
    code: str,
    store: StoreDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Remove a service from the catalogue (refused while a rule still recommends it)."""

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        if _service(documents, code) is None:
            raise _no_service(code, draft_id)
        services = [
            s
            for s in documents.catalogue.get("services", [])
            if not (isinstance(s, dict) and s.get("code") == code)
        ]
        return documents.with_catalogue({**documents.catalogue, "services": services})

    info = await _edit(
        store, draft_id, person, if_match, change, "catalogue_changed", code, (), response
    )
    return info.to_json()


@router.get(
    "/rule-bases/drafts/{draft_id}/manifest",
    responses={
        200: {"content": {"application/json": {"example": ex.MANIFEST}}},
        **error_responses(404),
    },
)
async def draft_manifest(
    draft_id: str, store: StoreDep, _: Reader, response: Response
) -> dict[str, Any]:
    """The draft's base.yaml: name, version, and the policy that is not a rule (the roadmap's
    order of areas, referral preferences)."""
    info = await run_in_threadpool(store.rule_bases.draft, draft_id)
    response.headers["ETag"] = info.etag
    return dict(info.documents.manifest)


@router.put(
    "/rule-bases/drafts/{draft_id}/manifest",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def put_draft_manifest(
    draft_id: str,
    manifest: Annotated[
        dict[str, Any], Body(openapi_examples={"manifest": {"value": ex.MANIFEST}})
    ],
    store: StoreDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Replace the draft's base.yaml (same keys as in the file)."""

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        return documents.with_manifest(manifest)

    info = await _edit(
        store, draft_id, person, if_match, change, "manifest_changed", "manifest", (), response
    )
    return info.to_json()


@router.get(
    "/rule-bases/drafts/{draft_id}/diff",
    response_model=DiffOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
async def draft_diff(draft_id: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """What the draft changes against the version it was made from: rules added, removed
    and changed, each change a path inside the rule with its old and new value."""

    def work() -> dict[str, Any]:
        info = store.rule_bases.draft(draft_id)
        _, documents = store.rule_bases.version(info.base_hash)
        result: dict[str, Any] = diff_rule_bases(documents, info.documents).to_data()
        return result

    return await run_in_threadpool(work)


@router.post(
    "/rule-bases/drafts/{draft_id}/submit",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
async def submit(
    draft_id: str, store: StoreDep, person: Submitter, response: Response
) -> dict[str, Any]:
    """Send the draft for approval; it cannot be edited until approved or sent back."""
    info = await run_in_threadpool(lambda: store.rule_bases.submit(draft_id, actor=person.name))
    return _draft(info, response)


@router.post(
    "/rule-bases/drafts/{draft_id}/send-back",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409, 422),
)
async def send_back(
    draft_id: str, body: SendBack, store: StoreDep, person: Approver, response: Response
) -> dict[str, Any]:
    """Return a submitted draft to its authors for changes, saying why."""
    info = await run_in_threadpool(
        lambda: store.rule_bases.send_back(draft_id, actor=person.name, reason=body.reason)
    )
    return _draft(info, response)


@router.post(
    "/rule-bases/drafts/{draft_id}/withdraw",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
async def withdraw(
    draft_id: str, store: StoreDep, person: Editor, response: Response
) -> dict[str, Any]:
    """Abandon a draft that was not published."""
    info = await run_in_threadpool(lambda: store.rule_bases.withdraw(draft_id, actor=person.name))
    return _draft(info, response)


@router.post(
    "/rule-bases/drafts/{draft_id}/approve",
    response_model=DraftOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
async def approve(
    draft_id: str, store: StoreDep, person: Approver, response: Response
) -> dict[str, Any]:
    """Approve a submitted draft: its content becomes a new, immutable version. The approver
    must be someone who neither wrote nor edited the draft (403 otherwise)."""
    info = await run_in_threadpool(lambda: store.rule_bases.approve(draft_id, actor=person.name))
    return _draft(info, response)


@router.post(
    "/rule-bases/drafts/{draft_id}/publish",
    response_model=PublicationOut,
    responses=error_responses(404, 409, 422),
)
async def publish_draft(
    draft_id: str,
    state: StateDep,
    person: Publisher,
    body: Annotated[
        PublishDraft | None,
        Body(openapi_examples={"override": {"value": {"override_reason": "the 2026 decree"}}}),
    ] = None,
) -> dict[str, Any]:
    """Put an approved draft's version in service, atomically: requests in flight finish on
    the old version, the next ones use the new. Every protocol case must pass, or
    `override_reason` must say why it is published anyway (the trail keeps it). Refused (409)
    if the version in service changed since the draft was made."""
    store = state.store
    override = body.override_reason if body else None

    def work() -> dict[str, Any]:
        info = store.rule_bases.draft(draft_id)
        rule_base = info.documents.to_rule_base()
        failing = [
            f"{case.file}:{case.line}: {case.name}"
            for case in broken_cases(rule_base, state.cases_dir)
        ]
        publication = store.rule_bases.publish_draft(
            draft_id, actor=person.name, failing_cases=failing, override_reason=override
        )
        state.refresh()
        return publication.to_json()

    return await run_in_threadpool(work)


# -- one version (after the drafts, whose paths start the same way) ------------------------------


@router.get(
    "/rule-bases/{version_hash}",
    response_model=VersionDetail,
    responses=error_responses(404, 422),
)
async def version(version_hash: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """One version with its content: the manifest, the catalogue and the rules by file."""
    info, documents = await run_in_threadpool(store.rule_bases.version, version_hash)
    return {
        **_version(info),
        "manifest": documents.manifest,
        "catalogue": documents.catalogue,
        "files": documents.files,
    }


@router.get(
    "/rule-bases/{version_hash}/export",
    responses={
        200: {
            "description": "The rule files as a ZIP archive (or a JSON object of file name →"
            " YAML text with `?format=json`): unpack it, edit with any editor, and push it back"
            " as a draft with `ruta rules push DIR`.",
            "content": {
                "application/zip": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": "(a ZIP archive of base.yaml, catalogue.yaml and the rule files)",
                },
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"files": {"base.yaml": "name:\n  es: Protocolos…\n"}},
                },
            },
        },
        **error_responses(404, 422),
    },
)
async def export(
    version_hash: str,
    store: StoreDep,
    _: Reader,
    format: Annotated[str, Query(pattern="^(zip|json)$")] = "zip",
) -> Response:
    """A version as its YAML rule files."""
    info, documents = await run_in_threadpool(store.rule_bases.version, version_hash)
    files = documents.to_yaml_files()
    if format == "json":
        return Response(to_json({"files": files}), media_type="application/json")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="rules-{info.label}-{info.hash[:12]}.zip"'
        },
    )


@router.get(
    "/rule-bases/{old}/diff/{new}",
    response_model=DiffOut,
    response_model_by_alias=True,
    responses=error_responses(404, 422),
)
async def versions_diff(old: str, new: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """What changed from one version to another."""

    def work() -> dict[str, Any]:
        _, before = store.rule_bases.version(old)
        _, after = store.rule_bases.version(new)
        result: dict[str, Any] = diff_rule_bases(before, after).to_data()
        return result

    return await run_in_threadpool(work)


@router.post(
    "/rule-bases/{version_hash}/publish",
    response_model=PublicationOut,
    responses=error_responses(404, 409, 422),
)
async def rollback(
    version_hash: str, body: Rollback, state: StateDep, person: Publisher
) -> dict[str, Any]:
    """Publish an earlier version again (a rollback): a new publication, with its reason."""

    def work() -> dict[str, Any]:
        publication = state.store.rule_bases.publish_version(
            version_hash, actor=person.name, reason=body.reason, expected=body.expected
        )
        state.refresh()
        return publication.to_json()

    return await run_in_threadpool(work)


# -- simulations ------------------------------------------------------------------------------


@router.post(
    "/rule-bases/drafts/{draft_id}/simulations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SimulationOut,
    responses=error_responses(404, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/SimulationRequest"},
                    "example": ex.SIMULATION_REQUEST,
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": examples.BATCH_CSV_REQUEST,
                },
            },
        }
    },
)
async def simulate(
    draft_id: str, request: Request, state: StateDep, person: Simulator, response: Response
) -> dict[str, Any]:
    """Run the draft against the published version over a population — profiles sent (JSON,
    or CSV with the batch columns), the protocol cases, or N synthetic profiles with a seed —
    and tell who gains or loses each service, by department, with examples. Answers at once
    with the simulation's id; `GET /v1/simulations/{id}` gives its progress and result."""
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "text/csv":
        asked: SimulationRequest | bytes = body
    else:
        try:
            asked = SimulationRequest.model_validate_json(body or b"{}")
        except ValidationError as error:
            raise RequestValidationError(error.errors(include_input=False)) from None
    info = await start_simulation(state, draft_id, asked, person.name)
    response.headers["Location"] = f"/v1/simulations/{info.id}"
    return info.to_json()


@router.get(
    "/simulations/{simulation_id}", response_model=SimulationOut, responses=error_responses(404)
)
async def simulation(simulation_id: str, store: StoreDep, _: Simulator) -> dict[str, Any]:
    """A simulation's status and progress; when done, its result."""
    return (await run_in_threadpool(store.simulations.get, simulation_id)).to_json()


def _service(documents: RuleBaseDocuments, code: str) -> dict[str, Any] | None:
    for entry in documents.catalogue.get("services", []):
        if isinstance(entry, dict) and entry.get("code") == code:
            return dict(entry)
    return None


def _no_rule(rule_id: str, draft_id: str) -> Exception:
    return NotFoundError(N_("error.not_found.draft_rule"), identifier=rule_id[:40], draft=draft_id)


def _no_service(code: str, draft_id: str) -> Exception:
    return NotFoundError(N_("error.not_found.draft_service"), code=code[:40], draft=draft_id)
