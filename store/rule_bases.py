"""Rule-base versions, drafts, and their way to publication.

A **version** is an immutable rule base, named by the hash of its content, with its author,
time, message and the version it was drafted from. Exactly one version is **published** at a
time: the one the service answers with. The files in ``rules/`` seed the first version of an
empty store.

A **draft** is a copy of a version being edited, rule by rule. Every edit is checked by the
rule-base loader before it is stored (a refused edit stores nothing) and counts the draft's
revision up, so two people editing the same draft cannot overwrite each other: an edit names
the revision it was based on and is refused if another edit came first.

The way to publication follows four eyes: an author **submits** a draft; a ``policy_approver``
who neither wrote nor edited it **approves** it, which freezes its content as a new version;
**publishing** then puts that version in service, in one atomic step, provided the draft was
made from the version still in service (otherwise it would silently undo someone else's
publication) and every protocol case passes or an override with a written reason is given.
Publishing an earlier version again is a **rollback**, a new event of its own. Every step is
an event of the audit trail, in the same unit of work as the step.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import RuleBase, RuleBaseDocuments, RuleBaseError, diff_rule_bases
from texts import N_, both, text

from . import trail
from .database import Database
from .errors import (
    ConflictError,
    InvalidRequestError,
    InvalidRuleBaseError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    Problem,
)
from .models import DraftRow, PublicationRow, PublishedHeadRow, VersionRow, utc_now

__all__ = [
    "DraftInfo",
    "Publication",
    "RuleBases",
    "VersionInfo",
]

_HASH = re.compile(r"[0-9a-f]{7,64}")

#: The workflow's states; edits are taken only while a draft is open.
OPEN, SUBMITTED, APPROVED, PUBLISHED, WITHDRAWN = (
    "open",
    "submitted",
    "approved",
    "published",
    "withdrawn",
)
#: How a person reads each status of a draft.
_STATUS_TEXT = {
    OPEN: N_("store.draft_status.open"),
    SUBMITTED: N_("store.draft_status.submitted"),
    APPROVED: N_("store.draft_status.approved"),
    PUBLISHED: N_("store.draft_status.published"),
    WITHDRAWN: N_("store.draft_status.withdrawn"),
}


@dataclass(frozen=True)
class VersionInfo:
    """A version as listed: no content, its place in history, and whether it is in service."""

    hash: str
    label: str
    parent_hash: str | None
    author: str
    created_at: datetime
    message: str
    draft_id: str | None
    published: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "version": self.label,
            "parent": self.parent_hash,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "message": self.message,
            "draft_id": self.draft_id,
            "published": self.published,
        }


@dataclass(frozen=True)
class DraftInfo:
    """A draft's state: what it was made from, who wrote and edited it, and where it stands."""

    id: str
    base_hash: str
    revision: int
    status: str
    author: str
    editors: tuple[str, ...]
    message: str
    created_at: datetime
    updated_at: datetime
    submitted_by: str | None
    approved_by: str | None
    version_hash: str | None
    documents: RuleBaseDocuments

    @property
    def etag(self) -> str:
        return f'"{self.id}.{self.revision}"'

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.base_hash,
            "revision": self.revision,
            "status": self.status,
            "author": self.author,
            "editors": list(self.editors),
            "message": self.message,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submitted_by": self.submitted_by,
            "approved_by": self.approved_by,
            "version": self.version_hash,
        }


@dataclass(frozen=True)
class Publication:
    """One entry of the publication history."""

    seq: int
    hash: str
    kind: str
    actor: str
    at: datetime
    reason: str | None
    override_reason: str | None
    draft_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "kind": self.kind,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "override_reason": self.override_reason,
            "draft_id": self.draft_id,
        }


def problems_of(error: RuleBaseError) -> list[Problem]:
    """The loader's problems in the store's shape (each in English and Spanish)."""
    return [
        Problem(
            path=p.path,
            message=p.message,
            message_es=getattr(p, "message_es", "") or p.message,
            file=p.file,
            line=p.line,
            rule_id=p.rule_id,
        )
        for p in error.problems
    ]


