"""The referral lifecycle as the tests understand it, read straight from ``store/referrals.yaml``
(the policy data) without ``store.lifecycle``, and the answer the issue's text gives to a
request to move a referral: which HTTP status, in which order the checks apply.

Issue 10: a referral starts ``proposed`` and moves only as the policy lists; rejection and
not-attended need a reason from the policy's list for that status (any status with listed
reasons takes only those); sending needs the person's current consent for the institution; a
change carries the referral's ETag (none: 428; an older one: 412); a move the status does not
allow is 409 ``invalid_transition`` naming the allowed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

POLICY_FILE = Path(__file__).resolve().parent.parent / "store" / "referrals.yaml"


@dataclass(frozen=True)
class Lifecycle:
    moves: dict[str, tuple[str, ...]]
    reasons: dict[str, tuple[str, ...]]
    reason_required: frozenset[str]
    needs_consent: frozenset[str]
    open: frozenset[str]
    start: str = "proposed"

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def allowed(self, status: str) -> tuple[str, ...]:
        return self.moves[status]

    def reason_ok(self, to: str, reason: str | None) -> bool:
        """Whether ``reason`` may go with a move to ``to``."""
        if reason is None:
            return to not in self.reason_required
        return reason in self.reasons.get(to, ())


def lifecycle() -> Lifecycle:
    data: Any = YAML(typ="safe").load(POLICY_FILE.read_text(encoding="utf-8"))
    return Lifecycle(
        moves={name: tuple(spec.get("to", [])) for name, spec in data["statuses"].items()},
        reasons={status: tuple(listed) for status, listed in data["reasons"].items()},
        reason_required=frozenset(data["reason_required"]),
        needs_consent=frozenset(data["needs_consent"]),
        open=frozenset(data["open"]),
    )


def expected_move(
    policy: Lifecycle,
    *,
    status: str,
    to: str,
    reason: str | None,
    consent: bool,
    if_match: str,
    visible: bool = True,
) -> tuple[int, str | None]:
    """``(HTTP status, error code)`` of moving a referral that is ``status`` to ``to``:
    ``if_match`` is ``"right"``, ``"stale"`` or ``"none"``; ``visible`` is whether the
    caller's office may see the referral; ``consent`` whether the person's latest consent
    for the institution is given."""
    if if_match == "none":
        return 428, "precondition_required"
    if not visible:
        return 404, "not_found"
    if if_match == "stale":
        return 412, "precondition_failed"
    if to not in policy.allowed(status):
        return 409, "invalid_transition"
    if not policy.reason_ok(to, reason):
        return 422, "invalid_request"
    if to in policy.needs_consent and not consent:
        return 409, "consent_required"
    return 200, None
