"""Cases and closed-loop referrals, for caseworkers.

A caseworker opens a case for a returnee, asks for roadmaps on it (each kept as a receipt that
can be replayed), records the person's consents, refers them and follows each referral until it
closes. Caseworkers see their own office's cases only; every read of a case is logged. Changes
carry the record's ETag back as ``If-Match``, so no one overwrites someone else's change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status
from starlette.concurrency import run_in_threadpool

from engine import parse_profile
from store import (
    Identity,
    InvalidFieldError,
    Principal,
    referral_policy,
)
from texts import both

from ..auth import require
from ..case_schemas import (
    CASE_REQUEST,
    CONSENT,
    EXPORT,
    RECEIPT,
    REFERRAL,
    CaseListOut,
    CaseOut,
    CaseRecommendationOut,
    CaseRecommendationRequest,
    CaseRequest,
    ConsentOut,
    ConsentRequest,
    ProfileChangeRequest,
    ReceiptOut,
    ReferralOut,
    ReferralRequest,
    ReplayOut,
    TransitionRequest,
)
from ..cases import check_referral, recommend_on_case, replay
from ..deps import EngineDep, StateDep, StoreDep
from ..errors import NoOfficeError
from ..preconditions import IfMatch, if_match_revision
from ..schemas import SEQUENCE_MAX, error_responses

router = APIRouter(prefix="/v1", tags=["cases"])

Opener = Annotated[Principal, Depends(require("open_cases"))]
Reader = Annotated[Principal, Depends(require("read_cases"))]
Editor = Annotated[Principal, Depends(require("edit_cases"))]
Referrer = Annotated[Principal, Depends(require("refer"))]
Exporter = Annotated[Principal, Depends(require("export_case_data"))]
Eraser = Annotated[Principal, Depends(require("erase_identities"))]


#: A receipt's number within its case, as the receipts listing gives it.
ReceiptNumber = Annotated[int, Path(ge=1, le=SEQUENCE_MAX, description="The receipt's number.")]


def _example(example: Any, schema: dict[str, Any] | None = None) -> dict[int | str, Any]:
    """The documented 200 answer: ``example`` (and ``schema``, where there is no model)."""
    media: dict[str, Any] = {"example": example}
    if schema is not None:
        media["schema"] = schema
    return {200: {"content": {"application/json": media}}}


def _office(person: Principal) -> None:
    if person.role != "admin" and not person.office:
        raise NoOfficeError()


# -- cases ------------------------------------------------------------------------------------


@router.post(
    "/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses=error_responses(422),
    openapi_extra={"requestBody": {"content": {"application/json": {"example": CASE_REQUEST}}}},
)
async def open_case(
    body: CaseRequest, state: StateDep, person: Opener, response: Response
) -> dict[str, Any]:
    """Open a case for a returnee: the profile the rules read, and their identity (name,
    document, phone), encrypted at rest and shown only to the office. The case gets a
    pseudonymous id; its office is the caseworker's own."""
    _office(person)
    parse_profile(body.profile)  # an invalid profile is refused (422), naming each field
    office = person.office if person.role != "admin" else body.office
    if office is None or office not in {o.id for o in state.network.data.offices}:
        raise InvalidFieldError("office", *both("error.case_office_required"))
    info = await run_in_threadpool(
        lambda: state.store.cases.open(
            office=office,
            profile=body.profile,
            person=Identity(body.person.name, body.person.document_number, body.person.phone),
            reader=person,
        )
    )
    response.headers["Location"] = f"/v1/cases/{info.id}"
    response.headers["ETag"] = info.etag
    return info.to_json()


@router.get("/cases", response_model=CaseListOut, responses=error_responses())
async def cases(
    state: StateDep,
    person: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        str | None, Query(max_length=32, description="A case id: older ones.")
    ] = None,
) -> dict[str, Any]:
    """The office's cases, newest first, without identities (listing is not reading a case)."""
    _office(person)
    found = await run_in_threadpool(
        lambda: state.store.cases.listing(person, limit=limit, before=before)
    )
    return {
        "cases": [c.to_json() for c in found],
        "next": found[-1].id if len(found) == limit else None,
    }


@router.get("/cases/{case_id}", response_model=CaseOut, responses=error_responses(404))
async def case(case_id: str, state: StateDep, person: Reader, response: Response) -> dict[str, Any]:
    """A case with the person's identity and the history of its profile. The read is
    logged (who, when, which case)."""
    _office(person)
    info = await run_in_threadpool(state.store.cases.read, case_id, person, "read_case")
    response.headers["ETag"] = info.etag
    return info.to_json()


