"""Referrals: a case sent to an institution for a service, followed until it closes.

Every referral starts ``proposed`` and moves only as ``referrals.yaml`` allows (see
:mod:`store.lifecycle`); each move records who, when and, where the policy asks for one, why.
Sending shares the person's data, so it needs their consent for that institution, and a
withdrawn consent stops new sends. Referrals sent or accepted this ISO week use up the
institution's weekly capacity (:meth:`Referrals.occupancy`). Every change counts the referral's
revision up (its ETag): a move based on an older revision is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from texts import both, text

from .access_log import record_access
from .cases import Cases, ReceiptInfo, consent_given, scope_of
from .database import Database
from .errors import (
    ConsentRequiredError,
    InvalidFieldError,
    InvalidTransitionError,
    NotFoundError,
    PreconditionFailedError,
)
from .lifecycle import ReferralPolicy, referral_policy
from .models import ReferralEventRow, ReferralRow, utc_now
from .people import Principal

__all__ = ["ReferralInfo", "ReferralStep", "Referrals", "iso_week_start", "referrals_of"]


@dataclass(frozen=True)
class ReferralStep:
    """One move of a referral."""

    from_status: str | None
    to_status: str
    reason: str | None
    note: str | None
    actor: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_status,
            "to": self.to_status,
            "reason": self.reason,
            "note": self.note,
            "by": self.actor,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True)
class ReferralInfo:
    """A referral, where it stands, what it may move to, and every step so far."""

    id: str
    case_id: str
    office: str
    department: str
    service: str
    area: str
    institution_id: str
    receipt_number: int
    status: str
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    steps: tuple[ReferralStep, ...]

    @property
    def etag(self) -> str:
        return f'"{self.id}.{self.revision}"'

    def to_json(self) -> dict[str, Any]:
        policy = referral_policy()
        return {
            "id": self.id,
            "case_id": self.case_id,
            "office": self.office,
            "department": self.department,
            "service": self.service,
            "area": self.area,
            "institution_id": self.institution_id,
            "receipt": self.receipt_number,
            "status": self.status,
            "status_label": {
                "es": policy.label(self.status, "es"),
                "en": policy.label(self.status, "en"),
            },
            "allowed": list(policy.allowed(self.status)),
            "revision": self.revision,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "steps": [step.to_json() for step in self.steps],
        }


def iso_week_start(moment: datetime) -> datetime:
    """Monday 00:00 (UTC) of ``moment``'s ISO week: capacity is counted per ISO week."""
    day = moment.date() - timedelta(days=moment.isoweekday() - 1)
    return datetime(day.year, day.month, day.day, tzinfo=moment.tzinfo)


