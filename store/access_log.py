"""The access log: who read which case, when, and through what (Ley 1581 de 2012).

A row is added in the same transaction as the read it records, so a read that happened is
always logged, and a logged read always happened. Rows are never changed or removed, not even
when a person's identity is erased: the log names cases by their pseudonymous id only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .database import Database
from .models import AccessRow, utc_now
from .people import Principal

__all__ = ["Access", "AccessLog", "accesses_of", "record_access"]


@dataclass(frozen=True)
class Access:
    seq: int
    at: datetime
    actor: str
    role: str
    case_id: str
    action: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "role": self.role,
            "case_id": self.case_id,
            "action": self.action,
        }


def record_access(session: Session, reader: Principal, case_id: str, action: str) -> None:
    """Log that ``reader`` read case ``case_id`` to do ``action``."""
    session.add(
        AccessRow(at=utc_now(), actor=reader.name, role=reader.role, case_id=case_id, action=action)
    )


def accesses_of(session: Session, case_id: str) -> list[Access]:
    rows = session.scalars(
        select(AccessRow).where(AccessRow.case_id == case_id).order_by(AccessRow.seq)
    )
    return [_access(row) for row in rows]


def _access(row: AccessRow) -> Access:
    return Access(row.seq, row.at, row.actor, row.role, row.case_id, row.action)


class AccessLog:
    """Reading the access log, for auditors."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def entries(
        self,
        *,
        case_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> list[Access]:
        """Entries oldest first, filtered; ``after`` pages on from an entry's ``seq``."""
        query = select(AccessRow).where(AccessRow.seq > after).order_by(AccessRow.seq)
        if case_id is not None:
            query = query.where(AccessRow.case_id == case_id)
        if actor is not None:
            query = query.where(AccessRow.actor == actor)
        if since is not None:
            query = query.where(AccessRow.at >= since)
        if until is not None:
            query = query.where(AccessRow.at < until)
        with self.db.read() as session:
            return [_access(row) for row in session.scalars(query.limit(limit))]