@router.put(
    "/cases/{case_id}/profile",
    response_model=CaseOut,
    responses=error_responses(404, 412, 422, 428),
)
async def change_profile(
    case_id: str,
    body: ProfileChangeRequest,
    state: StateDep,
    person: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Replace the case's profile (its history keeps every earlier one)."""
    _office(person)
    parse_profile(body.profile)  # an invalid profile is refused (422) whatever If-Match says
    revision = if_match_revision(case_id, if_match, "case")
    info = await run_in_threadpool(
        lambda: state.store.cases.change_profile(
            case_id, body.profile, revision=revision, reader=person
        )
    )
    response.headers["ETag"] = info.etag
    return info.to_json()


@router.get(
    "/cases/{case_id}/export",
    responses={**_example(EXPORT, {"type": "object"}), **error_responses(404)},
)
async def export_case(case_id: str, store: StoreDep, person: Exporter) -> dict[str, Any]:
    """Right of access (Ley 1581 de 2012): everything Ruta holds about the person of the
    case — identity, profile history, roadmaps, consents, referrals, and who read the case."""
    _office(person)
    return await run_in_threadpool(store.export_case, case_id, person)


@router.delete("/cases/{case_id}/person", response_model=CaseOut, responses=error_responses(404))
async def erase_person(case_id: str, store: StoreDep, person: Eraser) -> dict[str, Any]:
    """Right of suppression: the person's identity is erased for good. The profile,
    roadmaps and referrals stay under the pseudonymous id, for anonymous statistics."""
    return (await run_in_threadpool(store.cases.erase, case_id, person)).to_json()


# -- roadmaps and receipts --------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/recommendations",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseRecommendationOut,
    responses=error_responses(404, 422, 503),
)
async def recommend_case(
    case_id: str,
    body: CaseRecommendationRequest,
    state: StateDep,
    engine: EngineDep,
    person: Editor,
    response: Response,
) -> dict[str, Any]:
    """The roadmap for the case's profile, as for `POST /v1/recommendations`, kept as a
    receipt (profile, day, rule-base version, network version, answer): the answer's
    `receipt` is its number within the case."""
    _office(person)
    info = await run_in_threadpool(state.store.cases.touch, case_id, person, "recommend")
    answer, receipt = await recommend_on_case(
        state, engine, info, person, body.as_of, body.lang, body.targets_per_service
    )
    response.headers["Location"] = f"/v1/cases/{info.id}/receipts/{receipt.number}"
    return {**answer, "receipt": receipt.number}


@router.get(
    "/cases/{case_id}/receipts",
    response_model=list[ReceiptOut],
    responses={**_example([RECEIPT]), **error_responses(404)},
)
async def receipts(case_id: str, store: StoreDep, person: Reader) -> list[dict[str, Any]]:
    """Every roadmap given on the case, oldest first."""
    _office(person)
    return [r.to_json() for r in await run_in_threadpool(store.cases.receipts, case_id, person)]


@router.get(
    "/cases/{case_id}/receipts/{number}",
    response_model=ReceiptOut,
    responses=error_responses(404),
)
async def receipt(
    case_id: str, number: ReceiptNumber, store: StoreDep, person: Reader
) -> dict[str, Any]:
    """One roadmap as it was given."""
    _office(person)
    found = await run_in_threadpool(store.cases.receipt, case_id, number, person, "read_receipt")
    return found.to_json()


@router.post(
    "/cases/{case_id}/receipts/{number}/replay",
    response_model=ReplayOut,
    responses=error_responses(404, 503),
)
async def replay_receipt(
    case_id: str,
    number: ReceiptNumber,
    state: StateDep,
    engine: EngineDep,
    person: Reader,
    lang: Annotated[str, Query(pattern="^(es|en)$")] = "es",
) -> dict[str, Any]:
    """Evaluate a receipt again with the rule-base version it was given with, whatever has
    been published since: `same` says whether the decision agrees (referral targets, which
    follow today's network and capacity, are not compared)."""
    _office(person)
    found = await run_in_threadpool(
        state.store.cases.receipt, case_id, number, person, "replay_receipt"
    )
    return await replay(state, engine, found, lang)


