"""The store as one object: the database, and what Ruta keeps in it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from . import people, trail
from .access_log import AccessLog
from .audits import Audits
from .cases import Cases
from .database import Database, database_url
from .identity import IdentityCipher
from .people import Principal, UserInfo
from .referral_store import Referrals
from .reports import Reports
from .rights import export_case
from .rule_bases import RuleBases
from .simulations import Simulations
from .trail import TrailEvent, TrailVerdict

__all__ = ["BOOTSTRAP_ADMIN", "Store"]

#: The administrator created on the first start of an empty store.
BOOTSTRAP_ADMIN = "admin"


class Store:
    """People and tokens, rule-base versions and drafts, simulations, audits, and the audit
    trail."""

    def __init__(
        self,
        url: str | None = None,
        *,
        data_dir: Path | None = None,
        schema: str | None = None,
        cipher: IdentityCipher | None = None,
    ) -> None:
        self.db = Database(database_url(url, data_dir or Path(".")), schema=schema)
        self.rule_bases = RuleBases(self.db)
        self.simulations = Simulations(self.db)
        self.audits = Audits(self.db)
        self.cases = Cases(self.db, cipher)
        self.referrals = Referrals(self.db, self.cases)
        self.access_log = AccessLog(self.db)
        self.reports = Reports(self.db)

    def export_case(self, case_id: str, reader: Principal) -> dict[str, Any]:
        """Everything held about the person of a case (right of access); the read is logged."""
        return export_case(self.cases, case_id, reader)

    def upgrade(self) -> None:
        """Bring the schema up to date (see :meth:`Database.upgrade`)."""
        self.db.upgrade()

    def close(self) -> None:
        self.db.close()

    # -- people -------------------------------------------------------------------------------

    def bootstrap_admin(self) -> str | None:
        """On a store with nobody in it, create the administrator and return its token (to be
        shown once); otherwise ``None``."""
        try:
            with self.db.write() as session:
                if people.count_users(session) > 0:
                    return None
                return people.add_user(session, BOOTSTRAP_ADMIN, "admin", by="ruta")
        except IntegrityError:  # another process created it at the same moment
            return None

    def add_user(
        self,
        name: str,
        role: str,
        *,
        by: str,
        expires_at: datetime | None = None,
        office: str | None = None,
    ) -> str:
        with self.db.write() as session:
            return people.add_user(session, name, role, by=by, expires_at=expires_at, office=office)

    def issue_token(self, name: str, *, by: str, expires_at: datetime | None = None) -> str:
        with self.db.write() as session:
            return people.issue_token(session, name, by=by, expires_at=expires_at)

    def revoke(self, name: str, *, by: str, prefix: str | None = None) -> int:
        with self.db.write() as session:
            return people.revoke(session, name, by=by, prefix=prefix)

    def users(self) -> list[UserInfo]:
        with self.db.read() as session:
            return people.list_users(session)

    def authenticate(self, token: str) -> Principal | None:
        with self.db.read() as session:
            return people.authenticate(session, token)

    # -- the audit trail ----------------------------------------------------------------------

    def trail(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        rule_id: str | None = None,
        action: str | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> list[TrailEvent]:
        with self.db.read() as session:
            return trail.events(
                session,
                since=since,
                until=until,
                actor=actor,
                rule_id=rule_id,
                action=action,
                after=after,
                limit=limit,
            )

    def verify_trail(self) -> TrailVerdict:
        with self.db.read() as session:
            return trail.verify(session)
