"""Referral statistics for offices, policy staff and auditors: how many referrals, where they
stand, how often institutions accept them, how long until the person is attended, and which
open referrals are stuck. No identity and no profile value appears in a report; cases are
named, where at all, by their pseudonymous id.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from texts import both

from .database import Database
from .errors import InvalidFieldError
from .lifecycle import referral_policy
from .models import ReferralEventRow, ReferralRow, utc_now

__all__ = ["DIMENSIONS", "Reports"]

#: What referrals can be grouped by.
DIMENSIONS: tuple[str, ...] = (
    "office",
    "department",
    "area",
    "service",
    "institution",
    "status",
    "month",
)


@dataclass(frozen=True)
class _Referral:
    id: str
    case_id: str
    office: str
    department: str
    area: str
    service: str
    institution: str
    status: str
    month: str
    steps: tuple[tuple[str, datetime], ...]

    def key(self, by: Sequence[str]) -> tuple[str, ...]:
        return tuple(str(getattr(self, dimension)) for dimension in by)

    def reached(self, status: str) -> datetime | None:
        """When the referral first became ``status``, if it did."""
        return next((at for to, at in self.steps if to == status), None)


class Reports:
    def __init__(self, database: Database) -> None:
        self.db = database

    def counts(
        self,
        by: Sequence[str],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """How many referrals (made between ``since`` and ``until``) fall in each group."""
        by = _dimensions(by)
        totals: dict[tuple[str, ...], int] = defaultdict(int)
        for referral in self._referrals(since, until):
            totals[referral.key(by)] += 1
        return [
            {**dict(zip(by, key, strict=True)), "referrals": count}
            for key, count in sorted(totals.items())
        ]

    def outcomes(
        self,
        by: Sequence[str],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Per group: referrals sent, accepted, rejected, the acceptance rate (accepted ÷
        answered), attended and not attended, and the days from sending to attendance
        (median and mean)."""
        by = _dimensions(by)
        groups: dict[tuple[str, ...], list[_Referral]] = defaultdict(list)
        for referral in self._referrals(since, until):
            groups[referral.key(by)].append(referral)
        rows = []
        for key, members in sorted(groups.items()):
            sent = [r for r in members if r.reached("sent")]
            accepted = sum(1 for r in members if r.reached("accepted"))
            rejected = sum(1 for r in members if r.reached("rejected"))
            days = [
                (attended - went).total_seconds() / 86400
                for r in members
                if (went := r.reached("sent")) and (attended := r.reached("attended"))
            ]
            rows.append(
                {
                    **dict(zip(by, key, strict=True)),
                    "referrals": len(members),
                    "sent": len(sent),
                    "accepted": accepted,
                    "rejected": rejected,
                    "acceptance_rate": round(accepted / (accepted + rejected), 4)
                    if accepted + rejected
                    else None,
                    "attended": sum(1 for r in members if r.reached("attended")),
                    "not_attended": sum(1 for r in members if r.reached("not_attended")),
                    "days_to_attendance_median": round(statistics.median(days), 2)
                    if days
                    else None,
                    "days_to_attendance_mean": round(statistics.fmean(days), 2) if days else None,
                }
            )
        return rows

    def stale(self, older_than_days: int, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """Open referrals whose last step is more than ``older_than_days`` days old, oldest
        first: where referrals get stuck."""
        if older_than_days < 0:
            raise InvalidFieldError("older_than_days", *both("store.not_negative"))
        cutoff = (now or utc_now()) - timedelta(days=older_than_days)
        policy = referral_policy()
        rows = []
        for referral in self._referrals(None, None):
            if referral.status not in policy.open:
                continue
            last = referral.steps[-1][1]
            if last < cutoff:
                rows.append(
                    {
                        "referral": referral.id,
                        "case": referral.case_id,
                        "office": referral.office,
                        "department": referral.department,
                        "service": referral.service,
                        "institution": referral.institution,
                        "status": referral.status,
                        "since": last.isoformat(),
                        "days": round(((now or utc_now()) - last).total_seconds() / 86400, 1),
                    }
                )
        return sorted(rows, key=lambda row: row["since"])

    def _referrals(self, since: datetime | None, until: datetime | None) -> list[_Referral]:
        query = select(ReferralRow).order_by(ReferralRow.created_at, ReferralRow.id)
        if since is not None:
            query = query.where(ReferralRow.created_at >= since)
        if until is not None:
            query = query.where(ReferralRow.created_at < until)
        with self.db.read() as session:
            rows = list(session.scalars(query))
            steps: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
            ids = [row.id for row in rows]
            for start in range(0, len(ids), 500):
                events = session.scalars(
                    select(ReferralEventRow)
                    .where(ReferralEventRow.referral_id.in_(ids[start : start + 500]))
                    .order_by(ReferralEventRow.id)
                )
                for event in events:
                    steps[event.referral_id].append((event.to_status, event.at))
            return [
                _Referral(
                    id=row.id,
                    case_id=row.case_id,
                    office=row.office,
                    department=row.department,
                    area=row.area,
                    service=row.service,
                    institution=row.institution_id,
                    status=row.status,
                    month=row.created_at.strftime("%Y-%m"),
                    steps=tuple(steps[row.id]),
                )
                for row in rows
            ]


def _dimensions(by: Sequence[str]) -> list[str]:
    chosen = [d.strip() for d in by if d.strip()]
    unknown = [d for d in chosen if d not in DIMENSIONS]
    if unknown or len(set(chosen)) != len(chosen):
        raise InvalidFieldError(
            "by", *both("store.report_dimensions", dimensions=", ".join(DIMENSIONS))
        )
    return chosen
