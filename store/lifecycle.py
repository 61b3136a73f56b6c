"""The life of a referral, read from ``referrals.yaml`` (data, not code): its statuses, which
may follow which, the reasons a rejection or a missed appointment may give, which statuses are
open, which use up an institution's weekly capacity, and which need the person's consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = ["ReferralPolicy", "referral_policy"]

_FILE = Path(__file__).resolve().parent / "referrals.yaml"
#: Where every referral starts.
START = "proposed"


@dataclass(frozen=True)
class ReferralPolicy:
    """Statuses with their names (es, en) and next statuses; reasons per status."""

    labels: dict[str, dict[str, str]]
    moves: dict[str, tuple[str, ...]]
    reasons: dict[str, dict[str, dict[str, str]]]
    open: frozenset[str]
    holds_capacity: frozenset[str]
    needs_consent: frozenset[str]
    reason_required: frozenset[str]
    start: str = START

    def allowed(self, status: str) -> tuple[str, ...]:
        return self.moves.get(status, ())

    def label(self, status: str, lang: str) -> str:
        return self.labels.get(status, {}).get(lang, status)


@cache
def referral_policy() -> ReferralPolicy:
    """The referral lifecycle shipped with Ruta; refused at start-up if it contradicts itself
    (a move or reason naming an unknown status)."""
    data: Any = YAML(typ="safe").load(_FILE.read_text(encoding="utf-8"))
    statuses = data["statuses"]
    labels = {name: {"es": s["es"], "en": s["en"]} for name, s in statuses.items()}
    moves = {name: tuple(s.get("to", [])) for name, s in statuses.items()}
    reasons = {
        status: {code: dict(text) for code, text in listed.items()}
        for status, listed in data.get("reasons", {}).items()
    }
    named = [
        *(to for targets in moves.values() for to in targets),
        *reasons,
        *data["open"],
        *data["holds_capacity"],
        *data["needs_consent"],
        *data["reason_required"],
        START,
    ]
    unknown = sorted({status for status in named if status not in statuses})
    if unknown:
        raise ValueError(f"referrals.yaml names unknown statuses: {', '.join(unknown)}")
    missing = sorted(s for s in data["reason_required"] if not reasons.get(s))
    if missing:
        raise ValueError(f"referrals.yaml requires reasons it does not list: {missing}")
    return ReferralPolicy(
        labels=labels,
        moves=moves,
        reasons=reasons,
        open=frozenset(data["open"]),
        holds_capacity=frozenset(data["holds_capacity"]),
        needs_consent=frozenset(data["needs_consent"]),
        reason_required=frozenset(data["reason_required"]),
    )