# -- consents ---------------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentOut,
    responses=error_responses(404, 422),
)
async def record_consent(
    case_id: str, body: ConsentRequest, state: StateDep, person: Editor
) -> dict[str, Any]:
    """The person gives (`given: true`) or withdraws (`given: false`) consent to share their
    data with an institution. Sending a referral needs it; a withdrawal stops new sends."""
    _office(person)
    if body.institution_id not in state.network.institutions:
        raise InvalidFieldError("institution_id", *both("error.invalid_request.no_institution"))
    info = await run_in_threadpool(
        lambda: state.store.cases.record_consent(
            case_id, body.institution_id, given=body.given, reader=person
        )
    )
    return info.to_json()


@router.get(
    "/cases/{case_id}/consents",
    response_model=list[ConsentOut],
    responses={**_example([CONSENT]), **error_responses(404)},
)
async def consents(case_id: str, store: StoreDep, person: Reader) -> list[dict[str, Any]]:
    """Every consent given or withdrawn on the case, oldest first."""
    _office(person)
    return [c.to_json() for c in await run_in_threadpool(store.cases.consents, case_id, person)]


# -- referrals --------------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    responses=error_responses(404, 409, 422),
)
async def refer(
    case_id: str, body: ReferralRequest, state: StateDep, person: Referrer, response: Response
) -> dict[str, Any]:
    """Propose a referral of the case to an institution, for a service the case's latest
    roadmap recommends; it starts `proposed` (send it with a transition to `sent`)."""
    _office(person)
    info = await run_in_threadpool(
        lambda: state.store.referrals.propose(
            case_id,
            reader=person,
            service=body.service,
            institution_id=body.institution_id,
            check=lambda latest: check_referral(state, latest, body.service, body.institution_id),
        )
    )
    response.headers["Location"] = f"/v1/referrals/{info.id}"
    response.headers["ETag"] = info.etag
    return info.to_json()


@router.get(
    "/cases/{case_id}/referrals",
    response_model=list[ReferralOut],
    responses={**_example([REFERRAL]), **error_responses(404)},
)
async def case_referrals(case_id: str, store: StoreDep, person: Reader) -> list[dict[str, Any]]:
    """The case's referrals, oldest first, each with its steps."""
    _office(person)
    return [r.to_json() for r in await run_in_threadpool(store.referrals.of_case, case_id, person)]


@router.get("/referrals/{referral_id}", response_model=ReferralOut, responses=error_responses(404))
async def referral(
    referral_id: str, store: StoreDep, person: Reader, response: Response
) -> dict[str, Any]:
    """A referral: its status, the statuses it may move to, and every step so far."""
    _office(person)
    info = await run_in_threadpool(store.referrals.get, referral_id, person)
    response.headers["ETag"] = info.etag
    return info.to_json()


@router.post(
    "/referrals/{referral_id}/transitions",
    response_model=ReferralOut,
    responses=error_responses(404, 409, 412, 422, 428),
)
async def move_referral(
    referral_id: str,
    body: TransitionRequest,
    state: StateDep,
    person: Referrer,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Move a referral on: `proposed → sent → accepted | rejected → attended | not_attended →
    closed`, or `cancelled` while open. Rejection and not-attended need a `reason` from
    `GET /v1/referral-lifecycle`; `sent` needs the person's consent for the institution. A move
    the status does not allow is 409, naming the ones it does."""
    _office(person)
    revision = if_match_revision(referral_id, if_match, "referral")
    info = await run_in_threadpool(
        lambda: state.store.referrals.move(
            referral_id,
            reader=person,
            to=body.to,
            reason=body.reason,
            note=body.note,
            revision=revision,
        )
    )
    # The week's capacity is counted again at once, so this process's next answers see it.
    await run_in_threadpool(state.count_occupancy)
    response.headers["ETag"] = info.etag
    return info.to_json()


def _lifecycle() -> dict[str, Any]:
    policy = referral_policy()
    return {
        "start": policy.start,
        "statuses": {
            name: {"label": labels, "to": list(policy.allowed(name)), "open": name in policy.open}
            for name, labels in policy.labels.items()
        },
        "reasons": policy.reasons,
        "reason_required": sorted(policy.reason_required),
        "needs_consent": sorted(policy.needs_consent),
    }


@router.get(
    "/referral-lifecycle",
    responses={**_example(_lifecycle(), {"type": "object"}), **error_responses()},
)
async def lifecycle(_: Reader) -> dict[str, Any]:
    """The statuses of a referral with their names, the moves each allows, and the reasons
    a rejection, a missed appointment or a cancellation may give (policy data)."""
    return _lifecycle()