def _checked(documents: RuleBaseDocuments) -> RuleBase:
    try:
        return documents.to_rule_base()
    except RuleBaseError as error:
        raise InvalidRuleBaseError(problems_of(error)) from None


class RuleBases:
    """Versions, drafts and publications in one store."""

    def __init__(self, database: Database) -> None:
        self.db = database

    # -- versions -----------------------------------------------------------------------------

    def seed(self, documents: RuleBaseDocuments, *, actor: str = "ruta") -> str | None:
        """Store ``documents`` as the first version and publish it, if the store has none.

        Returns the hash seeded, or ``None`` when the store already had a published version.
        """
        base = _checked(documents)
        with self.db.write() as session:
            if session.get(PublishedHeadRow, 1) is not None:
                return None
            self._add_version(session, documents, base, actor, "seeded from the rule files", None)
            self._publish(session, base.hash, "seed", actor, None, None, None, prior=None)
        return base.hash

    def published(self) -> tuple[int, str, RuleBaseDocuments]:
        """The publication number, hash and documents of the version in service."""
        with self.db.read() as session:
            head = session.get(PublishedHeadRow, 1)
            if head is None:
                raise NotFoundError(*both("store.nothing_published"))
            row = session.get(VersionRow, head.hash)
            assert row is not None
            return head.seq, row.hash, RuleBaseDocuments.from_json(row.content)

    def published_head(self) -> tuple[int, str] | None:
        """The publication number and hash in service (cheap: polled by every process)."""
        with self.db.read() as session:
            head = session.get(PublishedHeadRow, 1)
            return (head.seq, head.hash) if head is not None else None

    def versions(self) -> list[VersionInfo]:
        """Every version, newest first."""
        with self.db.read() as session:
            head = session.get(PublishedHeadRow, 1)
            rows = session.execute(
                select(VersionRow).order_by(VersionRow.created_at.desc(), VersionRow.hash)
            ).scalars()
            return [self._info(row, head) for row in rows]

    def version(self, reference: str) -> tuple[VersionInfo, RuleBaseDocuments]:
        """A version by its hash (or a unique prefix of at least 7 characters)."""
        with self.db.read() as session:
            row = self._version_row(session, reference)
            head = session.get(PublishedHeadRow, 1)
            return self._info(row, head), RuleBaseDocuments.from_json(row.content)

    def publications(self) -> list[Publication]:
        """The publication history, newest first."""
        with self.db.read() as session:
            rows = session.execute(
                select(PublicationRow).order_by(PublicationRow.seq.desc())
            ).scalars()
            return [
                Publication(
                    r.seq, r.hash, r.kind, r.actor, r.at, r.reason, r.override_reason, r.draft_id
                )
                for r in rows
            ]

    # -- drafts -------------------------------------------------------------------------------

    def create_draft(self, *, actor: str, source: str, message: str) -> DraftInfo:
        """A new draft copied from ``source`` ("published", or a version's hash)."""
        message = _message(message)
        with self.db.write() as session:
            if source == "published":
                head = session.get(PublishedHeadRow, 1)
                if head is None:
                    raise NotFoundError(*both("store.nothing_published"))
                row = session.get(VersionRow, head.hash)
                assert row is not None
            else:
                row = self._version_row(session, source)
            documents = RuleBaseDocuments.from_json(row.content)
            documents = documents.with_manifest(
                {**documents.manifest, "version": self._next_label(session, row.label)}
            )
            _checked(documents)
            now = utc_now()
            draft = DraftRow(
                id=secrets.token_hex(8),
                base_hash=row.hash,
                content=documents.to_json(),
                revision=1,
                status=OPEN,
                author=actor,
                editors=json.dumps([actor]),
                message=message,
                created_at=now,
                updated_at=now,
            )
            session.add(draft)
            session.flush()
            trail.append(
                session,
                actor=actor,
                action="draft_created",
                subject=draft.id,
                reason=message,
                detail={"from": row.hash, "version": documents.manifest.get("version")},
            )
            return self._draft_info(draft)

    def draft(self, draft_id: str) -> DraftInfo:
        with self.db.read() as session:
            return self._draft_info(self._draft_row(session, draft_id))

    def drafts(self, status: str | None = None) -> list[DraftInfo]:
        with self.db.read() as session:
            query = select(DraftRow).order_by(DraftRow.created_at.desc())
            if status is not None:
                query = query.where(DraftRow.status == status)
            return [self._draft_info(row) for row in session.execute(query).scalars()]

    def edit(
        self,
        draft_id: str,
        *,
        actor: str,
        revision: int | None,
        change: Callable[[RuleBaseDocuments], RuleBaseDocuments],
        action: str,
        subject: str,
        rule_ids: Sequence[str] = (),
    ) -> DraftInfo:
        """Apply ``change`` to an open draft, if ``revision`` is still its revision.

        The changed rule base is checked whole by the loader first: a refused edit raises
        :class:`InvalidRuleBaseError` and stores nothing. ``revision`` ``None`` is refused
        (an edit must say what it was based on).
        """
        if revision is None:
            raise PreconditionFailedError(*both("store.draft_revision_required"))
        with self.db.write() as session:
            row = self._draft_row(session, draft_id)
            self._expect(row, OPEN, N_("store.draft_cannot_be_edited"))
            if row.revision != revision:
                raise _stale(row)
            before = RuleBaseDocuments.from_json(row.content)
            after = change(before)
            _checked(after)
            changes = diff_rule_bases(before, after).to_data()
            editors = json.loads(row.editors)
            if actor not in editors:
                editors.append(actor)
            result = session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id, DraftRow.revision == revision)
                .values(
                    content=after.to_json(),
                    revision=revision + 1,
                    editors=json.dumps(editors),
                    updated_at=utc_now(),
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise _stale(row)
            trail.append(
                session,
                actor=actor,
                action=action,
                subject=f"{draft_id}:{subject}",
                rule_ids=rule_ids,
                detail={"draft": draft_id, "revision": revision + 1, "diff": changes},
            )
            session.expire(row)
            return self._draft_info(self._draft_row(session, draft_id))

    def submit(self, draft_id: str, *, actor: str) -> DraftInfo:
        """Send an open draft for approval; its content is frozen until approved or sent back."""
        with self.db.write() as session:
            row = self._draft_row(session, draft_id)
            self._expect(row, OPEN, N_("store.draft_cannot_be_submitted"))
            row.status, row.submitted_by, row.submitted_at = SUBMITTED, actor, utc_now()
            trail.append(
                session,
                actor=actor,
                action="draft_submitted",
                subject=draft_id,
                detail={"revision": row.revision},
            )
            return self._draft_info(row)

    def send_back(self, draft_id: str, *, actor: str, reason: str) -> DraftInfo:
        """An approver returns a submitted draft to its authors, saying why."""
        reason = _message(reason, "reason")
        with self.db.write() as session:
            row = self._draft_row(session, draft_id)
            self._expect(row, SUBMITTED, N_("store.draft_cannot_be_sent_back"))
            row.status = OPEN
            trail.append(
                session, actor=actor, action="changes_requested", subject=draft_id, reason=reason
            )
            return self._draft_info(row)

    def withdraw(self, draft_id: str, *, actor: str, reason: str | None = None) -> DraftInfo:
        with self.db.write() as session:
            row = self._draft_row(session, draft_id)
            if row.status not in (OPEN, SUBMITTED, APPROVED):
                self._expect(row, OPEN, N_("store.draft_cannot_be_withdrawn"))
            row.status = WITHDRAWN
            trail.append(
                session, actor=actor, action="draft_withdrawn", subject=draft_id, reason=reason
            )
            return self._draft_info(row)

    def approve(self, draft_id: str, *, actor: str) -> DraftInfo:
        """Approve a submitted draft (four eyes), freezing its content as a new version."""
        with self.db.write() as session:
            row = self._draft_row(session, draft_id)
            editors = json.loads(row.editors)
            if actor == row.author or actor in editors:
                raise PermissionDeniedError(*both("store.four_eyes"))
            self._expect(row, SUBMITTED, N_("store.draft_cannot_be_approved"))
            documents = RuleBaseDocuments.from_json(row.content)
            base = _checked(documents)
            if session.get(VersionRow, base.hash) is None:
                self._add_version(
                    session, documents, base, row.author, row.message, row.base_hash, row.id
                )
            row.status, row.approved_by, row.approved_at = APPROVED, actor, utc_now()
            row.version_hash = base.hash
            trail.append(
                session,
                actor=actor,
                action="draft_approved",
                subject=draft_id,
                detail={"version": base.hash, "label": base.version},
            )
            return self._draft_info(row)

    # -- publication --------------------------------------------------------------------------

    def publish_draft(
        self,
        draft_id: str,
        *,
        actor: str,
        failing_cases: Sequence[str] = (),
        override_reason: str | None = None,
    ) -> Publication:
        """Put an approved draft's version in service, atomically.

        ``failing_cases`` are the protocol cases the version breaks (worked out by the caller
        on the frozen content); with any, an ``override_reason`` is required and kept.
        """
        if failing_cases and not (override_reason and override_reason.strip()):
            raise ConflictError(*both("store.cases_fail", count=len(failing_cases)))
        with self.db.write() as session:
            head = session.execute(
                self.db.lock(session, select(PublishedHeadRow).where(PublishedHeadRow.id == 1))
            ).scalar_one()
            row = self._draft_row(session, draft_id)
            self._expect(row, APPROVED, N_("store.draft_cannot_be_published"))
            if row.base_hash != head.hash:
                raise ConflictError(*both("store.base_moved"))
            assert row.version_hash is not None
            row.status = PUBLISHED
            return self._publish(
                session,
                row.version_hash,
                "publish",
                actor,
                row.message,
                override_reason if failing_cases else None,
                draft_id,
                prior=head,
                failing_cases=failing_cases,
            )

    def publish_version(
        self, reference: str, *, actor: str, reason: str, expected: str | None = None
    ) -> Publication:
        """Publish an earlier version again (a rollback), as a new event with its reason.

        ``expected``, if given, is the hash the caller believes is in service; if another
        publication came first, this one is refused.
        """
        reason = _message(reason, "reason")
        with self.db.write() as session:
            head = session.execute(
                self.db.lock(session, select(PublishedHeadRow).where(PublishedHeadRow.id == 1))
            ).scalar_one()
            row = self._version_row(session, reference)
            if expected is not None and not head.hash.startswith(expected):
                raise ConflictError(*both("store.publication_raced"))
            if row.hash == head.hash:
                raise ConflictError(*both("store.already_in_service"))
            return self._publish(session, row.hash, "rollback", actor, reason, None, None, head)

    # -- internals ----------------------------------------------------------------------------

    def _publish(
        self,
        session: Session,
        version_hash: str,
        kind: str,
        actor: str,
        reason: str | None,
        override_reason: str | None,
        draft_id: str | None,
        prior: PublishedHeadRow | None,
        failing_cases: Sequence[str] = (),
    ) -> Publication:
        now = utc_now()
        publication = PublicationRow(
            hash=version_hash,
            kind=kind,
            actor=actor,
            at=now,
            reason=reason,
            override_reason=override_reason,
            draft_id=draft_id,
        )
        session.add(publication)
        session.flush()
        previous = prior.hash if prior is not None else None
        if prior is None:
            session.add(PublishedHeadRow(id=1, seq=publication.seq, hash=version_hash))
        else:
            prior.seq, prior.hash = publication.seq, version_hash
        detail: dict[str, Any] = {"version": version_hash, "previous": previous}
        rule_ids: list[str] = []
        if previous is not None:
            old = RuleBaseDocuments.from_json(self._content(session, previous))
            new = RuleBaseDocuments.from_json(self._content(session, version_hash))
            diff = diff_rule_bases(old, new).to_data()
            detail["diff"] = diff
            rule_ids = _rule_ids(diff)
        if failing_cases:
            detail["failing_cases"] = list(failing_cases)
        action = {"seed": "seeded", "publish": "published", "rollback": "rolled_back"}[kind]
        trail.append(
            session,
            actor=actor,
            action=action,
            subject=version_hash,
            reason=override_reason or reason,
            rule_ids=rule_ids,
            detail=detail,
        )
        session.flush()
        return Publication(
            publication.seq, version_hash, kind, actor, now, reason, override_reason, draft_id
        )

    def _add_version(
        self,
        session: Session,
        documents: RuleBaseDocuments,
        base: RuleBase,
        author: str,
        message: str,
        parent: str | None,
        draft_id: str | None = None,
    ) -> None:
        session.add(
            VersionRow(
                hash=base.hash,
                label=base.version,
                content=documents.to_json(),
                parent_hash=parent,
                author=author,
                created_at=utc_now(),
                message=message,
                draft_id=draft_id,
            )
        )
        session.flush()

    @staticmethod
    def _content(session: Session, version_hash: str) -> str:
        row = session.get(VersionRow, version_hash)
        assert row is not None
        return row.content

    @staticmethod
    def _next_label(session: Session, label: str) -> str:
        """The next free version label after ``label``: 2026.11 → 2026.11.1 → 2026.11.2."""
        taken = set(session.execute(select(VersionRow.label)).scalars())
        for row in session.execute(select(DraftRow.content)).scalars():
            taken.add(str(json.loads(row).get("manifest", {}).get("version", "")))
        stem, _, last = label.rpartition(".")
        if stem and last.isdigit() and stem.count(".") >= 1:
            root, number = stem, int(last)
        else:
            root, number = label, 0
        while True:
            number += 1
            candidate = f"{root}.{number}"
            if candidate not in taken:
                return candidate

    @staticmethod
    def _version_row(session: Session, reference: str) -> VersionRow:
        if not _HASH.fullmatch(reference):
            raise NotFoundError(*both("store.no_version", id=reference[:64]))
        if len(reference) == 64:
            row = session.get(VersionRow, reference)
            if row is None:
                raise NotFoundError(*both("store.no_version", id=reference))
            return row
        rows = (
            session.execute(select(VersionRow).where(VersionRow.hash.startswith(reference)))
            .scalars()
            .all()
        )
        if len(rows) != 1:
            if rows:
                raise InvalidRequestError(*both("store.ambiguous_version", reference=reference))
            raise NotFoundError(*both("store.no_version", id=reference))
        return rows[0]

    @staticmethod
    def _draft_row(session: Session, draft_id: str) -> DraftRow:
        row = session.get(DraftRow, draft_id) if len(draft_id) <= 32 else None
        if row is None:
            raise NotFoundError(*both("store.no_draft", id=draft_id[:32]))
        return row

    @staticmethod
    def _expect(row: DraftRow, status: str, refusal: str) -> None:
        """Refuse, with the text ``refusal``, an action on a draft that is not ``status``."""
        if row.status != status:
            english, spanish = (
                text(
                    refusal, language, draft=row.id, status=text(_STATUS_TEXT[row.status], language)
                )
                for language in ("en", "es")
            )
            raise ConflictError(english, spanish)

    @staticmethod
    def _info(row: VersionRow, head: PublishedHeadRow | None) -> VersionInfo:
        return VersionInfo(
            row.hash,
            row.label,
            row.parent_hash,
            row.author,
            row.created_at,
            row.message,
            row.draft_id,
            head is not None and head.hash == row.hash,
        )

    @staticmethod
    def _draft_info(row: DraftRow) -> DraftInfo:
        return DraftInfo(
            id=row.id,
            base_hash=row.base_hash,
            revision=row.revision,
            status=row.status,
            author=row.author,
            editors=tuple(json.loads(row.editors)),
            message=row.message,
            created_at=row.created_at,
            updated_at=row.updated_at,
            submitted_by=row.submitted_by,
            approved_by=row.approved_by,
            version_hash=row.version_hash,
            documents=RuleBaseDocuments.from_json(row.content),
        )


def _stale(row: DraftRow) -> PreconditionFailedError:
    return PreconditionFailedError(
        *both("store.draft_changed", draft=row.id, revision=row.revision)
    )


def _message(written: str | None, field: str = "message") -> str:
    value = (written or "").strip()
    if not value or len(value) > 2000:
        raise InvalidRequestError(*both("store.explain", field=field))
    return value


def _rule_ids(diff: dict[str, Any]) -> list[str]:
    rules = diff.get("rules", {})
    ids = [entry["id"] for entry in rules.get("added", []) + rules.get("removed", [])]
    ids += [entry["id"] for entry in rules.get("changed", [])]
    return sorted(set(ids))
