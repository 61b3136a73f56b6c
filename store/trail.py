"""The audit trail: an append-only chain of events, each carrying the hash of the one before.

Every governance action (a draft made, a rule edited, a submission, an approval, a publication,
a rollback, a token created or revoked) appends one event in the same unit of work as the
action itself: both are stored, or neither. ``verify`` recomputes the chain and names the first
event that was altered, removed or inserted, so an auditor can prove the trail is whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from texts import both

from .models import TrailEventRow, TrailHeadRow, utc_now

__all__ = ["GENESIS", "TrailEvent", "TrailVerdict", "append", "events", "verify"]

#: The hash an empty trail's head holds, and the first event's ``prev_hash``.
GENESIS = "0" * 64


@dataclass(frozen=True)
class TrailEvent:
    """Who did what, when, to which record, and why."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    rule_ids: tuple[str, ...]
    reason: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "rule_ids": list(self.rule_ids),
            "reason": self.reason,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class TrailVerdict:
    """Whether the chain is whole; if not, the first event where it breaks and why."""

    ok: bool
    events: int
    broken_at: int | None = None
    message: str = ""
    message_es: str = ""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    rule_ids: Sequence[str],
    reason: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over every field of an event and the previous event's hash."""
    payload = _canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "rule_ids": list(rule_ids),
            "reason": reason,
            "detail": detail,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
    rule_ids: Sequence[str] = (),
    lock: bool = True,
    at: datetime | None = None,
) -> TrailEvent:
    """Append an event in ``session``'s unit of work (which must be a write)."""
    query = select(TrailHeadRow).where(TrailHeadRow.id == 1)
    if lock and session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    head = session.execute(query).scalar_one()
    moment = (at or utc_now()).astimezone(UTC).isoformat(timespec="microseconds")
    seq = head.seq + 1
    body = detail or {}
    ids = tuple(sorted(set(rule_ids)))
    digest = event_hash(seq, moment, actor, action, subject, ids, reason, body, head.hash)
    session.add(
        TrailEventRow(
            seq=seq,
            at=moment,
            actor=actor,
            action=action,
            subject=subject,
            rule_ids=_canonical(list(ids)),
            reason=reason,
            detail=_canonical(body),
            prev_hash=head.hash,
            hash=digest,
        )
    )
    head.seq = seq
    head.hash = digest
    session.flush()
    return TrailEvent(seq, moment, actor, action, subject, ids, reason, body, head.hash, digest)


def _event(row: TrailEventRow) -> TrailEvent:
    return TrailEvent(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        rule_ids=tuple(json.loads(row.rule_ids)),
        reason=row.reason,
        detail=json.loads(row.detail),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def events(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    rule_id: str | None = None,
    action: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[TrailEvent]:
    """Events in order, filtered by time (``since`` inclusive, ``until`` exclusive), person,
    rule and action; ``after`` and ``limit`` page through them."""
    query = select(TrailEventRow).where(TrailEventRow.seq > after).order_by(TrailEventRow.seq)
    if since is not None:
        query = query.where(TrailEventRow.at >= since.astimezone(UTC).isoformat())
    if until is not None:
        query = query.where(TrailEventRow.at < until.astimezone(UTC).isoformat())
    if actor is not None:
        query = query.where(TrailEventRow.actor == actor)
    if action is not None:
        query = query.where(TrailEventRow.action == action)
    if rule_id is not None:
        # The list is stored as canonical JSON: an id appears quoted, exactly once.
        query = query.where(TrailEventRow.rule_ids.contains(_canonical(rule_id)))
    if rule_id is None:
        query = query.limit(limit)
        return [_event(row) for row in session.execute(query).scalars()]
    found = []
    for row in session.execute(query).scalars():
        event = _event(row)
        if rule_id in event.rule_ids:
            found.append(event)
            if len(found) == limit:
                break
    return found


def verify(session: Session) -> TrailVerdict:
    """Recompute the chain from the first event; the first break is reported."""
    previous = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(TrailEventRow).order_by(TrailEventRow.seq)).scalars()
    for row in rows:
        try:
            event = _event(row)
        except ValueError:  # a list or detail no longer JSON: written over
            return _broken(
                count,
                row.seq,
                *both("store.trail_altered", seq=row.seq),
            )
        if event.seq != expected_seq:
            return _broken(
                count,
                expected_seq,
                *both("store.trail_gap", seq=expected_seq, next=event.seq),
            )
        if event.prev_hash != previous:
            return _broken(
                count,
                event.seq,
                *both("store.trail_unlinked", seq=event.seq),
            )
        recomputed = event_hash(
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.subject,
            event.rule_ids,
            event.reason,
            event.detail,
            event.prev_hash,
        )
        if recomputed != event.hash:
            return _broken(
                count,
                event.seq,
                *both("store.trail_altered", seq=event.seq),
            )
        previous = event.hash
        expected_seq += 1
        count += 1
    head = session.execute(select(TrailHeadRow).where(TrailHeadRow.id == 1)).scalar_one()
    if head.seq != count or head.hash != previous:
        return _broken(
            count,
            count + 1,
            *both("store.trail_cut", last=count, head=head.seq),
        )
    return TrailVerdict(True, count)


def _broken(count: int, seq: int, message: str, message_es: str) -> TrailVerdict:
    return TrailVerdict(False, count, seq, message, message_es)