class Referrals:
    """Referrals and their steps in the store."""

    def __init__(self, database: Database, cases: Cases) -> None:
        self.db = database
        self.cases = cases

    @property
    def policy(self) -> ReferralPolicy:
        return referral_policy()

    def propose(
        self,
        case_id: str,
        *,
        reader: Principal,
        service: str,
        institution_id: str,
        check: Callable[[ReceiptInfo | None], str],
    ) -> ReferralInfo:
        """A new referral of the case, ``proposed``, made from the case's latest roadmap:
        ``check`` is given that receipt (or ``None``) and answers the service's area, or raises
        when the roadmap does not recommend the service or the institution does not offer it.
        The check, the proposal and its entry in the access log are one unit of work: a
        refused proposal leaves nothing behind."""
        with self.db.write() as session:
            case = self.cases.row(session, case_id, scope_of(reader), lock=True)
            latest = self.cases.latest_receipt(session, case.id)
            area = check(latest)
            assert latest is not None, "check() refuses a case without a roadmap"
            record_access(session, reader, case.id, "refer")
            now = utc_now()
            row = ReferralRow(
                id=secrets.token_hex(8),
                case_id=case.id,
                office=case.office,
                department=str(latest.profile.get("department", "")),
                service=service,
                area=area,
                institution_id=institution_id,
                receipt_number=latest.number,
                status=self.policy.start,
                revision=1,
                created_by=reader.name,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(
                ReferralEventRow(
                    referral_id=row.id,
                    from_status=None,
                    to_status=row.status,
                    actor=reader.name,
                    at=now,
                )
            )
            session.flush()
            return _info(session, row)

    def get(self, referral_id: str, reader: Principal) -> ReferralInfo:
        with self.db.write() as session:
            row = self._row(session, referral_id, reader)
            record_access(session, reader, row.case_id, "read_referral")
            return _info(session, row)

    def of_case(self, case_id: str, reader: Principal) -> list[ReferralInfo]:
        with self.db.write() as session:
            case = self.cases.row(session, case_id, scope_of(reader))
            record_access(session, reader, case.id, "list_referrals")
            return referrals_of(session, case.id)

    def move(
        self,
        referral_id: str,
        *,
        reader: Principal,
        to: str,
        reason: str | None,
        note: str | None,
        revision: int,
    ) -> ReferralInfo:
        """Move the referral to status ``to``, if its policy allows it and ``revision`` is
        still the referral's revision."""
        policy = self.policy
        with self.db.write() as session:
            row = self._row(session, referral_id, reader, lock=True)
            if row.revision != revision:
                raise PreconditionFailedError(
                    text(
                        "store.referral_changed",
                        "en",
                        referral=row.id,
                        revision=row.revision,
                        status=row.status,
                    ),
                    text(
                        "store.referral_changed",
                        "es",
                        referral=row.id,
                        revision=row.revision,
                        status=policy.label(row.status, "es"),
                    ),
                )
            allowed = policy.allowed(row.status)
            if to not in allowed:
                raise _impossible(policy, row.status, to, allowed)
            _check_reason(policy, to, reason)
            if to in policy.needs_consent and not consent_given(
                session, row.case_id, row.institution_id
            ):
                raise ConsentRequiredError(
                    *both("store.consent_required", institution=row.institution_id)
                )
            record_access(session, reader, row.case_id, f"referral_{to}")
            now = utc_now()
            session.add(
                ReferralEventRow(
                    referral_id=row.id,
                    from_status=row.status,
                    to_status=to,
                    reason=reason,
                    note=note,
                    actor=reader.name,
                    at=now,
                )
            )
            row.status, row.revision, row.updated_at = to, row.revision + 1, now
            if to == "sent":
                row.sent_at = now
            session.flush()
            return _info(session, row)

    def occupancy(self, now: datetime | None = None) -> dict[str, int]:
        """Per institution, its referrals sent this ISO week that are still sent or accepted
        (a referral rejected or cancelled gives its place back)."""
        start = iso_week_start(now or utc_now())
        query = (
            select(ReferralRow.institution_id, func.count())
            .where(
                ReferralRow.sent_at >= start,
                ReferralRow.sent_at < start + timedelta(days=7),
                ReferralRow.status.in_(sorted(self.policy.holds_capacity)),
            )
            .group_by(ReferralRow.institution_id)
        )
        with self.db.read() as session:
            return {institution: int(count) for institution, count in session.execute(query)}

    def stamp(self) -> int:
        """A number that changes whenever any referral moves (to know when to count again)."""
        with self.db.read() as session:
            found = session.execute(select(func.max(ReferralEventRow.id))).scalar_one()
            return int(found or 0)

    def _row(
        self, session: Session, referral_id: str, reader: Principal, lock: bool = False
    ) -> ReferralRow:
        query = select(ReferralRow).where(ReferralRow.id == referral_id[:32])
        if lock:
            query = self.db.lock(session, query)
        row = session.scalars(query).one_or_none()
        scope = scope_of(reader)
        if row is None or (scope is not None and row.office != scope):
            raise NotFoundError(*both("store.no_referral", id=referral_id[:32]))
        return row


def referrals_of(session: Session, case_id: str) -> list[ReferralInfo]:
    rows = session.scalars(
        select(ReferralRow)
        .where(ReferralRow.case_id == case_id)
        .order_by(ReferralRow.created_at, ReferralRow.id)
    )
    return [_info(session, row) for row in rows]


def _info(session: Session, row: ReferralRow) -> ReferralInfo:
    steps = session.scalars(
        select(ReferralEventRow)
        .where(ReferralEventRow.referral_id == row.id)
        .order_by(ReferralEventRow.id)
    )
    return ReferralInfo(
        id=row.id,
        case_id=row.case_id,
        office=row.office,
        department=row.department,
        service=row.service,
        area=row.area,
        institution_id=row.institution_id,
        receipt_number=row.receipt_number,
        status=row.status,
        revision=row.revision,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        steps=tuple(
            ReferralStep(s.from_status, s.to_status, s.reason, s.note, s.actor, s.at) for s in steps
        ),
    )


def _impossible(
    policy: ReferralPolicy, status: str, to: str, allowed: tuple[str, ...]
) -> InvalidTransitionError:
    if allowed:
        return InvalidTransitionError(
            text(
                "store.referral_cannot_become",
                "en",
                status=status,
                to=to,
                allowed=", ".join(allowed),
            ),
            text(
                "store.referral_cannot_become",
                "es",
                status=policy.label(status, "es"),
                to=policy.label(to, "es") if to in policy.labels else to,
                allowed=", ".join(policy.label(a, "es") for a in allowed),
            ),
            allowed,
        )
    return InvalidTransitionError(
        text("store.referral_finished", "en", status=status),
        text("store.referral_finished", "es", status=policy.label(status, "es")),
        allowed,
    )


def _check_reason(policy: ReferralPolicy, to: str, reason: str | None) -> None:
    reasons = policy.reasons.get(to, {})
    if reason is None:
        if to in policy.reason_required:
            raise InvalidFieldError(
                "reason",
                text("store.reason_required", "en", to=to, reasons=", ".join(reasons)),
                text(
                    "store.reason_required",
                    "es",
                    to=policy.label(to, "es"),
                    reasons=", ".join(reasons),
                ),
            )
        return
    if reason not in reasons:
        english, spanish = (
            ", ".join(reasons) if reasons else text("store.no_reasons", language)
            for language in ("en", "es")
        )
        raise InvalidFieldError(
            "reason",
            text("store.not_a_reason", "en", to=to, reasons=english),
            text("store.not_a_reason", "es", to=policy.label(to, "es"), reasons=spanish),
        )
