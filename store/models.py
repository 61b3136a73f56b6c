"""The store's tables: people and tokens, rule-base versions, publications, drafts,
simulations, audits and the audit trail.

Versions and trail events are written once and never updated: a version is identified by the
hash of its content, and each trail event carries the hash of the one before it. What is
published is the last row of ``publications``; ``published_head`` holds it in one row that a
publication locks and compares, so two publications never interleave.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AccessRow",
    "AuditRow",
    "Base",
    "CaseProfileRow",
    "CaseRow",
    "ConsentRow",
    "DraftRow",
    "PublicationRow",
    "PublishedHeadRow",
    "ReceiptRow",
    "ReferralEventRow",
    "ReferralRow",
    "SimulationRow",
    "TokenRow",
    "TrailEventRow",
    "TrailHeadRow",
    "UserRow",
    "VersionRow",
    "utc_now",
]

HASH = 64  # hex SHA-256


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and read back aware of it, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("moments are stored with their time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    """A person who uses Ruta, with one role (caseworker, policy_author, …)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(64))
    #: The office a caseworker works at: they see that office's cases only.
    office: Mapped[str | None] = mapped_column(String(64))


class TokenRow(Base):
    """An API token: only its SHA-256 is kept, with a short prefix to tell tokens apart."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(HASH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class VersionRow(Base):
    """An immutable rule base: its documents as canonical JSON, named by their hash."""

    __tablename__ = "rule_base_versions"

    hash: Mapped[str] = mapped_column(String(HASH), primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    parent_hash: Mapped[str | None] = mapped_column(String(HASH))
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(32))


class PublicationRow(Base):
    """One publication (or rollback): from this moment, this version answers."""

    __tablename__ = "publications"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hash: Mapped[str] = mapped_column(ForeignKey("rule_base_versions.hash"))
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(32))


class PublishedHeadRow(Base):
    """The one row naming the version in service; a publication locks and replaces it."""

    __tablename__ = "published_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH))


class DraftRow(Base):
    """A rule base being edited: its documents, a revision counted up by every edit, and its
    place in the approval workflow (open → submitted → approved → published)."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    base_hash: Mapped[str] = mapped_column(String(HASH))
    content: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String(64))
    editors: Mapped[str] = mapped_column(Text)  # JSON list of names
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version_hash: Mapped[str | None] = mapped_column(String(HASH))


class SimulationRow(Base):
    """A simulation of a draft against the published version over a population."""

    __tablename__ = "simulations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    draft_revision: Mapped[int] = mapped_column(Integer)
    before_hash: Mapped[str] = mapped_column(String(HASH))
    after_hash: Mapped[str] = mapped_column(String(HASH))
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """An audit an auditor asked the service for: which version, which suite, how far it got,
    and the report (its JSON and its one-page HTML). The suite's cases are not kept: only their
    count and file names."""

    __tablename__ = "audits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule_base_hash: Mapped[str] = mapped_column(String(HASH))
    suite: Mapped[str] = mapped_column(String(16))
    suite_files: Mapped[str] = mapped_column(Text)
    cases: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)
    report_html: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrailEventRow(Base):
    """One event of the audit trail. ``hash`` covers every other column and ``prev_hash``,
    so altering or deleting an event breaks the chain after it."""

    __tablename__ = "audit_trail"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40), index=True)  # ISO 8601, UTC, as hashed
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    rule_ids: Mapped[str] = mapped_column(Text)  # JSON list, for filtering by rule
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(HASH))
    hash: Mapped[str] = mapped_column(String(HASH))


class TrailHeadRow(Base):
    """The last event's number and hash: appending locks it; deleting the tail shows."""

    __tablename__ = "audit_trail_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH))


# -- cases and referrals (issue 10) ----------------------------------------------------------


class CaseRow(Base):
    """A returnee's case at an office, under a pseudonymous id. ``identity`` (name, document,
    phone) is encrypted; it is emptied when the person asks for their data to be erased, and
    the rest stays for anonymous statistics. ``revision`` counts every change (ETag)."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(Text)
    identity: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_by: Mapped[str | None] = mapped_column(String(64))


class CaseProfileRow(Base):
    """One state of a case's profile: the history of what was answered, and by whom."""

    __tablename__ = "case_profiles"
    __table_args__ = (UniqueConstraint("case_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReceiptRow(Base):
    """A roadmap given on a case, kept as given: the profile, the day, the rule-base version,
    the network version and the answer, so it can be replayed and explained later."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(Text)
    as_of: Mapped[str] = mapped_column(String(10))
    rule_base_hash: Mapped[str] = mapped_column(String(HASH))
    network_version: Mapped[str] = mapped_column(String(80))
    answer: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsentRow(Base):
    """The person's consent to share their data with one institution, given or withdrawn: an
    event; the latest for an institution is the one that counts."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id"), index=True)
    institution_id: Mapped[str] = mapped_column(String(80))
    given: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReferralRow(Base):
    """A referral of a case to an institution for one service, and where it stands."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id"), index=True)
    office: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str] = mapped_column(String(8))
    service: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(32))
    institution_id: Mapped[str] = mapped_column(String(80), index=True)
    receipt_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ReferralEventRow(Base):
    """One step of a referral: from which status to which, why, who and when."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(String(32), ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessRow(Base):
    """One read of a case (Ley 1581 de 2012: who read whose data, when, through what). Rows
    are only ever added."""

    __tablename__ = "access_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(80))
