"""Cases: a returnee at an office, their profile and its history, the roadmaps given to them
(receipts), their consents, and their rights over their data (Ley 1581 de 2012).

A case is known by a pseudonymous id. The person's identity is encrypted (see
:mod:`store.identity`) and read only by the office's caseworkers and administrators; every read
of a case is written to the access log in the same transaction as the read, so no read goes
unrecorded. A caseworker sees only their office's cases: a case of another office is answered
as if it did not exist. Every change counts the case's revision up (its ETag): a change based
on an older revision is refused.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from texts import both

from .access_log import record_access
from .database import Database
from .errors import NotFoundError, PreconditionFailedError
from .identity import Identity, IdentityCipher
from .models import (
    CaseProfileRow,
    CaseRow,
    ConsentRow,
    ReceiptRow,
    utc_now,
)
from .people import Principal

__all__ = [
    "CaseInfo",
    "Cases",
    "ConsentInfo",
    "ProfileChange",
    "ReceiptInfo",
    "Scope",
    "consent_events",
    "consent_given",
    "receipt_info",
    "scope_of",
]

#: Which offices' cases a person may see: one office, or ``None`` for every office.
Scope = str | None


def scope_of(person: Principal) -> Scope:
    """A caseworker sees their office's cases; an administrator sees every office's."""
    return None if person.role == "admin" else (person.office or "")


@dataclass(frozen=True)
class ProfileChange:
    revision: int
    profile: dict[str, Any]
    changed_by: str
    changed_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "profile": self.profile,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat(),
        }


@dataclass(frozen=True)
class CaseInfo:
    """A case as its office sees it; ``person`` is ``None`` once erased (or when the reader
    may not see identities)."""

    id: str
    office: str
    revision: int
    profile: dict[str, Any]
    person: Identity | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None
    history: tuple[ProfileChange, ...] = ()

    @property
    def etag(self) -> str:
        return f'"{self.id}.{self.revision}"'

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "office": self.office,
            "revision": self.revision,
            "profile": self.profile,
            "person": self.person.to_json() if self.person else None,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "erased_at": self.erased_at.isoformat() if self.erased_at else None,
            "history": [change.to_json() for change in self.history],
        }


@dataclass(frozen=True)
class ReceiptInfo:
    """A roadmap as it was given: what it was computed from and what it said."""

    case_id: str
    number: int
    profile: dict[str, Any]
    as_of: date
    rule_base_hash: str
    network_version: str
    answer: dict[str, Any]
    created_by: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "number": self.number,
            "profile": self.profile,
            "as_of": self.as_of.isoformat(),
            "rule_base": self.rule_base_hash,
            "network_version": self.network_version,
            "answer": self.answer,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ConsentInfo:
    """One consent event: given (or withdrawn) for one institution, by whom, when."""

    institution_id: str
    given: bool
    actor: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "given": self.given,
            "recorded_by": self.actor,
            "at": self.at.isoformat(),
        }


class Cases:
    """Cases, receipts and consents in the store."""

    def __init__(self, database: Database, cipher: IdentityCipher | None) -> None:
        self.db = database
        self._cipher = cipher

    @property
    def cipher(self) -> IdentityCipher:
        if self._cipher is None:
            self._cipher = IdentityCipher([])  # raises: no key configured
        return self._cipher

    # -- cases --------------------------------------------------------------------------------

    def open(
        self, *, office: str, profile: dict[str, Any], person: Identity, reader: Principal
    ) -> CaseInfo:
        """A new case at ``office``; ``person`` is sealed before it reaches the database. The
        opening is the access log's first entry for the case."""
        sealed = self.cipher.seal(person)
        now = utc_now()
        with self.db.write() as session:
            row = CaseRow(
                id=secrets.token_hex(8),
                office=office,
                revision=1,
                profile=_dump(profile),
                identity=sealed,
                created_by=reader.name,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()  # the case first: its history refers to it
            session.add(
                CaseProfileRow(
                    case_id=row.id,
                    revision=1,
                    profile=row.profile,
                    changed_by=reader.name,
                    changed_at=now,
                )
            )
            record_access(session, reader, row.id, "open")
            session.flush()
            return self.info(row, person, ())

    def read(self, case_id: str, reader: Principal, action: str) -> CaseInfo:
        """The case with its identity and profile history; the read is logged."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader))
            record_access(session, reader, row.id, action)
            history = self.history(session, row.id)
            person = self.cipher.open(row.identity) if row.identity else None
            return self.info(row, person, history)

    def touch(self, case_id: str, reader: Principal, action: str) -> CaseInfo:
        """The case without its identity (for an action on it), the read logged."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader))
            record_access(session, reader, row.id, action)
            return self.info(row, None, ())

    def listing(
        self, reader: Principal, *, limit: int = 50, before: str | None = None
    ) -> list[CaseInfo]:
        """The latest cases the reader may see, newest first, without identities (a listing
        is not a read of anyone's case)."""
        scope = scope_of(reader)
        with self.db.read() as session:
            query = select(CaseRow).order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
            if scope is not None:
                query = query.where(CaseRow.office == scope)
            if before is not None:
                anchor = session.get(CaseRow, before)
                if anchor is not None:
                    query = query.where(
                        (CaseRow.created_at < anchor.created_at)
                        | ((CaseRow.created_at == anchor.created_at) & (CaseRow.id < anchor.id))
                    )
            return [self.info(row, None, ()) for row in session.scalars(query.limit(limit))]

    def change_profile(
        self,
        case_id: str,
        profile: dict[str, Any],
        *,
        revision: int,
        reader: Principal,
    ) -> CaseInfo:
        """Replace the case's profile, if ``revision`` is still the case's revision."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader), lock=True)
            _expect(row, revision)
            record_access(session, reader, row.id, "change_profile")
            row.revision += 1
            row.profile = _dump(profile)
            row.updated_at = utc_now()
            session.add(
                CaseProfileRow(
                    case_id=row.id,
                    revision=row.revision,
                    profile=row.profile,
                    changed_by=reader.name,
                    changed_at=row.updated_at,
                )
            )
            session.flush()
            return self.info(row, None, self.history(session, row.id))

    def erase(self, case_id: str, reader: Principal) -> CaseInfo:
        """The right of suppression: the identity is erased for good. The profile, receipts
        and referrals stay, under the pseudonymous id, for anonymous statistics."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader), lock=True)
            record_access(session, reader, row.id, "erase")
            if row.identity is not None:
                row.identity = None
                row.erased_at, row.erased_by = utc_now(), reader.name
                row.revision += 1
                row.updated_at = row.erased_at
            return self.info(row, None, ())

    # -- receipts -----------------------------------------------------------------------------

    def add_receipt(
        self,
        case_id: str,
        *,
        reader: Principal,
        profile: dict[str, Any],
        as_of: date,
        rule_base_hash: str,
        network_version: str,
        answer: dict[str, Any],
    ) -> ReceiptInfo:
        """Keep a roadmap given on the case, numbered 1, 2, … within the case. The read of the
        profile it was computed from is the one logged (:meth:`touch`, action ``recommend``):
        one request, one entry in the access log."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader), lock=True)
            number = 1 + int(
                session.execute(
                    select(func.coalesce(func.max(ReceiptRow.number), 0)).where(
                        ReceiptRow.case_id == row.id
                    )
                ).scalar_one()
            )
            receipt = ReceiptRow(
                case_id=row.id,
                number=number,
                profile=_dump(profile),
                as_of=as_of.isoformat(),
                rule_base_hash=rule_base_hash,
                network_version=network_version,
                answer=_dump(answer),
                created_by=reader.name,
                created_at=utc_now(),
            )
            session.add(receipt)
            session.flush()
            return receipt_info(receipt)

    def receipt(self, case_id: str, number: int, reader: Principal, action: str) -> ReceiptInfo:
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader))
            record_access(session, reader, row.id, action)
            found = session.scalars(
                select(ReceiptRow).where(ReceiptRow.case_id == row.id, ReceiptRow.number == number)
            ).one_or_none()
            if found is None:
                raise NotFoundError(*both("store.no_receipt", id="/".join((case_id, str(number)))))
            return receipt_info(found)

    def receipts(self, case_id: str, reader: Principal) -> list[ReceiptInfo]:
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader))
            record_access(session, reader, row.id, "list_receipts")
            return [receipt_info(r) for r in self.receipt_rows(session, row.id)]

    # -- consents -----------------------------------------------------------------------------

    def record_consent(
        self, case_id: str, institution_id: str, *, given: bool, reader: Principal
    ) -> ConsentInfo:
        """The person gives (or withdraws) consent to share their data with an institution."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader), lock=True)
            record_access(session, reader, row.id, "consent" if given else "withdraw_consent")
            event = ConsentRow(
                case_id=row.id,
                institution_id=institution_id,
                given=given,
                actor=reader.name,
                at=utc_now(),
            )
            session.add(event)
            session.flush()
            return ConsentInfo(event.institution_id, event.given, event.actor, event.at)

    def consents(self, case_id: str, reader: Principal) -> list[ConsentInfo]:
        """Every consent event of the case, oldest first."""
        with self.db.write() as session:
            row = self.row(session, case_id, scope_of(reader))
            record_access(session, reader, row.id, "list_consents")
            return consent_events(session, row.id)

    # -- helpers ------------------------------------------------------------------------------

    def row(self, session: Session, case_id: str, scope: Scope, lock: bool = False) -> CaseRow:
        """The case ``case_id`` if ``scope`` may see it (locked for update if asked)."""
        query = select(CaseRow).where(CaseRow.id == case_id[:32])
        if lock:
            query = self.db.lock(session, query)
        row = session.scalars(query).one_or_none()
        if row is None or (scope is not None and row.office != scope):
            raise NotFoundError(*both("store.no_case", id=case_id[:32]))
        return row

    @staticmethod
    def history(session: Session, case_id: str) -> tuple[ProfileChange, ...]:
        rows = session.scalars(
            select(CaseProfileRow)
            .where(CaseProfileRow.case_id == case_id)
            .order_by(CaseProfileRow.revision)
        )
        return tuple(
            ProfileChange(r.revision, json.loads(r.profile), r.changed_by, r.changed_at)
            for r in rows
        )

    @staticmethod
    def latest_receipt(session: Session, case_id: str) -> ReceiptInfo | None:
        found = session.scalars(
            select(ReceiptRow)
            .where(ReceiptRow.case_id == case_id)
            .order_by(ReceiptRow.number.desc())
            .limit(1)
        ).one_or_none()
        return receipt_info(found) if found is not None else None

    @staticmethod
    def receipt_rows(session: Session, case_id: str) -> list[ReceiptRow]:
        return list(
            session.scalars(
                select(ReceiptRow).where(ReceiptRow.case_id == case_id).order_by(ReceiptRow.number)
            )
        )

    @staticmethod
    def info(row: CaseRow, person: Identity | None, history: tuple[ProfileChange, ...]) -> CaseInfo:
        return CaseInfo(
            id=row.id,
            office=row.office,
            revision=row.revision,
            profile=json.loads(row.profile),
            person=person,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            erased_at=row.erased_at,
            history=history,
        )


def consent_events(session: Session, case_id: str) -> list[ConsentInfo]:
    rows = session.scalars(
        select(ConsentRow).where(ConsentRow.case_id == case_id).order_by(ConsentRow.id)
    )
    return [ConsentInfo(r.institution_id, r.given, r.actor, r.at) for r in rows]


def consent_given(session: Session, case_id: str, institution_id: str) -> bool:
    """Whether the latest consent event of the case for the institution gives consent."""
    latest = session.scalars(
        select(ConsentRow)
        .where(ConsentRow.case_id == case_id, ConsentRow.institution_id == institution_id)
        .order_by(ConsentRow.id.desc())
        .limit(1)
    ).one_or_none()
    return latest is not None and latest.given


def _expect(row: CaseRow, revision: int) -> None:
    if row.revision != revision:
        raise PreconditionFailedError(
            *both("store.case_changed", case=row.id, revision=row.revision)
        )


def receipt_info(row: ReceiptRow) -> ReceiptInfo:
    return ReceiptInfo(
        case_id=row.case_id,
        number=row.number,
        profile=json.loads(row.profile),
        as_of=date.fromisoformat(row.as_of),
        rule_base_hash=row.rule_base_hash,
        network_version=row.network_version,
        answer=json.loads(row.answer),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
